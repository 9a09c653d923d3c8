-- fix_plan(): scripts that run, on the story's database, with each option.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA story;
SET search_path = story, public;
CREATE TABLE users (id serial PRIMARY KEY, email text, legacy_uuid uuid UNIQUE);
INSERT INTO users (email, legacy_uuid) VALUES
  ('a@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('b@example.com', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
INSERT INTO sessions VALUES
  ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('s2', NULL),
  ('s3', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'),
  ('s4', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');

-- The default: stop before anything changes, because rows would be lost.
SELECT fk_guard.fix_plan('sessions', 'userId', 'users');
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users') \gexec
ROLLBACK;
SELECT sid, "userId" FROM sessions ORDER BY sid;

-- map: through users.legacy_uuid, found by mapping discovery.
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'map');
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'map') \gexec
\d sessions
SELECT sid, "userId" FROM sessions ORDER BY sid;
SELECT convalidated FROM pg_constraint WHERE conname = 'sessions_userId_fkey';
ROLLBACK;

-- null: what cannot convert becomes NULL.
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'null') \gexec
SELECT sid, "userId" FROM sessions ORDER BY sid;
SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'sessions'::regclass AND attname = 'userId';
ROLLBACK;

-- delete: the rows go.
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'delete') \gexec
SELECT sid, "userId" FROM sessions ORDER BY sid;
ROLLBACK;

-- text values, some convertible, one orphan, one not a number.
CREATE TABLE tokens (id int PRIMARY KEY, user_ref text NOT NULL);
INSERT INTO tokens VALUES (1, '1'), (2, ' 2'), (3, '99'), (4, 'x');
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'null');
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'delete');
BEGIN;
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'delete') \gexec
SELECT * FROM tokens ORDER BY id;
ROLLBACK;
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'map');
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'sometimes');

-- A declared soft mismatch: the plan drops and re-adds the constraint.
CREATE TABLE accounts (id bigint PRIMARY KEY);
INSERT INTO accounts VALUES (1), (2);
SET pg_fk_guard.soft_mismatches = ignore;
CREATE TABLE logins (id int PRIMARY KEY, account_id integer REFERENCES accounts);
RESET pg_fk_guard.soft_mismatches;
INSERT INTO logins VALUES (1, 1), (2, NULL);
SELECT fk_guard.fix_plan('logins', 'account_id', 'accounts');
BEGIN;
SELECT fk_guard.fix_plan('logins', 'account_id', 'accounts') \gexec
SELECT count(*) AS left_to_report FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'logins'::regclass;
ROLLBACK;

-- A declared key's behaviour survives: PostgreSQL rebuilds it with its whole
-- definition when the column is converted; the plan does not drop it.
CREATE TABLE audits (id int PRIMARY KEY, account_id integer);
SET pg_fk_guard.soft_mismatches = ignore;
ALTER TABLE audits ADD CONSTRAINT audits_account_fk FOREIGN KEY (account_id) REFERENCES accounts
  MATCH FULL ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
RESET pg_fk_guard.soft_mismatches;
INSERT INTO audits VALUES (1, 1), (2, 2);
SELECT pg_get_constraintdef(oid) AS before FROM pg_constraint WHERE conname = 'audits_account_fk';
BEGIN;
SELECT fk_guard.fix_plan('audits', 'account_id', 'accounts') \gexec
SELECT pg_get_constraintdef(oid) AS after, convalidated FROM pg_constraint WHERE conname = 'audits_account_fk';
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'audits'::regclass AND attname = 'account_id';
ROLLBACK;

-- map converts in place: everything attached to the column stays, and a
-- DEFAULT that cannot become the key type is dropped and announced.
CREATE ROLE fk_guard_reader;
CREATE TABLE visits (
  sid text PRIMARY KEY,
  "userId" uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000' CHECK ("userId" IS NOT NULL OR sid <> ''),
  at timestamptz DEFAULT now(),
  UNIQUE (sid, "userId"),
  CHECK (sid <> "userId"::text));
CREATE INDEX visits_user_idx ON visits ("userId", at);
COMMENT ON COLUMN visits."userId" IS 'who visited';
GRANT SELECT ("userId") ON visits TO fk_guard_reader;
CREATE STATISTICS visits_stats ON sid, "userId" FROM visits;
INSERT INTO visits (sid, "userId") VALUES
  ('v1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('v2', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');
CREATE TEMP TABLE visits_before AS
  SELECT a.attnum, a.attname, a.attnotnull, col_description(a.attrelid, a.attnum) AS comment, a.attacl::text AS acl,
         (SELECT count(*) FROM pg_index i WHERE i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey)) AS indexes,
         (SELECT count(*) FROM pg_constraint c WHERE c.conrelid = a.attrelid AND a.attnum = ANY (c.conkey)) AS constraints,
         (SELECT count(*) FROM pg_statistic_ext s WHERE s.stxrelid = a.attrelid AND a.attnum = ANY (s.stxkeys)) AS stats
  FROM pg_attribute a WHERE a.attrelid = 'visits'::regclass AND a.attnum > 0 AND NOT a.attisdropped;
SELECT fk_guard.fix_plan('visits', 'userId', 'users', on_unconvertible => 'map');
BEGIN;
SELECT fk_guard.fix_plan('visits', 'userId', 'users', on_unconvertible => 'map') \gexec
SELECT sid, "userId" FROM visits ORDER BY sid;
-- Only the type (and the FOREIGN KEY, one more constraint) changed; the default was announced.
SELECT b.attname, b.attnum = a.attnum AS same_position, b.attnotnull = a.attnotnull AS same_not_null,
       b.comment = col_description(a.attrelid, a.attnum) AS same_comment, b.acl = a.attacl::text AS same_acl,
       b.indexes = (SELECT count(*) FROM pg_index i WHERE i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey)) AS same_indexes,
       (SELECT count(*) FROM pg_constraint c WHERE c.conrelid = a.attrelid AND a.attnum = ANY (c.conkey)) - b.constraints AS new_constraints,
       b.stats = (SELECT count(*) FROM pg_statistic_ext s WHERE s.stxrelid = a.attrelid AND a.attnum = ANY (s.stxkeys)) AS same_stats,
       format_type(a.atttypid, a.atttypmod) AS type, pg_get_expr(d.adbin, d.adrelid) AS default
FROM visits_before b JOIN pg_attribute a ON a.attrelid = 'visits'::regclass AND a.attname = b.attname
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
ORDER BY b.attnum;
ROLLBACK;

-- map refuses a mapping that is not unique, with counts and samples.
CREATE TABLE people (id int PRIMARY KEY, code text);
INSERT INTO people VALUES (1, 'x'), (2, 'x'), (3, 'y');
CREATE TABLE badges (id int PRIMARY KEY, person_code text);
INSERT INTO badges VALUES (1, 'x'), (2, 'y');
SELECT fk_guard.fix_plan('badges', 'person_code', 'people', 'id', on_unconvertible => 'map');

-- delete counts what ON DELETE does to other tables, and stops unless asked.
CREATE TABLE token_uses (id int PRIMARY KEY, token_id int REFERENCES tokens ON DELETE CASCADE);
CREATE TABLE token_use_notes (id int PRIMARY KEY, use_id int REFERENCES token_uses ON DELETE CASCADE);
CREATE TABLE token_audits (id int PRIMARY KEY, token_id int REFERENCES tokens ON DELETE SET NULL);
INSERT INTO token_uses VALUES (1, 1), (2, 3), (3, 4), (4, 4);
INSERT INTO token_use_notes VALUES (1, 3), (2, 4), (3, 1);
INSERT INTO token_audits VALUES (1, 4), (2, 2);
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'delete');
BEGIN;
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'delete', allow_cascade => true) \gexec
SELECT (SELECT count(*) FROM tokens) AS tokens, (SELECT count(*) FROM token_uses) AS uses,
       (SELECT count(*) FROM token_use_notes) AS notes, (SELECT count(*) FROM token_audits WHERE token_id IS NULL) AS audits_nulled;
ROLLBACK;

-- Hostile names stay names: quotes, a newline, a dollar-quote tag, a comment
-- opener and a semicolon in the schema, table and column names.
CREATE SCHEMA "evil'; --";
CREATE TABLE "evil'; --"."t$fk_guard$ */" (id int PRIMARY KEY, "c
DROP TABLE story.users; --" text);
INSERT INTO "evil'; --"."t$fk_guard$ */" VALUES (1, '1'), (2, 'x');
SELECT fk_guard.fix_plan('"evil''; --"."t$fk_guard$ */"', E'c\nDROP TABLE story.users; --', 'users') \gexec
SELECT fk_guard.fix_plan('"evil''; --"."t$fk_guard$ */"', E'c\nDROP TABLE story.users; --', 'users', on_unconvertible => 'null') \gexec
SELECT * FROM "evil'; --"."t$fk_guard$ */" ORDER BY id;
SELECT count(*) AS users_still_there FROM users;
DROP SCHEMA "evil'; --" CASCADE;

-- map takes the column that holds the most values, not the first that holds
-- any: squads.nickname holds 1 of the 3 codes, squads.code all 3.
CREATE TABLE squads (id int PRIMARY KEY, nickname text, code text UNIQUE);
INSERT INTO squads VALUES (1, 'c2', 'c1'), (2, NULL, 'c2'), (3, NULL, 'c3');
CREATE TABLE squad_badges (id int PRIMARY KEY, squad_code text);
INSERT INTO squad_badges VALUES (1, 'c1'), (2, 'c2'), (3, 'c3');
SELECT line FROM regexp_split_to_table(fk_guard.fix_plan('squad_badges', 'squad_code', 'squads', 'id', on_unconvertible => 'map'), '\n') line
WHERE line LIKE '-- story.squads.%';

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA story CASCADE;
DROP ROLE fk_guard_reader;
