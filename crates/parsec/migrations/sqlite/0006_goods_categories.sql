-- The categories of goods declared at the posts: a short list that administrators extend,
-- rename or retire (`parsec goods-category`); a retired category stays for the old
-- declarations and the statistics, but is no longer offered.
CREATE TABLE goods_categories (
    code     TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 30),
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);
INSERT INTO goods_categories (code, label_fr, label_en, position) VALUES
    ('cereales', 'Céréales', 'Cereals', 1),
    ('betail', 'Bétail (têtes)', 'Livestock (head)', 2),
    ('carburant', 'Carburant', 'Fuel', 3),
    ('marchandises', 'Marchandises générales', 'General goods', 4),
    ('motos', 'Motos', 'Motorbikes', 5),
    ('materiaux', 'Matériaux', 'Building materials', 6),
    ('autre', 'Autre', 'Other', 7);
