-- change_key_type_plan() executed on schemas with 1, 3 and 20 referencing
-- tables, and on a multi-column key: partitioned referencing tables,
-- self-references, every ON DELETE action, ON UPDATE CASCADE, MATCH FULL,
-- deferrable keys, serial and identity keys, comments, privileges, CHECKs,
-- defaults and indexes on the columns; integer -> bigint (a cast) and
-- integer -> uuid (no cast: new keys through a map). After each plan:
--   * every relationship is the same row for row: each referencing row (by
--     its tag) reaches the row of the same email as before;
--   * every foreign key is there and validated;
--   * the catalog of the schema differs from before only in what the plan's
--     header announces (printed first, sizes left out): "- " before,
--     "+ " after.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA ks;
SET search_path = ks, public;

-- Every relationship of schema ks: for each foreign key, each referencing
-- row by its tag, and the email of the row it references (NULL: none).
CREATE FUNCTION relationships() RETURNS TABLE (fk name, tag text, email text) LANGUAGE plpgsql AS $$
DECLARE
  c record;
  j text;
BEGIN
  FOR c IN SELECT con.conname, con.conrelid, con.confrelid, con.conkey, con.confkey FROM pg_constraint con
            WHERE con.contype = 'f' AND con.connamespace = 'ks'::regnamespace AND con.conparentid = 0 LOOP
    SELECT string_agg(format('k.%I = r.%I',
                             (SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = c.confkey[i]),
                             (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[i])),
                      ' AND ')
      INTO j FROM generate_subscripts(c.conkey, 1) i;
    RETURN QUERY EXECUTE format('SELECT %L::name, r.tag, k.email FROM %s r LEFT JOIN %s k ON %s',
                                c.conname, c.conrelid::regclass, c.confrelid::regclass, j);
  END LOOP;
END $$;

-- What the catalog says about schema ks.
CREATE FUNCTION catalog() RETURNS TABLE (fact text) LANGUAGE sql AS $$
  SELECT format('column %s.%s %s%s%s%s, position %s, privileges %s, comment %s', c.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END,
                coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), a.attnum, a.attacl,
                col_description(c.oid, a.attnum))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = 'ks'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('relation %s (%s), privileges %s, comment %s, partition of %s', c.relname, c.relkind, c.relacl,
                obj_description(c.oid, 'pg_class'), (SELECT inhparent::regclass FROM pg_inherits WHERE inhrelid = c.oid))
    FROM pg_class c WHERE c.relnamespace = 'ks'::regnamespace
  UNION ALL
  SELECT format('index %s', pg_get_indexdef(i.indexrelid)) || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'ks'::regnamespace
  UNION ALL
  SELECT format('constraint %s on %s: %s', conname, conrelid::regclass, pg_get_constraintdef(oid)) ||
         CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
    FROM pg_constraint WHERE connamespace = 'ks'::regnamespace AND contype IN ('p', 'u', 'f', 'c', 'x')
  UNION ALL
  SELECT format('trigger %s', pg_get_triggerdef(t.oid)) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'ks'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT format('sequence %s as %s, max %s, owned by %s', s.seqrelid::regclass, s.seqtypid::regtype, s.seqmax,
                (SELECT d.refobjid::regclass || '.' || a.attname FROM pg_depend d
                   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
                    AND d.deptype IN ('a', 'i')))
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = 'ks'::regnamespace
$$;

CREATE FUNCTION snapshot() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE IF EXISTS pg_temp.relationships_before, pg_temp.catalog_before;
  CREATE TEMP TABLE relationships_before AS SELECT * FROM relationships();
  CREATE TEMP TABLE catalog_before AS SELECT * FROM catalog();
END $$;

-- The plan's header: what it announces, without sizes and the per-step lock list.
CREATE FUNCTION announced(plan text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT regexp_replace(l, ', (rows unknown|about [0-9]+ rows?)(, [^,]*)?(, NOT VALID \(it stays so\))?$', '\3')
    FROM regexp_split_to_table(plan, '\n') l
   WHERE l ~ '^-- ' AND l !~ '^-- (Step|Statements|Run it|pg_fk_guard key type plan)' $$;

-- After a plan: relationships and keys, then what changed in the catalog.
CREATE FUNCTION compare() RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEXT format('%s relationships, %s changed; %s foreign keys, %s not validated',
    (SELECT count(*) FROM relationships_before),
    (SELECT count(*) FROM ((TABLE relationships_before EXCEPT ALL SELECT * FROM relationships())
                           UNION ALL (SELECT * FROM relationships() EXCEPT ALL TABLE relationships_before)) d),
    (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'ks'::regnamespace),
    (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'ks'::regnamespace AND NOT convalidated));
  RETURN QUERY SELECT '- ' || f FROM (TABLE catalog_before EXCEPT SELECT * FROM catalog()) x(f) ORDER BY f;
  RETURN QUERY SELECT '+ ' || f FROM (SELECT * FROM catalog() EXCEPT TABLE catalog_before) y(f) ORDER BY f;
END $$;

-- ---- One referencing table, with a comment, privileges, a CHECK, a default
-- and an index on the columns; ON DELETE RESTRICT ON UPDATE RESTRICT.
CREATE FUNCTION setup_one() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL client_min_messages = warning;
  DROP TABLE IF EXISTS invoices, customers CASCADE;
  CREATE TABLE customers (id serial PRIMARY KEY, email text UNIQUE NOT NULL, note text DEFAULT 'none' CHECK (note <> ''));
  COMMENT ON COLUMN customers.id IS 'the customer';
  GRANT SELECT (id, email) ON customers TO PUBLIC;
  CREATE TABLE invoices (tag text PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers ON DELETE RESTRICT ON UPDATE RESTRICT,
    total numeric CHECK (total >= 0));
  CREATE INDEX invoices_customer ON invoices (customer_id);
  COMMENT ON COLUMN invoices.customer_id IS 'who pays';
  GRANT UPDATE (customer_id) ON invoices TO PUBLIC;
  INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 5) g;
  INSERT INTO invoices SELECT 'i' || g, 1 + (g * 3) % 5, g FROM generate_series(1, 12) g;
END $$;

SELECT setup_one(), snapshot();
SELECT fk_guard.change_key_type_plan('customers', 'id', 'bigint') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();

SELECT setup_one(), snapshot();
SELECT fk_guard.change_key_type_plan('customers', 'id', 'uuid') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();

-- ---- Three referencing tables: a self-reference (ON DELETE SET NULL), a
-- cascading one (ON UPDATE CASCADE ON DELETE CASCADE) and a partitioned one
-- (deferrable, initially deferred); the key is an identity column.
CREATE FUNCTION setup_three() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL client_min_messages = warning;
  DROP TABLE IF EXISTS visits, posts, users CASCADE;
  CREATE TABLE users (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email text UNIQUE NOT NULL, tag text,
    mentor_id integer REFERENCES users ON DELETE SET NULL);
  CREATE TABLE posts (tag text PRIMARY KEY, author_id integer NOT NULL REFERENCES users ON UPDATE CASCADE ON DELETE CASCADE);
  CREATE INDEX ON posts (author_id);
  CREATE TABLE visits (tag text, region text NOT NULL,
    user_id integer CONSTRAINT visits_user_fk REFERENCES users DEFERRABLE INITIALLY DEFERRED) PARTITION BY LIST (region);
  CREATE TABLE visits_eu PARTITION OF visits FOR VALUES IN ('eu');
  CREATE TABLE visits_us PARTITION OF visits FOR VALUES IN ('us');
  CREATE INDEX ON visits (user_id);
  INSERT INTO users (email, tag) SELECT 'u' || g || '@example.com', 'user' || g FROM generate_series(1, 8) g;
  UPDATE users SET mentor_id = 1 + id % 3 WHERE id > 3;
  INSERT INTO posts SELECT 'p' || g, 1 + (g * 5) % 8 FROM generate_series(1, 16) g;
  INSERT INTO visits SELECT 'v' || g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END,
                            CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + (g * 3) % 8 END FROM generate_series(1, 20) g;
END $$;

SELECT setup_three(), snapshot();
SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();
INSERT INTO users (email) VALUES ('next@example.com') RETURNING id > 8 AS identity_goes_on;

SELECT setup_three(), snapshot();
SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();
SELECT count(DISTINCT id) AS distinct_new_keys, count(*) AS users FROM users;

-- ---- Twenty referencing tables (twenty-one columns): every ON DELETE
-- action, some deferrable, some ON UPDATE CASCADE, some MATCH FULL, two
-- partitioned, one with two foreign keys; the key is serial.
CREATE FUNCTION setup_twenty() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  i int;
  t text;
  actions text[] := ARRAY['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'];
BEGIN
  SET LOCAL client_min_messages = warning;
  DROP TABLE IF EXISTS accounts CASCADE;
  FOR i IN 1..20 LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I', format('ref_%s', lpad(i::text, 2, '0')));
  END LOOP;
  CREATE TABLE accounts (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
  INSERT INTO accounts (email) SELECT 'a' || g || '@example.com' FROM generate_series(1, 40) g;
  FOR i IN 1..20 LOOP
    t := format('ref_%s', lpad(i::text, 2, '0'));
    EXECUTE format('CREATE TABLE %I (tag text NOT NULL, k int, account_id integer DEFAULT NULL, '
                   'CONSTRAINT %I FOREIGN KEY (account_id) REFERENCES accounts %s ON DELETE %s %s %s)%s',
                   t, t || '_account_fk',
                   CASE WHEN i % 7 = 0 THEN 'MATCH FULL' ELSE '' END,
                   actions[1 + i % 5],
                   CASE WHEN i % 4 = 0 THEN 'ON UPDATE CASCADE' ELSE '' END,
                   CASE WHEN i % 3 = 0 THEN 'DEFERRABLE' ELSE '' END,
                   CASE WHEN i % 10 = 0 THEN ' PARTITION BY HASH (k)' ELSE '' END);
    IF i % 10 = 0 THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS 2, REMAINDER 0)', t || '_0', t);
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS 2, REMAINDER 1)', t || '_1', t);
    END IF;
    IF i % 2 = 0 THEN
      EXECUTE format('CREATE INDEX ON %I (account_id)', t);
    END IF;
    EXECUTE format('INSERT INTO %I SELECT %L || g, g, CASE WHEN g %% 6 = 0 THEN NULL ELSE 1 + (g * %s) %% 40 END '
                   'FROM generate_series(1, 12) g', t, t || '/', i);
  END LOOP;
  ALTER TABLE ref_05 ADD COLUMN payer_id integer CONSTRAINT ref_05_payer_fk REFERENCES accounts ON DELETE CASCADE;
  UPDATE ref_05 SET payer_id = 40 - k;
END $$;

SELECT setup_twenty(), snapshot();
SELECT fk_guard.change_key_type_plan('accounts', 'id', 'bigint') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();

SELECT setup_twenty(), snapshot();
SELECT fk_guard.change_key_type_plan('accounts', 'id', 'uuid') AS plan \gset
SELECT count(*) AS announced_lines FROM announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();

-- ---- A multi-column key: id repeats across tenants. Two foreign keys
-- reference (tenant, id), one MATCH FULL.
CREATE FUNCTION setup_composite() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL client_min_messages = warning;
  DROP TABLE IF EXISTS items, notes, members CASCADE;
  CREATE TABLE members (tenant int, id integer, email text UNIQUE NOT NULL, PRIMARY KEY (tenant, id));
  CREATE TABLE items (tag text, tenant int, member_id integer,
    FOREIGN KEY (tenant, member_id) REFERENCES members ON DELETE CASCADE);
  CREATE TABLE notes (tag text, tenant int, member_id integer,
    CONSTRAINT notes_member_fk FOREIGN KEY (tenant, member_id) REFERENCES members (tenant, id) MATCH FULL);
  INSERT INTO members SELECT t, g, 'm' || t || '.' || g || '@example.com' FROM generate_series(1, 3) t, generate_series(1, 4) g;
  INSERT INTO items SELECT 'i' || g, 1 + g % 3, 1 + g % 4 FROM generate_series(1, 15) g;
  INSERT INTO items VALUES ('i-none', NULL, 2), ('i-part', 2, NULL);
  INSERT INTO notes SELECT 'n' || g, 1 + g % 3, 1 + (g * 3) % 4 FROM generate_series(1, 9) g;
END $$;

SELECT setup_composite(), snapshot();
SELECT fk_guard.change_key_type_plan('members', 'id', 'bigint') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();

SELECT setup_composite(), snapshot();
SELECT fk_guard.change_key_type_plan('members', 'id', 'uuid') AS plan \gset
SELECT announced(:'plan');
BEGIN;
\set ECHO none
\o /dev/null
SELECT :'plan' \gexec
\o
\set ECHO all
COMMIT;
SELECT compare();
SELECT count(DISTINCT id) AS distinct_new_ids, count(DISTINCT (tenant, id)) AS distinct_keys, count(*) AS members FROM members;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ks CASCADE;
