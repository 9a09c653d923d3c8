-- A key column whose foreign keys the same transaction dropped first, as a
-- tool that changes a key's type does (Django drops the keys that reference
-- the key, then converts it): no cast converts it, and the guard names the
-- keys that were dropped and the plan that changes the key with them.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA dropped;
SET search_path = dropped, public;

CREATE TABLE shop_user (id serial PRIMARY KEY, email text);
CREATE TABLE shop_session (id serial PRIMARY KEY, user_id integer REFERENCES shop_user);
CREATE TABLE shop_order (id serial PRIMARY KEY,
  buyer_id integer CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id REFERENCES shop_user);
CREATE TABLE "Audit" (id serial, "actorId" integer, CONSTRAINT "Audit actor" FOREIGN KEY ("actorId") REFERENCES shop_user);
INSERT INTO shop_user (email) VALUES ('ada@example.com'), ('bob@example.com');
INSERT INTO shop_session (user_id) VALUES (1), (2), (2);

-- What Django 3.2 sends for AutoField -> UUIDField on the key, with USING
-- (42846) and, as other tools send it, without (42804).
BEGIN;
SET CONSTRAINTS "shop_order_buyer_id_cffd21d9_fk_shop_user_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_buyer_id_cffd21d9_fk_shop_user_id";
ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey;
ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor";
ALTER TABLE "shop_user" ALTER COLUMN "id" TYPE uuid USING "id"::uuid;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey;
ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id, DROP COLUMN id;
ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor";
ALTER TABLE shop_user ALTER COLUMN id TYPE uuid;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- A new type other than uuid: the plan needs new_key_expression, and the
-- HINT says so. Without USING, PostgreSQL's message names the new type
-- without its modifier (shown with the guard off, then on).
CREATE TABLE accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
CREATE TABLE account_notes (account_id uuid CONSTRAINT account_notes_account REFERENCES accounts);
BEGIN;
ALTER TABLE account_notes DROP CONSTRAINT account_notes_account;
SAVEPOINT s;
SET LOCAL pg_fk_guard.mode = off;
ALTER TABLE accounts ALTER COLUMN id TYPE numeric(20,0);
ROLLBACK TO s;
ALTER TABLE accounts ALTER COLUMN id TYPE numeric(20,0);
ROLLBACK;
BEGIN;
ALTER TABLE account_notes DROP CONSTRAINT account_notes_account;
ALTER TABLE accounts ALTER COLUMN id TYPE bigint USING id::bigint;
ROLLBACK;

-- The plan the HINT names carries the references along.
SELECT fk_guard.change_key_type_plan('shop_user', 'id', 'uuid') ~ 'Referenced by 3 columns' AS plans_every_reference;

-- A key dropped in a savepoint rolled back is not named; nor is one whose
-- column was dropped since.
BEGIN;
SAVEPOINT a;
ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id;
ROLLBACK TO a;
ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id;
ALTER TABLE shop_order DROP COLUMN buyer_id;
ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey;
ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor";
ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- While a key still references the column, PostgreSQL would rebuild it:
-- the guard's check of rebuilt keys speaks, naming that key.
BEGIN;
ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor";
ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The transaction ended: nothing is remembered. The key is a plain column
-- again, and PostgreSQL speaks alone.
BEGIN;
ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey;
ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id;
ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor";
COMMIT;
ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid;
\echo :LAST_ERROR_SQLSTATE

-- Under mode = warn, a WARNING, and PostgreSQL's own error after it.
BEGIN;
CREATE TABLE shop_cart (id serial, user_id integer CONSTRAINT shop_cart_user REFERENCES shop_user);
SET LOCAL pg_fk_guard.mode = warn;
ALTER TABLE shop_cart DROP CONSTRAINT shop_cart_user;
ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid;
ROLLBACK;

RESET search_path;
DROP SCHEMA dropped CASCADE;
