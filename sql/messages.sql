-- Messages that fit the case and the tool: each statement exactly as the
-- tool sends it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA msg;
SET search_path = msg, public;
CREATE TABLE users (id integer PRIMARY KEY, legacy_uuid uuid UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
CREATE TABLE app_session (id serial PRIMARY KEY, user_id uuid);
CREATE TABLE "Post" (id text PRIMARY KEY, "authorId" uuid);

-- Sequelize v6 changeColumn with references: the double space.
ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");
-- TypeORM names keys FK_<27 hex>.
ALTER TABLE "sessions" ADD CONSTRAINT "FK_57de40bc620f456c7311aa3a1e6" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
-- Rails: fk_rails_<10 hex>.
ALTER TABLE "sessions" ADD CONSTRAINT "fk_rails_758836b4f0"
FOREIGN KEY ("userId")
  REFERENCES "users" ("id")
;
-- Django: <table>_<column>_<8 hex>_fk_<table>_<column>, deferrable.
ALTER TABLE "app_session" ADD CONSTRAINT "app_session_user_id_c5a5b1a0_fk_users_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") DEFERRABLE INITIALLY DEFERRED;
-- Prisma: "<Table>_<column>_fkey" with ON DELETE RESTRICT ON UPDATE CASCADE.
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- knex (and Laravel): <table>_<column>_foreign, lower case.
alter table "sessions" add constraint "sessions_userid_foreign" foreign key ("userId") references "users" ("id");
-- Django names a key it adds back after AlterField changed the key it
-- points at <table>_<column>_<8 hex>_fk.
ALTER TABLE "app_session" ADD CONSTRAINT "app_session_user_id_c5a5b1a0_fk" FOREIGN KEY ("user_id") REFERENCES "users" ("id") DEFERRABLE INITIALLY DEFERRED;
-- Alembic (SQLAlchemy): FOREIGN KEY( with no space, names quoted only where needed.
ALTER TABLE sessions ADD FOREIGN KEY("userId") REFERENCES users (id);
-- Plain SQL: no tool is named.
ALTER TABLE sessions ADD CONSTRAINT sessions_user FOREIGN KEY ("userId") REFERENCES users (id);
-- The note spells the referenced key's type as the tool does: a bigint key
-- (Rails), a uuid key (Prisma).
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE devices (id uuid PRIMARY KEY);
CREATE TABLE carts (id int PRIMARY KEY, account_id uuid, device_id integer);
ALTER TABLE "carts" ADD CONSTRAINT "fk_rails_3b4c7e1d2a"
FOREIGN KEY ("account_id")
  REFERENCES "accounts" ("id")
;
ALTER TABLE "carts" ADD CONSTRAINT "carts_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- node-pg-migrate names a key <table>_fk_<columns>; a hand-written name
-- with _fk_ in it is no tool's.
ALTER TABLE "carts"
  ADD CONSTRAINT "carts_fk_account_id" FOREIGN KEY ("account_id") REFERENCES accounts(id);
ALTER TABLE carts ADD CONSTRAINT carts_fk_accounts FOREIGN KEY (account_id) REFERENCES accounts (id);
-- Hibernate: "FK" and an MD5 in base 35, 24 digits for about 1 name in 30.
alter table if exists carts add constraint FKdgopp1hqnm8c1o6sfbb3tbeh foreign key (device_id) references devices;

-- Arrays, composites and documents: a foreign key compares whole values, so
-- no conversion is proposed (Hibernate with an array type).
CREATE TABLE regions (name varchar(255) PRIMARY KEY);
CREATE TABLE stations (id int PRIMARY KEY, regions text[], place jsonb);
INSERT INTO stations VALUES (1, '{"Lazio 1"}', '{"region": "Lazio 1"}');
alter table if exists stations add constraint FKrjw9o2b6sa6yq1s58pq3rykfy foreign key (regions) references regions;
alter table if exists stations add constraint FKq0p9t5j3cd2s8ow6bdoxn2yoh foreign key (place) references regions;
SELECT fk_guard.fix_plan('stations', 'regions', 'regions');

-- The fix keeps the name the tool asked for (TypeORM compares names).
INSERT INTO users VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
INSERT INTO sessions VALUES ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
ALTER TABLE "sessions" ADD CONSTRAINT "FK_57de40bc620f456c7311aa3a1e6" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', 'id', on_unconvertible => 'map', constraint_name => 'FK_57de40bc620f456c7311aa3a1e6') \gexec
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'f';
ROLLBACK;

-- Values that convert but match no key are counted, with samples, and the
-- HINT offers the choices (ora2pg: a bigint referencing a varchar code).
CREATE TABLE countries (code varchar(3) PRIMARY KEY);
INSERT INTO countries VALUES ('1'), ('2'), ('44');
CREATE TABLE orders (id int PRIMARY KEY, country_id bigint);
INSERT INTO orders VALUES (1, 1), (2, 2), (3, 44), (4, 99), (5, NULL);
ALTER TABLE orders ADD CONSTRAINT fk_orders_country FOREIGN KEY (country_id) REFERENCES countries(code) ON DELETE NO ACTION NOT DEFERRABLE INITIALLY IMMEDIATE;
-- Every value matches: the DETAIL says so.
DELETE FROM orders WHERE id = 4;
ALTER TABLE orders ADD CONSTRAINT fk_orders_country FOREIGN KEY (country_id) REFERENCES countries(code) ON DELETE NO ACTION NOT DEFERRABLE INITIALLY IMMEDIATE;

-- A type change across tables: the statements for every table, in order, and
-- they work (Prisma sends a migration as one query string, the key first).
CREATE TABLE "User" (id text PRIMARY KEY);
CREATE TABLE "Author" (id text PRIMARY KEY, "userId" text, CONSTRAINT "Author_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"(id) ON DELETE RESTRICT ON UPDATE CASCADE);
CREATE TABLE "Comment" (id text PRIMARY KEY, "userId" text REFERENCES "User"(id) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO "User" VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
INSERT INTO "Author" VALUES ('p1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
INSERT INTO "Comment" VALUES ('c1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
ALTER TABLE "User" ALTER COLUMN "id" SET DATA TYPE UUID USING "id"::uuid \; ALTER TABLE "Author" ALTER COLUMN "userId" SET DATA TYPE UUID USING "userId"::uuid;
-- The referencing column alone: which key it references and what must change there.
ALTER TABLE "Author" ALTER COLUMN "userId" TYPE uuid USING "userId"::uuid;
-- Run the statements the HINT gives (without its BEGIN/COMMIT: DO is one transaction).
CREATE FUNCTION pg_temp.run_hint(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  EXECUTE stmt;
  RAISE EXCEPTION 'no refusal';
EXCEPTION WHEN datatype_mismatch THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  h := substring(h FROM 'Run, in this order: BEGIN; (.*) COMMIT;$');
  EXECUTE h;
END $$;
BEGIN;
SELECT pg_temp.run_hint($$ALTER TABLE "User" ALTER COLUMN "id" SET DATA TYPE UUID USING "id"::uuid$$);
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relname IN ('User', 'Author', 'Comment') AND a.attname IN ('id', 'userId') AND c.relnamespace = 'msg'::regnamespace ORDER BY 1, 2;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN ('"Author"'::regclass, '"Comment"'::regclass) AND contype = 'f' ORDER BY 1;
ROLLBACK;
BEGIN;
SELECT pg_temp.run_hint($$ALTER TABLE "Author" ALTER COLUMN "userId" TYPE uuid USING "userId"::uuid$$);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN ('"Author"'::regclass, '"Comment"'::regclass) AND contype = 'f' ORDER BY 1;
ROLLBACK;

-- A conversion no cast can do, on a key column: the guard answers before
-- PostgreSQL's "cannot cast type uuid to integer", with the data and the way.
INSERT INTO sessions VALUES ('s2', NULL), ('s3', 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13');
-- knex .alter()
alter table "sessions" alter column "userId" type integer using ("userId"::integer);
-- Django AlterField
ALTER TABLE "app_session" ALTER COLUMN "user_id" TYPE integer USING "user_id"::integer;
-- Django's tables are <app>_<model>: shop_session."userId" holds keys of shop_user.
CREATE TABLE shop_user (id serial PRIMARY KEY);
CREATE TABLE shop_session (id serial PRIMARY KEY, "userId" uuid);
INSERT INTO shop_session ("userId") VALUES ('c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13');
ALTER TABLE "shop_session" ALTER COLUMN "userId" TYPE integer USING "userId"::integer;
SELECT source, referencing_table, referencing_column, referenced_table, referenced_column, kind
  FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'shop_session'::regclass;
-- A reference leaving its key's type, as a tool sends a key type change
-- column by column (Alembic autogenerate: the references first): the
-- key's own change is named too.
CREATE TABLE shop_order (id serial PRIMARY KEY, buyer_id integer REFERENCES shop_user);
INSERT INTO shop_user DEFAULT VALUES;
INSERT INTO shop_order (buyer_id) VALUES (1);
ALTER TABLE shop_order ALTER COLUMN buyer_id TYPE UUID ;
-- Sequelize changeColumn() without references: no USING, one query string.
ALTER TABLE "sessions" ALTER COLUMN "userId" DROP NOT NULL\;ALTER TABLE "sessions" ALTER COLUMN "userId" DROP DEFAULT\;ALTER TABLE "sessions" ALTER COLUMN "userId" TYPE INTEGER;
-- Rails change_column: every name quoted, lower-case type, no USING.
ALTER TABLE "sessions" ALTER COLUMN "userId" TYPE integer;
-- Laravel ->change() through Doctrine DBAL: ALTER without COLUMN, upper-case type.
ALTER TABLE sessions ALTER "userId" TYPE INT;
-- Not a key column: PostgreSQL's own error.
CREATE TABLE notes (body uuid);
ALTER TABLE notes ALTER COLUMN body TYPE integer USING body::integer;
-- A cast exists: PostgreSQL's to judge.
ALTER TABLE app_session ALTER COLUMN user_id TYPE text USING user_id::text;

-- A surrogate key to uuid under integer references, as Rails' change_column
-- sends it: no cast for the referencing columns; the HINT names
-- change_key_type_plan(), which does it all.
CREATE TABLE members (id serial PRIMARY KEY);
CREATE TABLE member_posts (member_id integer REFERENCES members);
CREATE TABLE member_likes (member_id integer REFERENCES members);
ALTER TABLE "members" ALTER COLUMN "id" TYPE uuid;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA msg CASCADE;
