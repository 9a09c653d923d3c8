-- Test-only. An extension's own tables, with a foreign key whose types
-- differ (integer referencing bigint: narrower): the guard stays silent
-- inside CREATE EXTENSION / ALTER EXTENSION scripts.
\echo Use "CREATE EXTENSION fkg_testkit_keys" to load this file. \quit
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE entries (id integer PRIMARY KEY, account_id integer REFERENCES accounts (id));
ALTER TABLE entries ADD COLUMN other_account integer;
ALTER TABLE entries ADD FOREIGN KEY (other_account) REFERENCES accounts (id);
