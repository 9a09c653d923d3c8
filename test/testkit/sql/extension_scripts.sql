-- The guard inside extension scripts: an extension's install script runs
-- with creating_extension set, and the guard says nothing there (the DBA
-- installing it cannot change its tables). The same statements outside the
-- extension are the control: there the guard warns.
-- Needs the test-only extension fkg_testkit_keys (test/testkit).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
SET client_min_messages = notice;
-- No WARNING and no NOTICE from the guard:
CREATE EXTENSION fkg_testkit_keys;
SELECT c.conrelid::regclass AS table_name, c.conname
FROM pg_constraint c JOIN pg_depend d ON d.objid = c.conrelid AND d.deptype = 'e'
WHERE c.contype = 'f' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fkg_testkit_keys')
ORDER BY 2;
DROP EXTENSION fkg_testkit_keys;
DROP SCHEMA fkg_testkit_keys;
-- The control: the same script outside CREATE EXTENSION.
CREATE SCHEMA fkg_testkit_keys;
SET search_path = fkg_testkit_keys;
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE entries (id integer PRIMARY KEY, account_id integer REFERENCES accounts (id));
ALTER TABLE entries ADD COLUMN other_account integer;
ALTER TABLE entries ADD FOREIGN KEY (other_account) REFERENCES accounts (id);
RESET search_path;
DROP SCHEMA fkg_testkit_keys CASCADE;
