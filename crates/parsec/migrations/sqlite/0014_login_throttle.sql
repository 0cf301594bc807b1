-- Login throttling per account and address pair (accounts::throttle), and failed or refused
-- attempts counted per account, address and hour instead of a row and an audit entry each.

CREATE TABLE login_throttle (
    -- The account's login, or '-' for logins that are no account.
    login         TEXT NOT NULL,
    address       TEXT NOT NULL,
    -- Consecutive failures since the pair's last success.
    failures      INTEGER NOT NULL DEFAULT 0,
    last_failure  TEXT,
    last_success  TEXT,
    PRIMARY KEY (login, address)
) WITHOUT ROWID;
CREATE INDEX login_throttle_address ON login_throttle(address, last_failure);

CREATE TABLE login_failures (
    login    TEXT NOT NULL,
    address  TEXT NOT NULL,
    -- The UTC hour, as 2026-12-05T08.
    hour     TEXT NOT NULL,
    failed   INTEGER NOT NULL DEFAULT 0,
    refused  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (login, address, hour)
) WITHOUT ROWID;

-- The attempts recorded so far keep their record, as counts.
INSERT INTO login_failures (login, address, hour, failed)
    SELECT login, address, substr(at, 1, 13), COUNT(*) FROM login_attempts WHERE success = 0
    GROUP BY login, address, substr(at, 1, 13);
-- Addresses already used by an account stay familiar to it.
INSERT INTO login_throttle (login, address, failures, last_success)
    SELECT login, address, 0, MAX(at) FROM login_attempts WHERE success = 1
    GROUP BY login, address;
DROP TABLE login_attempts;
