-- check_foreign_keys(): one row per finding, each check on a schema made to
-- have it, a clean schema that reports nothing, the ignore list, and the
-- reports CI tools read.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;

-- A clean schema: every key indexed, validated, typed alike, no repeats.
CREATE SCHEMA clean;
CREATE TABLE clean.users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE clean.orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES clean.users);
CREATE INDEX ON clean.orders (user_id);
CREATE TABLE clean.pairs (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE clean.pair_refs (b int NOT NULL, a int NOT NULL, FOREIGN KEY (a, b) REFERENCES clean.pairs);
CREATE INDEX ON clean.pair_refs (b, a);  -- leading columns in another order still serve
CREATE TABLE clean.events (id int, user_id bigint REFERENCES clean.users, at date) PARTITION BY RANGE (at);
CREATE INDEX ON clean.events (user_id);
CREATE TABLE clean.events_2024 PARTITION OF clean.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
SELECT count(*) AS findings_in_clean FROM fk_guard.check_foreign_keys(schemas => ARRAY['clean']::name[]);

CREATE SCHEMA h;
SET search_path = h, public;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, phone text, UNIQUE (email, phone));
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" int);
-- A migration run twice: the same key again, under a new name.
ALTER TABLE sessions ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES users (id);
ALTER TABLE sessions ADD CONSTRAINT "sessions_userId_fkey1" FOREIGN KEY ("userId") REFERENCES users (id);
CREATE INDEX ON sessions ("userId");
-- Overlapping: the same two columns, paired the other way round.
CREATE TABLE contacts (email text, phone text,
  CONSTRAINT contacts_ep FOREIGN KEY (email, phone) REFERENCES users (email, phone) MATCH FULL,
  CONSTRAINT contacts_pe FOREIGN KEY (phone, email) REFERENCES users (email, phone) MATCH FULL);
CREATE INDEX ON contacts (email, phone);
-- Unindexed, MATCH SIMPLE with nullable columns, and never validated.
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, email text, phone text,
  CONSTRAINT orders_contact FOREIGN KEY (email, phone) REFERENCES users (email, phone));
CREATE INDEX ON orders (email, phone);
CREATE TABLE audit (id int, user_id int);
CREATE INDEX ON audit (user_id);
INSERT INTO users VALUES (1, 'a@example.com', '1');
INSERT INTO audit VALUES (1, 99);
ALTER TABLE audit ADD CONSTRAINT audit_user_fk FOREIGN KEY (user_id) REFERENCES users NOT VALID;
-- A partial or invalid index does not count; a partitioned table is reported once.
CREATE TABLE logs (id int, user_id int REFERENCES users, at date) PARTITION BY RANGE (at);
CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE logs_2025 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE notes (id int, user_id int REFERENCES users);
CREATE INDEX ON notes (user_id) WHERE user_id > 0;
-- A type mismatch, as diagnose_fk_mismatches() finds it.
CREATE TABLE tokens (id int, user_id bigint REFERENCES users);
CREATE INDEX ON tokens (user_id);

SELECT check_name, severity, referencing_table, referencing_columns, referenced_table, referenced_columns, constraint_name
  FROM fk_guard.check_foreign_keys(schemas => ARRAY['h']::name[]);
SELECT check_name, detail, suggested_fix FROM fk_guard.check_foreign_keys(schemas => ARRAY['h']::name[])
 WHERE check_name <> 'type_mismatch' ORDER BY check_name, constraint_name;
-- Limited to some checks.
SELECT check_name, constraint_name FROM fk_guard.check_foreign_keys(ARRAY['h']::name[], ARRAY['duplicate', 'not_validated']);
SELECT check_name FROM fk_guard.check_foreign_keys(ARRAY['h']::name[], ARRAY['no_such_check']);

-- The ignore list: by constraint, by table and check, by column.
INSERT INTO fk_guard.ignored (constraint_name, reason) VALUES ('audit_user_fk', 'validated by the nightly job');
INSERT INTO fk_guard.ignored (table_name, check_name, reason) VALUES ('h.notes', 'unindexed', 'notes are never deleted');
INSERT INTO fk_guard.ignored (table_name, column_name, check_name, reason) VALUES ('h.tokens', 'user_id', 'type_mismatch', 'bigint on purpose');
-- (An entry for another column of h.orders leaves orders_user_id_fkey reported.)
INSERT INTO fk_guard.ignored (table_name, column_name, check_name, reason) VALUES ('h.orders', 'id', 'unindexed', 'not this column');
SELECT check_name, referencing_table, constraint_name FROM fk_guard.check_foreign_keys(schemas => ARRAY['h']::name[]);
SELECT count(*) AS tokens_rows FROM fk_guard.diagnose_fk_mismatches(false) WHERE referencing_table = 'h.tokens'::regclass;
-- Another role: the keys of schemas it has no USAGE on are not reported,
-- and when it may not read fk_guard.ignored it gets every finding, the
-- ignored ones too, rather than an error.
CREATE ROLE fkg_h_outsider;
SET ROLE fkg_h_outsider;
SELECT count(*) AS h_findings_without_usage FROM fk_guard.check_foreign_keys()
WHERE referencing_table::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'h'::regnamespace);
RESET ROLE;
GRANT USAGE ON SCHEMA h TO fkg_h_outsider;
REVOKE SELECT ON fk_guard.ignored FROM PUBLIC;
SET ROLE fkg_h_outsider;
SELECT check_name, referencing_table, constraint_name FROM fk_guard.check_foreign_keys(schemas => ARRAY['h']::name[])
WHERE constraint_name IN ('audit_user_fk', 'notes_user_id_fkey') OR referencing_table = 'h.tokens'::regclass;
RESET ROLE;
GRANT SELECT ON fk_guard.ignored TO PUBLIC;
REVOKE USAGE ON SCHEMA h FROM fkg_h_outsider;
DROP ROLE fkg_h_outsider;
-- The guard's soft warning respects it too.
CREATE TABLE tokens2 (id int, user_id bigint);
INSERT INTO fk_guard.ignored (table_name, column_name, check_name, reason) VALUES ('h.tokens2', 'user_id', 'type_mismatch', 'bigint on purpose');
ALTER TABLE tokens2 ADD FOREIGN KEY (user_id) REFERENCES users;
\set VERBOSITY terse
INSERT INTO fk_guard.ignored (check_name, reason) VALUES ('no_such_check', 'x');
INSERT INTO fk_guard.ignored (check_name) VALUES ('unindexed');
\set VERBOSITY default

-- Reports.
SELECT fk_guard.report();
SELECT jsonb_array_length(fk_guard.report('json')::jsonb) AS json_findings;
SELECT r->>'version' AS version, r #>> '{runs,0,tool,driver,name}' AS tool,
       jsonb_array_length(r #> '{runs,0,tool,driver,rules}') AS rules,
       jsonb_array_length(r #> '{runs,0,results}') AS results,
       r #> '{runs,0,results,0,locations,0,logicalLocations}' AS first_locations
  FROM (SELECT fk_guard.report('sarif')::jsonb AS r) s;
SELECT fk_guard.report('xml');

-- assert_foreign_keys(): every finding at or above the severity, one line
-- each in DETAIL, the count in the message (SQLSTATE P0004, assert_failure).
\set SHOW_CONTEXT never
\set VERBOSITY sqlstate
SELECT fk_guard.assert_foreign_keys();
\set VERBOSITY default
SELECT fk_guard.assert_foreign_keys();
SELECT fk_guard.assert_foreign_keys('notice', ARRAY['overlapping']);
SELECT fk_guard.assert_foreign_keys('warning', ARRAY['overlapping']);  -- notices only: passes
SELECT fk_guard.assert_foreign_keys('error');                         -- no errors: passes
SELECT fk_guard.assert_foreign_keys(schemas => ARRAY['clean']::name[]);
SELECT fk_guard.assert_foreign_keys('fatal');
SELECT fk_guard.assert_foreign_keys(NULL);
SELECT fk_guard.assert_foreign_keys(checks => ARRAY['no_such_check']);
-- assert_no_mismatches() stays with type mismatches: the ignored tokens pair
-- is all there is, so it passes while assert_foreign_keys() does not.
SELECT fk_guard.assert_no_mismatches('notice');

-- Implied pairs across schemas are looked up on the caller's search_path,
-- by check_foreign_keys(), report() and assert_foreign_keys() alike.
CREATE SCHEMA h2;
CREATE TABLE h2.remarks (id int, users_id bigint);
SET search_path = h2, h, public;
SELECT check_name, referencing_table, referencing_columns, referenced_table
  FROM fk_guard.check_foreign_keys(schemas => ARRAY['h2']::name[]);
SELECT e->>'check' AS check, e->>'referencing_table' AS referencing_table, e->>'referenced_table' AS referenced_table
  FROM jsonb_array_elements(fk_guard.report('json')::jsonb) e WHERE e->>'referencing_table' = 'h2.remarks';
SELECT fk_guard.assert_foreign_keys('notice', schemas => ARRAY['h2']::name[]);
SET search_path = h2, public;
SELECT count(*) AS without_h_on_the_path FROM fk_guard.check_foreign_keys(schemas => ARRAY['h2']::name[]);
DROP SCHEMA h2 CASCADE;
\set SHOW_CONTEXT errors

RESET search_path;
DELETE FROM fk_guard.ignored;
SET client_min_messages = warning;
DROP SCHEMA h CASCADE;
DROP SCHEMA clean CASCADE;
