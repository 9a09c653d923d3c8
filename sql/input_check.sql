-- The C++ input rules against PostgreSQL's own input functions: for
-- generated edge cases, fk_guard.converts(text, type) (which decides in C++
-- for these types, without a subtransaction) must agree with whether
-- PostgreSQL accepts the value.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA ic;

CREATE TABLE ic.cases (typ text, v text);
-- Integers: signs, spaces, boundaries, overflow, things PostgreSQL 15 refuses.
INSERT INTO ic.cases
SELECT t, pre || sign || body || post
FROM unnest(ARRAY['smallint', 'integer', 'bigint', 'numeric']) t,
     unnest(ARRAY['', ' ', E'\t', E'\n  ']) pre,
     unnest(ARRAY['', '+', '-', '--', '+-']) sign,
     unnest(ARRAY['0', '1', '007', '32767', '32768', '2147483647', '2147483648', '9223372036854775807',
                  '9223372036854775808', '99999999999999999999', '1.0', '1.5', '.5', '5.', '1e3', '1E-3', '1e',
                  'e1', '0x1F', '1_000', '', ' ', 'abc', '1 2', '١']) body,
     unnest(ARRAY['', ' ', E'\t']) post;
-- Numeric specials and exponents.
INSERT INTO ic.cases
SELECT 'numeric', v FROM unnest(ARRAY['NaN', 'nan', ' NaN ', 'Infinity', '-Infinity', '+inf', 'inf', '-INF',
  'infinity ', 'Inf1', '1e1000', '1e-1000', '1e1001', '1e-1001', '1.2.3', '1e+5', '1e+', '-.5e-3', '.e1',
  '00000000000000000000000000000001.5']) v;
-- uuid: hyphens after any group of four digits, braces, case, length.
INSERT INTO ic.cases
SELECT 'uuid', v FROM unnest(ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
  '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111',
  '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ', 'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11', '-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-', 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eeb-c999c0b4ef8bb6d6bb9bd380a11',
  '', '1', '42']) v;
-- boolean: words, prefixes, spaces.
INSERT INTO ic.cases
SELECT 'boolean', pre || v || post
FROM unnest(ARRAY['t', 'true', 'TRUE', 'tr', 'tru', 'truex', 'f', 'false', 'fa', 'y', 'yes', 'ye', 'n', 'no',
                  'on', 'off', 'of', 'o', '1', '0', '2', '01', '', 'yes please']) v,
     unnest(ARRAY['', ' ', E'\t']) pre,
     unnest(ARRAY['', '  ']) post;
-- Everything is valid text.
INSERT INTO ic.cases SELECT 'text', v FROM ic.cases WHERE typ = 'uuid';

CREATE FUNCTION ic.postgres_accepts(v text, typ text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT %L::%s', v, typ);
  RETURN true;
EXCEPTION WHEN OTHERS THEN
  RETURN false;
END $$;

CREATE TABLE ic.results AS
SELECT typ, v, ic.postgres_accepts(v, typ) AS postgres, fk_guard.converts(v, typ::regtype) AS ours
FROM ic.cases;

SELECT typ, count(*) AS cases, count(*) FILTER (WHERE postgres) AS accepted,
       count(*) FILTER (WHERE postgres = ours) AS agree
FROM ic.results GROUP BY typ ORDER BY typ;

-- Disagreements (none expected).
SELECT typ, v, postgres, ours FROM ic.results WHERE postgres IS DISTINCT FROM ours ORDER BY typ, v;

SET client_min_messages = warning;
DROP SCHEMA ic CASCADE;
