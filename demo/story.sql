-- The story from the README (a Sequelize changeColumn that sends only ADD
-- FOREIGN KEY), replayed on a throwaway cluster.
\set ON_ERROR_STOP 0
\pset null '(null)'
CREATE EXTENSION pg_fk_guard;

CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, legacy_uuid uuid UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid, expires timestamptz);
INSERT INTO users (email, legacy_uuid)
SELECT 'user' || g || '@example.com', gen_random_uuid() FROM generate_series(1, 5) g;
INSERT INTO sessions
SELECT 's' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE (SELECT legacy_uuid FROM users WHERE id = 1 + g % 5) END,
       now() + interval '1 day'
FROM generate_series(1, 9) g;

-- Neighbouring tables with foreign keys PostgreSQL accepted without a word.
CREATE TABLE invoices (id bigserial PRIMARY KEY, "userId" integer REFERENCES users);
CREATE TABLE payments (id serial PRIMARY KEY, "invoiceId" integer REFERENCES invoices);
CREATE TABLE audit_days (day timestamptz PRIMARY KEY);
CREATE TABLE audit_entries (id serial PRIMARY KEY, day timestamp REFERENCES audit_days);
CREATE TABLE coupons (code varchar(255) PRIMARY KEY);
CREATE TABLE redemptions (id serial PRIMARY KEY, coupon varchar(36) REFERENCES coupons);

\echo
\echo '== What Sequelize v6 sends for changeColumn(..., {type: INTEGER, references: ...}) =='
\echo 'ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");'
ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");

\echo
\echo '== Why: the verdict engine on that pair =='
\x on
SELECT * FROM fk_guard.classify_key_pair('uuid', 'integer');
\x off

\echo
\echo '== Every key pair whose column types do not match, declared or implied by its name =='
SELECT source, constraint_name, referencing_table AS "table", referencing_column AS "column",
       referencing_type, referenced_table, referenced_type, kind, severity
FROM fk_guard.diagnose_fk_mismatches();

\echo
\echo '== What the story''s column holds =='
\x on
SELECT * FROM fk_guard.profile_column('sessions', 'userId', 'integer', 'users');
\x off

\echo
\echo '== The explanation and the fix for one of them =='
\x on
SELECT detail, suggested_fix FROM fk_guard.diagnose_fk_mismatches()
WHERE constraint_name = 'payments_invoiceId_fkey';
\x off

\echo
\echo '== The repair: a fix plan that maps the uuids through users.legacy_uuid =='
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'map') AS plan \gset
\echo :plan
BEGIN;
:plan
COMMIT;

\echo
\echo '== After the repair =='
SELECT s.sid, s."userId", u.email FROM sessions s LEFT JOIN users u ON u.id = s."userId" ORDER BY s.sid;
SELECT count(*) AS mismatches_left_on_sessions FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table = 'sessions'::regclass;
