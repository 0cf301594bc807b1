-- Every foreign key has its index (a deleted or checked parent never scans the child table):
-- the plans of one asset, the work orders coming from an incident's response.
CREATE INDEX maintenance_plans_asset ON maintenance_plans(asset_id);
CREATE INDEX work_orders_response ON work_orders(response_id);
