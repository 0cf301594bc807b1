-- The programme's own records (issue 15): its partners, activities, budget, deliveries and the
-- needs found at identification; the indicators' baselines and targets. The indicators' values
-- are never stored: they are computed from the operational data (`programme::indicators`).

CREATE TABLE programme_partners (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    -- What the partner is to the programme.
    kind    TEXT NOT NULL CHECK (kind IN ('bailleur', 'mise_en_oeuvre', 'beneficiaire', 'partenaire')),
    note    TEXT NOT NULL DEFAULT '',
    demo    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE programme_activities (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    phase          TEXT NOT NULL CHECK (phase IN ('identification', 'mise_en_oeuvre')),
    -- 1: security of the population and territorial control; 2: the border areas; the
    -- means behind both (equipment, infrastructure, maintenance).
    component      TEXT NOT NULL CHECK (component IN ('securite', 'frontieres', 'moyens')),
    partner_id     TEXT REFERENCES programme_partners(id),
    planned_start  TEXT NOT NULL,
    planned_end    TEXT NOT NULL,
    actual_start   TEXT,
    actual_end     TEXT,
    status         TEXT NOT NULL CHECK (status IN ('prevue', 'en_cours', 'terminee', 'annulee')),
    demo           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX programme_activities_partner ON programme_activities(partner_id);

-- Who does what where: a partner in a cercle, for an activity or on its own account.
CREATE TABLE programme_interventions (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES programme_partners(id),
    activity_id TEXT REFERENCES programme_activities(id),
    cercle      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    demo        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX programme_interventions_partner ON programme_interventions(partner_id);
CREATE INDEX programme_interventions_activity ON programme_interventions(activity_id);

-- Amounts in euro cents and whole francs CFA, integers: the parity (655.957) is applied
-- once, exactly, when an amount is written (`programme::money`).
CREATE TABLE budget_lines (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    component   TEXT NOT NULL CHECK (component IN ('securite', 'frontieres', 'moyens', 'gestion')),
    activity_id TEXT REFERENCES programme_activities(id),
    title       TEXT NOT NULL,
    eur_cents   INTEGER NOT NULL CHECK (eur_cents >= 0),
    demo        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX budget_lines_activity ON budget_lines(activity_id);

CREATE TABLE budget_entries (
    id          TEXT PRIMARY KEY,
    line_id     TEXT NOT NULL REFERENCES budget_lines(id),
    kind        TEXT NOT NULL CHECK (kind IN ('engagement', 'paiement')),
    on_day      TEXT NOT NULL,
    eur_cents   INTEGER NOT NULL,
    fcfa        INTEGER NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    demo        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX budget_entries_line ON budget_entries(line_id, on_day);

-- What the programme handed over, linked to the registry's asset or site.
CREATE TABLE programme_deliveries (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('equipement', 'infrastructure')),
    asset_id          TEXT REFERENCES assets(id),
    site_id           TEXT REFERENCES sites(id),
    activity_id       TEXT REFERENCES programme_activities(id),
    recipient_unit_id TEXT REFERENCES units(id),
    handed_over_on    TEXT NOT NULL,
    -- The title deed (acte de propriété) or the handover record.
    document_ref      TEXT NOT NULL DEFAULT '',
    warranty_end      TEXT,
    demo              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX programme_deliveries_asset ON programme_deliveries(asset_id);
CREATE INDEX programme_deliveries_site ON programme_deliveries(site_id);
CREATE INDEX programme_deliveries_activity ON programme_deliveries(activity_id);
CREATE INDEX programme_deliveries_unit ON programme_deliveries(recipient_unit_id);

-- The needs found at identification, per unit or cercle, and the activity that answers each.
CREATE TABLE programme_needs (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    unit_id       TEXT REFERENCES units(id),
    cercle        TEXT NOT NULL DEFAULT '',
    priority      INTEGER NOT NULL CHECK (priority IN (1, 2, 3)),
    activity_id   TEXT REFERENCES programme_activities(id),
    identified_on TEXT NOT NULL,
    demo          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX programme_needs_unit ON programme_needs(unit_id);
CREATE INDEX programme_needs_activity ON programme_needs(activity_id);

-- Each indicator's baseline and target as the programme set them; the values are computed.
CREATE TABLE programme_indicators (
    code       TEXT PRIMARY KEY,
    baseline   REAL,
    target     REAL,
    -- The period the baseline was measured on, as said (e.g. « 2017 »).
    baseline_period TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
