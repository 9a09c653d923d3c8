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

-- delete: deleting the rows that reference no key changes other tables'
-- rows only through ON DELETE CASCADE, SET NULL or SET DEFAULT. A table
-- that references those rows ON DELETE RESTRICT does not stop the plan; one
-- with ON DELETE CASCADE does.
CREATE TABLE lots (id integer PRIMARY KEY);
CREATE TABLE lot_items (id int PRIMARY KEY, lot_id integer);
INSERT INTO lots VALUES (1);
INSERT INTO lot_items VALUES (1, 1), (2, 99);
ALTER TABLE lot_items ADD FOREIGN KEY (lot_id) REFERENCES lots NOT VALID;
CREATE TABLE lot_item_notes (item_id int REFERENCES lot_items ON DELETE RESTRICT);
SELECT fk_guard.change_key_type_plan('lots', 'id', 'uuid', on_unconvertible => 'delete') IS NOT NULL AS planned;
CREATE TABLE lot_item_links (item_id int REFERENCES lot_items ON DELETE CASCADE);
SELECT fk_guard.change_key_type_plan('lots', 'id', 'uuid', on_unconvertible => 'delete');
DROP TABLE lot_item_links, lot_item_notes, lot_items, lots;

-- Implied references (by name) follow when asked.
CREATE TABLE shops (id integer PRIMARY KEY);
CREATE TABLE orders (id int, shop_id integer);
INSERT INTO shops VALUES (7);
INSERT INTO orders VALUES (1, 7);
SELECT fk_guard.change_key_type_plan('shops', 'id', 'bigint', include_implied => true);
-- Without a cast, an implied column follows only when it holds the key's own
-- values: orders.shop_id does; visits.shop_id is uuid already, so the plan
-- names it in its header and leaves it alone (it would compare uuid with
-- integer otherwise).
CREATE TABLE visits (id int, shop_id uuid);
INSERT INTO visits VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
SELECT line FROM regexp_split_to_table(fk_guard.change_key_type_plan('shops', 'id', 'uuid', include_implied => true), E'\n') line
  WHERE line LIKE '%visits%' OR line LIKE '%orders%';
SELECT fk_guard.change_key_type_plan('shops', 'id', 'uuid', include_implied => true) \gexec
SELECT pg_typeof(o.shop_id) AS order_type, o.shop_id = s.id AS order_follows FROM orders o, shops s;
SELECT pg_typeof(shop_id) AS visit_type, shop_id FROM visits;
DROP TABLE visits;

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

-- Online mode (online => true): five phases, run one by one (psql's \gexec
-- sends each statement alone, outside a transaction block, so CREATE INDEX
-- CONCURRENTLY and the backfill's COMMITs run), with writes between them
-- that the triggers must carry across. Each phase starts with a "Phase N of
-- 5" line and each statement with a "Step N:" line.
CREATE FUNCTION phase(plan text, n int) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT s FROM regexp_split_to_table((regexp_split_to_array(plan, '\n(?=-- Phase \d of 5:)'))[n + 1],
                                      '\n(?=-- Step \d+:)') s
   WHERE s ~ '\n[^-]' $$;

-- Three tables reference users.id: itself (manager_id), posts (NOT NULL,
-- indexed, cascades) and likes (deferrable, nullable).
CREATE FUNCTION setup_online() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL client_min_messages = warning;
  DROP TABLE IF EXISTS events, likes, posts, users CASCADE;
  CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, manager_id integer REFERENCES users ON DELETE SET NULL);
  CREATE TABLE posts (id int PRIMARY KEY, author_id integer NOT NULL REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE);
  CREATE TABLE likes (post_id int REFERENCES posts ON DELETE CASCADE, user_id integer,
    CONSTRAINT likes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL DEFERRABLE INITIALLY DEFERRED);
  CREATE INDEX posts_author_idx ON posts (author_id);
  INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 30) g;
  UPDATE users SET manager_id = 1 + id % 4 WHERE id > 4;
  INSERT INTO posts SELECT g, 1 + g % 30 FROM generate_series(1, 60) g;
  INSERT INTO likes SELECT g, 1 + (g * 7) % 30 FROM generate_series(1, 60) g;
  INSERT INTO likes VALUES (1, NULL);
END $$;

CREATE FUNCTION relationships_online() RETURNS TABLE (rel text, row_id text, email text) LANGUAGE sql AS $$
  SELECT 'manager', u.email, m.email FROM users u LEFT JOIN users m ON m.id = u.manager_id
  UNION ALL SELECT 'post', p.id::text, u.email FROM posts p JOIN users u ON u.id = p.author_id
  UNION ALL SELECT 'like', l.post_id::text || '/' || count(*) OVER (PARTITION BY l.post_id, u.email), u.email
              FROM likes l LEFT JOIN users u ON u.id = l.user_id
  ORDER BY 1, 2, 3 $$;

-- What else the swap must keep: columns, NOT NULL, indexes and the key.
CREATE FUNCTION shape() RETURNS TABLE (what text) LANGUAGE sql AS $$
  SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'kp'::regnamespace AND c.relname IN ('users', 'posts', 'likes') AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT indexrelid::regclass::text || ': ' || regexp_replace(pg_get_indexdef(indexrelid), ' ON .*USING', ' USING')
    FROM pg_index WHERE indrelid IN ('users'::regclass, 'posts'::regclass, 'likes'::regclass)
  UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgrelid IN ('users'::regclass, 'posts'::regclass, 'likes'::regclass) AND NOT tgisinternal
  UNION ALL SELECT 'check ' || conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'kp'::regnamespace
  ORDER BY 1 $$;

-- integer -> bigint online.
SELECT setup_online();
CREATE TEMP TABLE shape_before AS SELECT * FROM shape();
CREATE TEMP TABLE keys_before AS SELECT * FROM keys();
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => true, batch_size => 7, batch_pause => '0') AS plan \gset
SELECT regexp_replace(:'plan', '\n(?!-- )[^\n]*|\n-- Step [^\n]*', '', 'g') AS plan_outline;
SELECT phase(:'plan', 1) \gexec
-- Writes after phase 1: the triggers fill the new columns.
INSERT INTO users (email, manager_id) VALUES ('new1@example.com', 3), ('gone@example.com', 4);
INSERT INTO posts VALUES (100, (SELECT id FROM users WHERE email = 'new1@example.com'));
INSERT INTO posts VALUES (101, (SELECT id FROM users WHERE email = 'gone@example.com'));
UPDATE posts SET author_id = 5 WHERE id = 1;
UPDATE users SET manager_id = NULL WHERE id = 6;
SELECT phase(:'plan', 2) \gexec
-- Writes between the backfill and the indexes (a delete cascades); the backfill runs again.
INSERT INTO likes VALUES (2, (SELECT id FROM users WHERE email = 'new1@example.com'));
DELETE FROM users WHERE email = 'gone@example.com';
SELECT phase(:'plan', 2) \gexec
SELECT phase(:'plan', 3) \gexec
SELECT phase(:'plan', 4) \gexec
-- Phase 4 again: every statement is guarded.
SELECT phase(:'plan', 4) \gexec
INSERT INTO users (email, manager_id) VALUES ('new2@example.com', 1);
UPDATE likes SET user_id = 2 WHERE post_id = 3;
CREATE TEMP TABLE before AS SELECT * FROM relationships_online();
SELECT phase(:'plan', 5) \gexec
-- The swap again does nothing.
SELECT phase(:'plan', 5) \gexec
SELECT count(*) AS relationships, (SELECT count(*) FROM ((SELECT * FROM before EXCEPT SELECT * FROM relationships_online()) UNION ALL (SELECT * FROM relationships_online() EXCEPT SELECT * FROM before)) d) AS relationships_changed FROM before;
SELECT (SELECT count(*) FROM keys()) AS keys, count(*) FILTER (WHERE NOT validated) AS not_valid FROM keys();
SELECT k.conname FROM keys_before k FULL JOIN keys() n USING (conname, definition) WHERE k.conname IS NULL OR n.conname IS NULL;
SELECT * FROM shape() EXCEPT SELECT * FROM shape_before ORDER BY 1;
SELECT * FROM shape_before EXCEPT SELECT * FROM shape() ORDER BY 1;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'p';
SELECT seqtypid::regtype, pg_get_serial_sequence('kp.users', 'id') FROM pg_sequence WHERE seqrelid = 'users_id_seq'::regclass;
INSERT INTO users (email) VALUES ('after@example.com') RETURNING id > (SELECT max(id) FROM users WHERE email <> 'after@example.com') AS sequence_goes_on;
DROP TABLE before, keys_before, shape_before;

-- integer -> uuid online: each key gets a new uuid once, every reference
-- follows its key.
SELECT setup_online();
CREATE TEMP TABLE shape_before AS SELECT * FROM shape();
CREATE TEMP TABLE keys_before AS SELECT * FROM keys();
SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid', online => true, batch_size => 7, batch_pause => '0') AS plan \gset
SELECT phase(:'plan', 1) \gexec
INSERT INTO users (email, manager_id) VALUES ('new1@example.com', 3);
INSERT INTO posts VALUES (100, (SELECT id FROM users WHERE email = 'new1@example.com'));
UPDATE posts SET author_id = 5 WHERE id = 1;
UPDATE users SET manager_id = NULL WHERE id = 6;
SELECT phase(:'plan', 2) \gexec
INSERT INTO likes VALUES (2, (SELECT id FROM users WHERE email = 'new1@example.com'));
INSERT INTO users (email, manager_id) VALUES ('new2@example.com', (SELECT id FROM users WHERE email = 'new1@example.com'));
SELECT phase(:'plan', 3) \gexec
SELECT phase(:'plan', 4) \gexec
UPDATE likes SET user_id = 2 WHERE post_id = 3;
CREATE TEMP TABLE before AS SELECT * FROM relationships_online();
SELECT phase(:'plan', 5) \gexec
SELECT count(*) AS relationships, (SELECT count(*) FROM ((SELECT * FROM before EXCEPT SELECT * FROM relationships_online()) UNION ALL (SELECT * FROM relationships_online() EXCEPT SELECT * FROM before)) d) AS relationships_changed FROM before;
SELECT (SELECT count(*) FROM keys()) AS keys, count(*) FILTER (WHERE NOT validated) AS not_valid FROM keys();
SELECT k.conname FROM keys_before k FULL JOIN keys() n USING (conname, definition) WHERE k.conname IS NULL OR n.conname IS NULL;
SELECT * FROM shape() EXCEPT SELECT * FROM shape_before ORDER BY 1;
SELECT * FROM shape_before EXCEPT SELECT * FROM shape() ORDER BY 1;
SELECT pg_get_expr(adbin, adrelid) AS new_default FROM pg_attrdef WHERE adrelid = 'users'::regclass;
SELECT count(DISTINCT id) AS distinct_new_keys, count(*) AS users FROM users;
DROP TABLE before, keys_before, shape_before;

-- An identity key online: the new column goes on from the old one's last value.
CREATE TABLE crews (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
CREATE TABLE sailors (crew_id integer REFERENCES crews);
INSERT INTO crews (name) VALUES ('a'), ('b');
INSERT INTO sailors VALUES (1), (2), (2);
SELECT fk_guard.change_key_type_plan('crews', 'id', 'bigint', online => true, batch_pause => '0') AS plan \gset
SELECT s FROM generate_series(1, 5) n, phase(:'plan', n) s \gexec
SELECT format_type(atttypid, atttypmod), attidentity FROM pg_attribute WHERE attrelid = 'crews'::regclass AND attname = 'id';
INSERT INTO crews (name) VALUES ('c') RETURNING id;
SELECT count(*) FROM sailors JOIN crews ON crews.id = sailors.crew_id;

-- What online mode cannot carry is refused with the reason and the offline way.
SELECT setup();
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => true);
DROP TABLE events;
CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (a int, b int, FOREIGN KEY (a, b) REFERENCES pairs);
SELECT fk_guard.change_key_type_plan('pairs', 'a', 'bigint', online => true);
CREATE TABLE single_pairs (a int UNIQUE);
CREATE TABLE pair_a_refs (a int, b int, FOREIGN KEY (a) REFERENCES single_pairs (a), FOREIGN KEY (a, b) REFERENCES pairs);
SELECT fk_guard.change_key_type_plan('single_pairs', 'a', 'bigint', online => true);
ALTER TABLE posts ALTER COLUMN author_id SET DEFAULT 1;
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => true);
ALTER TABLE posts ALTER COLUMN author_id DROP DEFAULT;
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => true, include_implied => true);
SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid', online => true, on_unconvertible => 'null');
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => true, batch_size => 0);
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => true, batch_pause => '-1 s');
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint', online => NULL);

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA kp CASCADE;
