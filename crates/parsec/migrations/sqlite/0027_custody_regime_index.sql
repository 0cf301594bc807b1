-- Every foreign key has its index: the custodies of a regime.
CREATE INDEX custodies_regime ON custodies(regime);
