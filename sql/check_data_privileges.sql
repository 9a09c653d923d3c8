-- diagnose_fk_mismatches(check_data => true) by a role that cannot read one
-- table: that row's data columns are NULL and its detail says why; the other
-- rows are profiled as usual.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
SET pg_fk_guard.soft_mismatches = ignore;
\set VERBOSITY default
CREATE ROLE fkg_auditor;
CREATE SCHEMA cdp;
GRANT USAGE ON SCHEMA cdp TO fkg_auditor;
CREATE TABLE cdp.accounts (id bigint PRIMARY KEY);
CREATE TABLE cdp.open_orders (account_id integer REFERENCES cdp.accounts);
CREATE TABLE cdp.secret_orders (account_id integer REFERENCES cdp.accounts);
CREATE TABLE cdp.column_orders (note text, account_id integer REFERENCES cdp.accounts);
INSERT INTO cdp.accounts VALUES (1), (2);
INSERT INTO cdp.open_orders VALUES (1), (NULL);
INSERT INTO cdp.secret_orders VALUES (2);
INSERT INTO cdp.column_orders VALUES ('x', 1);
GRANT SELECT ON cdp.accounts, cdp.open_orders TO fkg_auditor;
GRANT SELECT (account_id) ON cdp.column_orders TO fkg_auditor;
SET ROLE fkg_auditor;
SELECT referencing_table, kind, rows_total, rows_null, rows_convertible, rows_orphaned, conversion,
       substring(detail from 'The data was not profiled: .*') AS why
FROM fk_guard.diagnose_fk_mismatches(include_implied => false, check_data => true)
WHERE referencing_table::text LIKE 'cdp.%'
ORDER BY referencing_table::text;
RESET ROLE;
-- Nor can it read the referenced table (the orphan check reads it).
REVOKE SELECT ON cdp.accounts FROM fkg_auditor;
SET ROLE fkg_auditor;
SELECT referencing_table, rows_total, substring(detail from 'The data was not profiled: .*') AS why
FROM fk_guard.diagnose_fk_mismatches(include_implied => false, check_data => true)
WHERE referencing_table::text LIKE 'cdp.open%';
RESET ROLE;
DROP SCHEMA cdp CASCADE;
DROP ROLE fkg_auditor;
