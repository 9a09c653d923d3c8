-- While an ALTER TABLE runs, Citus shows no rows of its tables to a check:
-- the guard never describes their data as read (no "is empty", no "USING NULL"
-- that would wipe every value), it says the data was not profiled.
CREATE SCHEMA prof;
SET search_path = prof;
CREATE TABLE users (id int PRIMARY KEY);
SELECT create_reference_table('prof.users');
INSERT INTO users SELECT g FROM generate_series(1, 5) g;

-- A distributed table full of rows.
CREATE TABLE sessions (id int, "userId" uuid, user_code text);
SELECT create_distributed_table('prof.sessions', 'id');
INSERT INTO sessions SELECT g, gen_random_uuid(), g::text FROM generate_series(1, 20) g;
ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users(id);
ALTER TABLE sessions ADD FOREIGN KEY (user_code) REFERENCES users(id);
-- A conversion no cast can do, on a column whose name points at users.
ALTER TABLE sessions ADD COLUMN user_id uuid;
UPDATE sessions SET user_id = md5(id::text)::uuid;
ALTER TABLE sessions ALTER COLUMN user_id TYPE integer;

-- A reference table and a Citus local table with rows.
CREATE TABLE audit (id int PRIMARY KEY, "userId" uuid);
SELECT create_reference_table('prof.audit');
INSERT INTO audit VALUES (1, gen_random_uuid());
ALTER TABLE audit ADD FOREIGN KEY ("userId") REFERENCES users(id);
CREATE TABLE notes (id int PRIMARY KEY, "userId" uuid);
SELECT citus_add_local_table_to_metadata('prof.notes');
INSERT INTO notes VALUES (1, gen_random_uuid());
ALTER TABLE notes ADD FOREIGN KEY ("userId") REFERENCES users(id);

-- Nothing was lost: every row still has its value.
SELECT count("userId") AS sessions_with_user FROM sessions;
SELECT count("userId") AS audit_with_user FROM audit;
SELECT count("userId") AS notes_with_user FROM notes;

-- A PostgreSQL table on the same node is still profiled as always.
CREATE TABLE plain_users (id int PRIMARY KEY);
CREATE TABLE plain_sessions (id int, "userId" uuid);
ALTER TABLE plain_sessions ADD FOREIGN KEY ("userId") REFERENCES plain_users(id);
INSERT INTO plain_sessions VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
ALTER TABLE plain_sessions ADD FOREIGN KEY ("userId") REFERENCES plain_users(id);
RESET search_path;
