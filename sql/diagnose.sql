-- diagnose_fk_mismatches() over declared foreign keys.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
-- The migration guard's own messages are tested in guard.sql.
SET pg_fk_guard.soft_mismatches = ignore;
\pset format unaligned
\pset fieldsep ' | '
CREATE SCHEMA app;
CREATE SCHEMA "Billing";
SET search_path = app, public;

-- Clean foreign keys give no rows.
CREATE TABLE app.users (id integer PRIMARY KEY, legacy_uuid uuid UNIQUE);
CREATE TABLE app.posts (id bigint PRIMARY KEY, author_id integer REFERENCES app.users);
SELECT count(*) AS clean_rows FROM fk_guard.diagnose_fk_mismatches();

-- The story's neighbour: a column narrower than the key it references.
CREATE TABLE app.accounts (id bigint PRIMARY KEY);
CREATE TABLE app.sessions (sid text PRIMARY KEY, "userId" integer REFERENCES app.accounts (id));

-- camelCase and quoted identifiers, across schemas.
CREATE TABLE "Billing"."Invoices" ("invoiceId" numeric(12,0) PRIMARY KEY);
CREATE TABLE app."LineItems" ("lineId" serial PRIMARY KEY,
  "invoiceId" integer CONSTRAINT "LineItems_invoice_FK" REFERENCES "Billing"."Invoices");

-- A multi-column key with two bad pairs gives two rows, in key order.
CREATE TABLE app.periods (tenant bigint, starts_at timestamptz, PRIMARY KEY (tenant, starts_at));
CREATE TABLE app.bookings (id int PRIMARY KEY, tenant integer, starts_at timestamp,
  FOREIGN KEY (tenant, starts_at) REFERENCES app.periods);

-- A multi-column key whose referenced columns are listed in another order
-- than the unique index's: each pair gets its own column's operator class.
CREATE TABLE app.codes (lang char(2), code text, UNIQUE (code, lang));
CREATE TABLE app.labels (id int PRIMARY KEY, lang varchar(2), code text,
  FOREIGN KEY (lang, code) REFERENCES app.codes (lang, code));

-- Partitioned referencing table: reported once, on the partitioned table.
CREATE TABLE app.events (id bigint, account_id integer REFERENCES app.accounts, at date)
  PARTITION BY RANGE (at);
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- Partitioned referenced table: reported once too.
CREATE TABLE app.tenants (id bigint PRIMARY KEY) PARTITION BY HASH (id);
CREATE TABLE app.tenants_0 PARTITION OF app.tenants FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.tenants_1 PARTITION OF app.tenants FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE app.projects (id int PRIMARY KEY, tenant_id integer REFERENCES app.tenants);

-- A collation mismatch, and a domain.
CREATE DOMAIN app.account_ref AS bigint;
CREATE TABLE app.tags (name text COLLATE "C" PRIMARY KEY);
CREATE TABLE app.tagged (id int PRIMARY KEY, tag text REFERENCES app.tags,
  account app.account_ref REFERENCES app.accounts);

-- Temporary tables of this session are included.
CREATE TEMP TABLE scratch_parent (id integer PRIMARY KEY);
CREATE TEMP TABLE scratch (parent_id smallint REFERENCES scratch_parent);

SELECT source, constraint_name, referencing_table, referencing_column, referencing_type,
       referenced_table, referenced_column, referenced_type, kind, severity
FROM fk_guard.diagnose_fk_mismatches()
ORDER BY referencing_table::text LIKE 'pg_temp%', referencing_table::text, constraint_name, referencing_column;

-- The detail and fix users read.
\pset format aligned
\x on
SELECT constraint_name, detail, suggested_fix
FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table IN ('app.sessions'::regclass, 'app."LineItems"'::regclass, 'app.tagged'::regclass)
ORDER BY constraint_name, referencing_column;
\x off

-- A temporary table's fix names its schema, whatever the search path
-- (this session's temporary schema shown as pg_temp).
SELECT replace(suggested_fix, pg_my_temp_schema()::regnamespace::text || '.', 'pg_temp.') AS temporary_fix
FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table = 'scratch'::regclass;

-- The suggested fixes run, in order, and leave nothing to report.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT suggested_fix FROM fk_guard.diagnose_fk_mismatches()
           WHERE referencing_table::text NOT LIKE 'pg_temp%' LOOP
    EXECUTE r.suggested_fix;
  END LOOP;
END $$;
SELECT referencing_table, referencing_column, kind FROM fk_guard.diagnose_fk_mismatches()
ORDER BY 1, 2;

-- Schemas the caller cannot use are not reported.
CREATE ROLE fkg_reader;
CREATE SCHEMA hidden;
CREATE TABLE hidden.parent (id bigint PRIMARY KEY);
CREATE TABLE hidden.child (parent_id integer REFERENCES hidden.parent);
SET ROLE fkg_reader;
SELECT count(*) AS visible_to_reader FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table::text LIKE 'hidden.%';
RESET ROLE;
SELECT count(*) AS visible_to_superuser FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table::text LIKE 'hidden.%';
DROP SCHEMA hidden CASCADE;
DROP ROLE fkg_reader;

DROP TABLE scratch, scratch_parent;
RESET search_path;
DROP SCHEMA app, "Billing" CASCADE;
