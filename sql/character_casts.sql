-- character(n) values, whose text is padded with spaces: PostgreSQL's casts
-- to text, character varying and name (and to a domain over one of them)
-- drop the trailing spaces (rtrim1(), bpchar_name()); its casts to
-- character(m) and through the value's text to any other type keep them.
-- converts(), profile_column() and the fix plans judge each value as
-- PostgreSQL's own cast does, checked here against that cast, value by value.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
SET pg_fk_guard.soft_mismatches = ignore;
CREATE SCHEMA chr;
SET search_path = chr, public;

CREATE DOMAIN d_text AS text CHECK (length(VALUE) < 4);
CREATE DOMAIN d_text_bytes AS text CHECK (octet_length(VALUE) < 4);
CREATE DOMAIN d_varchar AS varchar CHECK (length(VALUE) < 4);
CREATE DOMAIN d_varchar8 AS varchar(8) CHECK (octet_length(VALUE) < 4);
CREATE DOMAIN d_name AS name CHECK (octet_length(VALUE) < 4);
CREATE DOMAIN d_bpchar AS bpchar CHECK (octet_length(VALUE) < 6);
CREATE DOMAIN d_d_text AS d_text CHECK (VALUE <> 'zz');
CREATE DOMAIN d_int AS integer CHECK (VALUE > 0);
-- (a cast to a domain over a length-limited type cuts a longer value, as an
-- explicit cast to that type does)
CREATE DOMAIN d_bpchar5 AS character(5);
CREATE DOMAIN d_varchar3 AS varchar(3);

-- PostgreSQL's verdict: the value cast as the plans cast it (to the
-- unconstrained type where a modifier limits the length, then assigned).
CREATE FUNCTION pg_temp.cast_ok(v anyelement, target regtype, typmod int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  limited boolean := target IN ('varchar'::regtype, 'bpchar'::regtype) AND typmod >= 0;
BEGIN
  DROP TABLE IF EXISTS pg_temp.cast_ok_target;
  EXECUTE format('CREATE TEMP TABLE cast_ok_target (c %s)', format_type(target, typmod));
  BEGIN
    EXECUTE format('INSERT INTO pg_temp.cast_ok_target SELECT ($1)::%s',
                   format_type(target, CASE WHEN limited THEN -1 ELSE typmod END)) USING v;
    RETURN true;
  EXCEPTION WHEN others THEN
    RETURN false;
  END;
END $$;

-- The example: 'abc' of character(12) is 'abc' for the domain's CHECK.
SELECT 'abc'::character(12)::d_text AS cast,
       fk_guard.converts('abc'::character(12), 'd_text'::regtype) AS converts,
       fk_guard.converts('abcd'::character(12), 'd_text'::regtype) AS too_long,
       fk_guard.converts('12'::character(12), 'integer'::regtype) AS "integer",
       fk_guard.converts('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::character(36), 'uuid'::regtype) AS uuid36,
       fk_guard.converts('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::character(40), 'uuid'::regtype) AS uuid40;

-- Every value in several widths against every target: converts() answers as
-- the cast does.
CREATE TABLE vals (n int, v text);
INSERT INTO vals VALUES (1, 'abc'), (2, 'ab'), (3, ''), (4, '12'), (5, ' 12'), (6, 'abcd'),
  (7, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (8, 'true'), (9, '2024-01-01'),
  (10, repeat('x', 60) || '   ' || repeat('y', 10)), (11, repeat('é', 40)), (12, 'a b'), (13, 'zz');
CREATE TABLE widths (w int);
INSERT INTO widths VALUES (3), (5), (12), (40), (90);
CREATE TABLE targets (t regtype, m int);
INSERT INTO targets VALUES ('text', -1), ('varchar', -1), ('varchar', 7), ('varchar', 9), ('varchar', 40), ('name', -1),
  ('d_text', -1), ('d_text_bytes', -1), ('d_varchar', -1), ('d_varchar8', -1), ('d_name', -1), ('bpchar', -1),
  ('bpchar', 7), ('bpchar', 9), ('d_bpchar', -1), ('d_d_text', -1), ('integer', -1), ('smallint', -1), ('bigint', -1),
  ('numeric', -1), ('uuid', -1), ('boolean', -1), ('date', -1), ('d_int', -1), ('d_bpchar5', -1), ('d_varchar3', -1);
CREATE TEMP TABLE verdicts AS
SELECT n, w, t, m, pg_temp.cast_ok(x.v, t, m) AS by_cast, fk_guard.converts(x.v, t, m) AS converts
  FROM vals CROSS JOIN widths CROSS JOIN targets
 CROSS JOIN LATERAL (SELECT rpad(vals.v, w)::bpchar) x(v)
 WHERE length(vals.v) <= w;
SELECT count(*) AS calls, count(*) FILTER (WHERE by_cast) AS converting,
       count(*) FILTER (WHERE by_cast IS DISTINCT FROM converts) AS disagreements
  FROM verdicts;
SELECT n, w, t, m, by_cast, converts FROM verdicts WHERE by_cast IS DISTINCT FROM converts ORDER BY 1, 2, 3, 4 LIMIT 10;
-- The same values as text and character varying to the domains over
-- length-limited types.
SELECT count(*) AS calls, count(*) FILTER (WHERE by_cast) AS converting,
       count(*) FILTER (WHERE by_cast IS DISTINCT FROM converts) AS disagreements
  FROM (SELECT pg_temp.cast_ok(x.v, t, -1) AS by_cast, fk_guard.converts(x.v, t, -1) AS converts
          FROM vals CROSS JOIN (VALUES ('d_bpchar5'::regtype), ('d_varchar3'), ('d_text')) d(t)
         CROSS JOIN LATERAL (VALUES (vals.v), (vals.v || '  ')) y(s)
         CROSS JOIN LATERAL (SELECT y.s::text UNION ALL SELECT y.s::varchar) x(v)) c;

-- profile_column(): a character(5) column against keys of each type. The
-- counts PostgreSQL's casts give (an orphan: a value that converts and
-- equals no key), then profile_column()'s.
CREATE TABLE key_types (i int, ktype text, target regtype);
INSERT INTO key_types VALUES (1, 'text', 'text'), (2, 'varchar', 'varchar'), (3, 'varchar(5)', 'varchar'),
  (4, 'varchar(3)', 'varchar'), (5, 'name', 'name'), (6, 'd_text', 'd_text'), (7, 'd_varchar', 'd_varchar'),
  (8, 'd_name', 'd_name'), (9, 'integer', 'integer'), (10, 'character(3)', 'bpchar'), (11, 'character(7)', 'bpchar'),
  (12, 'd_d_text', 'd_d_text'), (13, 'bigint', 'bigint');
CREATE TEMP TABLE profiles (i int, ktype text, by_cast bigint[], profile bigint[]);
DO $$
DECLARE
  k record;
  p record;
  c bigint[];
BEGIN
  FOR k IN SELECT * FROM key_types ORDER BY i LOOP
    EXECUTE format('CREATE TABLE r%s (k %s)', k.i, k.ktype);
    IF k.ktype IN ('integer', 'bigint') THEN
      EXECUTE format('INSERT INTO r%s VALUES (12), (7)', k.i);
    ELSE
      EXECUTE format($q$INSERT INTO r%s VALUES ('ab'), ('abc'), ('zy')$q$, k.i);
    END IF;
    EXECUTE format('CREATE TABLE c%s (id serial, v character(5))', k.i);
    EXECUTE format($q$INSERT INTO c%s (v) VALUES ('ab'), ('abc'), ('abcd'), ('abcde'), ('zz'), (NULL), ('12'), (' 12'),
                      ('7'), ('ab '), ('zy')$q$, k.i);
    EXECUTE format($q$SELECT ARRAY[count(*), count(*) FILTER (WHERE v IS NULL), count(*) FILTER (WHERE ok),
                                 count(*) FILTER (WHERE v IS NOT NULL AND NOT ok),
                                 count(*) FILTER (WHERE ok AND NOT EXISTS (SELECT 1 FROM r%1$s r WHERE r.k = c.v::%2$s))]
                        FROM (SELECT v, v IS NOT NULL AND pg_temp.cast_ok(v, %3$L::regtype, %4$s) AS ok FROM c%1$s) c$q$,
                   k.i, k.ktype, k.target,
                   (SELECT atttypmod FROM pg_attribute WHERE attrelid = format('r%s', k.i)::regclass AND attname = 'k'))
      INTO c;
    SELECT * INTO p FROM fk_guard.profile_column(format('c%s', k.i)::regclass, 'v', k.target, format('r%s', k.i)::regclass, 'k');
    INSERT INTO profiles VALUES (k.i, k.ktype, c,
      ARRAY[p.rows_total, p.rows_null, p.rows_convertible, p.rows_unconvertible, p.rows_orphaned]);
  END LOOP;
END $$;
-- {total, NULL, convertible, unconvertible, orphaned} (a domain's orphans are
-- not counted: NULL)
SELECT i, ktype, by_cast, profile,
       by_cast[1:4] = profile[1:4] AND (profile[5] IS NULL OR profile[5] = by_cast[5]) AS agree
  FROM profiles ORDER BY i;

-- A name cuts the value to 63 bytes first, then drops the trailing spaces.
CREATE TABLE long_names (v character(90));
INSERT INTO long_names VALUES (repeat('x', 60) || '   ' || repeat('y', 10)), (repeat('x', 60)), (repeat('x', 61));
CREATE TABLE name_keys (k name);
INSERT INTO name_keys VALUES (repeat('x', 60));
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM name_keys WHERE k = v::name)) AS orphans_by_cast FROM long_names;
SELECT rows_convertible, rows_orphaned FROM fk_guard.profile_column('long_names', 'v', 'name', 'name_keys', 'k');

-- Fix plans on_unconvertible null and delete: the counts they give, and the
-- rows that lose their value, are those of PostgreSQL's cast (a value that
-- does not cast or equals no key), the others are kept.
CREATE TABLE parents (k text PRIMARY KEY);
INSERT INTO parents VALUES ('ab'), ('abc'), ('zy');
CREATE TABLE parents3 (k varchar(3) PRIMARY KEY);
INSERT INTO parents3 SELECT k FROM parents;
CREATE TABLE kids (id int PRIMARY KEY, v character(5));
INSERT INTO kids VALUES (1, 'ab'), (2, 'abc'), (3, 'abcd'), (4, 'zz'), (5, NULL), (6, 'ab '), (7, 'zy'), (8, ' ab');
CREATE TABLE kids3 AS SELECT * FROM kids;
ALTER TABLE kids3 ADD PRIMARY KEY (id);
CREATE TABLE kids_by_cast AS
SELECT id, v AS original,
       CASE WHEN EXISTS (SELECT 1 FROM parents WHERE k = v::text) THEN v::text END AS v,
       CASE WHEN pg_temp.cast_ok(v, 'varchar', 7) AND EXISTS (SELECT 1 FROM parents3 WHERE k = v::varchar)
            THEN v::varchar(3) END AS v3
  FROM kids;
SELECT count(*) AS rows, count(original) AS not_null, count(*) FILTER (WHERE original IS NOT NULL AND v IS NULL) AS orphans,
       count(*) FILTER (WHERE original IS NOT NULL AND NOT pg_temp.cast_ok(original, 'varchar', 7)) AS not_varchar3,
       count(*) FILTER (WHERE original IS NOT NULL AND v3 IS NULL) AS lost_varchar3
  FROM kids_by_cast;
SELECT substring(fk_guard.fix_plan('kids', 'v', 'parents', on_unconvertible => 'null') FROM '-- (Data when planned: [^\n]*)');
SELECT substring(fk_guard.fix_plan('kids3', 'v', 'parents3', on_unconvertible => 'delete') FROM '-- (Data when planned: [^\n]*)');
\o /dev/null
SELECT fk_guard.fix_plan('kids', 'v', 'parents', on_unconvertible => 'null') \gexec
SELECT fk_guard.fix_plan('kids3', 'v', 'parents3', on_unconvertible => 'delete') \gexec
\o
SELECT attrelid::regclass, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid IN ('kids'::regclass, 'kids3'::regclass) AND attname = 'v' ORDER BY 1;
SELECT b.id, b.original, b.v AS by_cast, k.v AS fixed_null, b.v3 AS by_cast3, k3.id IS NOT NULL AS kept3, k3.v AS fixed_delete3
  FROM kids_by_cast b JOIN kids k USING (id) LEFT JOIN kids3 k3 USING (id) ORDER BY b.id;
SELECT count(*) AS disagreements FROM kids_by_cast b JOIN kids k USING (id) WHERE b.v IS DISTINCT FROM k.v;
SELECT count(*) AS disagreements
  FROM (SELECT id, v3 FROM kids_by_cast WHERE original IS NULL OR v3 IS NOT NULL) b FULL JOIN kids3 k USING (id)
 WHERE b.id IS NULL OR k.id IS NULL OR b.v3 IS DISTINCT FROM k.v;

SET client_min_messages = warning;
DROP SCHEMA chr CASCADE;
