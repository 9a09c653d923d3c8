-- Foreign keys implied by naming: no constraint declared, types mismatched.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
SET pg_fk_guard.soft_mismatches = ignore;
CREATE SCHEMA shop;
CREATE SCHEMA other;
SET search_path = shop, other, public;

-- The story: sessions."userId" holds uuids, users.id is integer, and the
-- constraint never got created.
CREATE TABLE users (id serial PRIMARY KEY, legacy_uuid uuid UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
-- Every naming convention, against tables named in singular, plural, and case.
CREATE TABLE categories (id bigint PRIMARY KEY);
CREATE TABLE people (id bigint PRIMARY KEY);
CREATE TABLE "Order" ("orderId" bigint PRIMARY KEY);
CREATE TABLE items (
  id int PRIMARY KEY,
  user_id uuid,            -- -> users (incompatible)
  "UserId" integer,        -- -> users (matches: not reported)
  "categoryId" integer,    -- -> categories (narrower)
  "personID" integer,      -- -> people (narrower)
  orderid integer,         -- -> "Order" (narrower)
  paid boolean,            -- not a reference
  uuid uuid                -- not a reference
);
-- A column with a declared foreign key is not reported as implied.
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE logins (id int PRIMARY KEY, account_id integer REFERENCES accounts);
-- <table>_id matching the referenced table's own key name.
CREATE TABLE vendors (vendor_id bigint PRIMARY KEY);
CREATE TABLE invoices (id int PRIMARY KEY, vendor_id integer);
-- A name that matches two tables is reported once, with the ambiguity.
CREATE TABLE tag (id bigint PRIMARY KEY);
CREATE TABLE tags (id integer PRIMARY KEY);
CREATE TABLE posts (id int PRIMARY KEY, tag_id smallint);
-- Schema-local first: shop.shipments wins over other.shipments.
CREATE TABLE shipments (id bigint PRIMARY KEY);
CREATE TABLE other.shipments (id uuid PRIMARY KEY);
CREATE TABLE parcels (id int PRIMARY KEY, shipment_id integer);
-- Then the search_path: other.carriers is found from shop.
CREATE TABLE other.carriers (id bigint PRIMARY KEY);
CREATE TABLE routes (id int PRIMARY KEY, carrier_id integer);

\pset format unaligned
\pset fieldsep ' | '
SELECT source, constraint_name, referencing_table, referencing_column, referencing_type,
       referenced_table, referenced_column, referenced_type, kind
FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table::text NOT LIKE 'pg_%'
ORDER BY referencing_table::text, referencing_column;

SELECT referencing_column, detail FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_column IN ('userId', 'tag_id') ORDER BY 1;

-- With the data: the story's column holds uuids that can never become integer,
-- and the plan maps them through users.legacy_uuid when asked.
INSERT INTO users (legacy_uuid) VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
INSERT INTO sessions VALUES ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('s2', NULL);
SELECT referencing_column, rows_total, rows_null, rows_convertible, rows_unconvertible, rows_orphaned,
       sample_unconvertible, conversion
FROM fk_guard.diagnose_fk_mismatches(check_data => true)
WHERE referencing_table = 'sessions'::regclass;
SELECT suggested_fix FROM fk_guard.diagnose_fk_mismatches(check_data => true)
WHERE referencing_table = 'sessions'::regclass;

-- Declared only.
SELECT count(*) AS declared_only FROM fk_guard.diagnose_fk_mismatches(include_implied => false)
WHERE source = 'implied';

-- A table hidden by one of the same name earlier in search_path is named
-- with its schema: other.freight.shipment_id points at other.shipments (its
-- own schema first), which shop.shipments hides.
CREATE TABLE other.freight (id int PRIMARY KEY, shipment_id integer);
SELECT referenced_table, substring(detail from '^[^.]*points at [^ ]*') AS named FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table = 'other.freight'::regclass;

-- Outside the search_path, other.carriers is not found.
SET search_path = shop, public;
SELECT count(*) AS carriers_found FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_column = 'carrier_id';

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA shop, other CASCADE;
