-- The remaining foreign keys get their index (tests/it/scale.rs checks that every one has):
-- replacing a watchlist deletes its entries, which otherwise scanned every hit per entry.
CREATE INDEX screening_hits_entry ON screening_hits(entry_id);
CREATE INDEX screening_hits_unit ON screening_hits(unit_id);
CREATE INDEX partner_alerts_package ON partner_alerts(package_id);
CREATE INDEX responses_asset ON responses(asset_id);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE INDEX exchange_imports_partner ON exchange_imports(partner_id);
CREATE INDEX exchange_partners_unit ON exchange_partners(unit_id);
CREATE INDEX exchange_exports_unit ON exchange_exports(unit_id);
CREATE INDEX users_unit ON users(unit_id);
CREATE INDEX watchlists_replaces ON watchlists(replaces_id);
