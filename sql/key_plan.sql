-- change_key_type_plan(): a key's type changed together with every column
-- that references it; after each plan, every relationship is the same row
-- for row (checked through users.email), every key is valid, and each
-- foreign key keeps its definition.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA kp;
SET search_path = kp, public;

CREATE FUNCTION setup() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE IF EXISTS events, likes, posts, users CASCADE;
  CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, manager_id integer REFERENCES users ON DELETE SET NULL);
  CREATE TABLE posts (id int PRIMARY KEY, author_id integer NOT NULL REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE);
  CREATE TABLE likes (post_id int REFERENCES posts, user_id integer,
    CONSTRAINT likes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED);
  CREATE TABLE events (id int, user_id integer REFERENCES users, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE INDEX ON posts (author_id);
  INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 5) g;
  UPDATE users SET manager_id = 1 WHERE id > 1;
  INSERT INTO posts SELECT g, 1 + g % 5 FROM generate_series(1, 10) g;
  INSERT INTO likes SELECT g, 1 + (g * 3) % 5 FROM generate_series(1, 10) g;
  INSERT INTO likes VALUES (1, NULL);
  INSERT INTO events SELECT g, 1 + g % 5, '2024-03-01' FROM generate_series(1, 6) g;
END $$;

SELECT setup();

-- Every relationship, through the email of the user it points at.
CREATE FUNCTION relationships() RETURNS TABLE (rel text, row_id text, email text) LANGUAGE sql AS $$
  SELECT 'manager', u.email, m.email FROM users u LEFT JOIN users m ON m.id = u.manager_id
  UNION ALL SELECT 'post', p.id::text, u.email FROM posts p JOIN users u ON u.id = p.author_id
  UNION ALL SELECT 'like', l.post_id::text, u.email FROM likes l LEFT JOIN users u ON u.id = l.user_id
  UNION ALL SELECT 'event', e.id::text, u.email FROM events e JOIN users u ON u.id = e.user_id
  ORDER BY 1, 2, 3 $$;

CREATE FUNCTION keys() RETURNS TABLE (conname name, definition text, validated boolean) LANGUAGE sql AS $$
  SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint
   WHERE contype = 'f' AND connamespace = 'kp'::regnamespace AND conparentid = 0 ORDER BY 1 $$;

CREATE FUNCTION types() RETURNS TABLE (col text, type text) LANGUAGE sql AS $$
  SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'kp'::regnamespace AND c.relkind IN ('r', 'p')
     AND a.attname IN ('id', 'manager_id', 'author_id', 'user_id') AND a.attnum > 0 ORDER BY 1 $$;

-- integer -> bigint: a cast exists; the serial sequence follows.
SELECT setup();
CREATE TEMP TABLE before AS SELECT * FROM relationships();
CREATE TEMP TABLE keys_before AS SELECT * FROM keys();
BEGIN;
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint') \gexec
COMMIT;
SELECT * FROM types();
SELECT seqtypid::regtype, seqmax FROM pg_sequence WHERE seqrelid = 'users_id_seq'::regclass;
SELECT count(*) AS relationships_changed FROM ((SELECT * FROM before EXCEPT SELECT * FROM relationships()) UNION ALL (SELECT * FROM relationships() EXCEPT SELECT * FROM before)) d;
SELECT (SELECT count(*) FROM keys()) AS keys, count(*) FILTER (WHERE NOT validated) AS not_valid FROM keys();
SELECT k.conname FROM keys_before k FULL JOIN keys() n USING (conname, definition) WHERE k.conname IS NULL OR n.conname IS NULL;
SELECT count(*) AS indexes_on_author_id FROM pg_index WHERE indrelid = 'posts'::regclass AND indkey[0] = 2;
DROP TABLE before, keys_before;

-- integer -> uuid: no cast; every key gets a new uuid and every reference
-- follows it, row for row.
SELECT setup();
CREATE TEMP TABLE before AS SELECT * FROM relationships();
CREATE TEMP TABLE keys_before AS SELECT * FROM keys();
BEGIN;
SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid') \gexec
COMMIT;
SELECT * FROM types();
SELECT count(*) AS relationships_changed FROM ((SELECT * FROM before EXCEPT SELECT * FROM relationships()) UNION ALL (SELECT * FROM relationships() EXCEPT SELECT * FROM before)) d;
SELECT (SELECT count(*) FROM keys()) AS keys, count(*) FILTER (WHERE NOT validated) AS not_valid FROM keys();
SELECT k.conname FROM keys_before k FULL JOIN keys() n USING (conname, definition) WHERE k.conname IS NULL OR n.conname IS NULL;
SELECT pg_get_expr(adbin, adrelid) AS new_default FROM pg_attrdef WHERE adrelid = 'users'::regclass;
SELECT count(DISTINCT id) AS distinct_new_keys FROM users;
DROP TABLE before, keys_before;

-- An identity key: its sequence follows by itself.
CREATE TABLE teams (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
CREATE TABLE members (team_id integer REFERENCES teams MATCH FULL ON DELETE RESTRICT);
INSERT INTO teams (name) VALUES ('a'), ('b');
INSERT INTO members VALUES (1), (2), (2);
BEGIN;
SELECT fk_guard.change_key_type_plan('teams', 'id', 'bigint') \gexec
COMMIT;
SELECT seqtypid::regtype FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('kp.teams', 'id')::regclass;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'members'::regclass;
SELECT count(*) FROM members JOIN teams ON teams.id = members.team_id;

-- References to no key (a key added NOT VALID): fail stops, null sets them to NULL.
CREATE TABLE codes (id integer PRIMARY KEY);
CREATE TABLE tagged (id int, code_id integer);
INSERT INTO codes VALUES (1), (2);
INSERT INTO tagged VALUES (1, 1), (2, 99);
ALTER TABLE tagged ADD CONSTRAINT tagged_code_fk FOREIGN KEY (code_id) REFERENCES codes NOT VALID;
BEGIN;
SELECT fk_guard.change_key_type_plan('codes', 'id', 'uuid') \gexec
ROLLBACK;
BEGIN;
SELECT fk_guard.change_key_type_plan('codes', 'id', 'uuid', on_unconvertible => 'null') \gexec
SELECT id, code_id IS NULL AS lost, code_id = (SELECT c.id FROM codes c ORDER BY c.id LIMIT 1) OR code_id IN (SELECT id FROM codes) AS references_a_key FROM tagged ORDER BY id;
SELECT pg_get_constraintdef(oid), convalidated FROM pg_constraint WHERE conname = 'tagged_code_fk';
ROLLBACK;

-- Implied references (by name) follow when asked.
CREATE TABLE shops (id integer PRIMARY KEY);
CREATE TABLE orders (id int, shop_id integer);
INSERT INTO shops VALUES (7);
INSERT INTO orders VALUES (1, 7);
SELECT fk_guard.change_key_type_plan('shops', 'id', 'bigint', include_implied => true);

-- What cannot be planned is refused with the reason.
CREATE TABLE slugs (slug text PRIMARY KEY);
INSERT INTO slugs VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('not-a-uuid');
SELECT fk_guard.change_key_type_plan('slugs', 'slug', 'uuid');
SELECT fk_guard.change_key_type_plan('codes', 'id', 'date');
SELECT fk_guard.change_key_type_plan('codes', 'id', 'uuid', new_key_expression => 'gen_random_uuid()); DROP TABLE codes; --');
SELECT fk_guard.change_key_type_plan('codes', 'id', 'uuid', on_unconvertible => 'map');
SELECT fk_guard.change_key_type_plan('codes', 'id', 'integer');
CREATE VIEW code_view AS SELECT id FROM codes;
SELECT fk_guard.change_key_type_plan('codes', 'id', 'bigint');
SELECT fk_guard.change_key_type_plan('codes', 'id', NULL);

-- The guard names change_key_type_plan() where changing the key is the way:
-- a surrogate key (serial) referenced by a wider column.
CREATE TABLE accounts (id serial PRIMARY KEY);
CREATE TABLE transfers (id int, account_id bigint);
ALTER TABLE transfers ADD FOREIGN KEY (account_id) REFERENCES accounts;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA kp CASCADE;
