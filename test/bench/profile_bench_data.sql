-- Builds the data of profile_bench.sh parts 1 and 2 in schema "bench".
-- psql variables:
--   rows          rows in bench.big, the table profile_column() is timed on
--   sample_rows   rows in bench.sample, built the same way (the PL/pgSQL loop runs on it)
--   keys          integer keys the values are drawn from, 1 .. keys
--
-- bench.big and bench.sample: (id bigint, ref text). Row i holds
-- bench.ref_value(i), by i % 100:
--    0- 9  NULL                                                  10%
--   10-19  a uuid as text (md5 of i)                             10%
--   20     an integer string out of integer's range              1%  (e.g. '2147483668')
--   21     k with a sign and spaces, ' +k '                      1%  (int4in accepts it)
--   22     -k                                                    1%  (converts; never a key)
--   23     k zero-padded to 20 digits, '00000000000000123456'    1%  (converts: leading zeros are free)
--   24-99  k                                                     76%
-- where k = (i * 7919) % keys + 1 scatters the keys over 1 .. keys.
-- So 80% are integer strings, of which 1 in 80 does not fit in integer.
--
-- bench.keys: (id integer PRIMARY KEY), every k in 1 .. keys except those
-- with k % 10 = 7: it covers 90% of the positive values.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA bench;

-- A plain SQL function of constants: the planner inlines it into the INSERTs.
CREATE FUNCTION bench.ref_value(i bigint, keys integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
           WHEN i % 100 < 10 THEN NULL
           WHEN i % 100 < 20 THEN md5(i::text)::uuid::text
           WHEN i % 100 = 20 THEN (2147483648 + i)::text
           WHEN i % 100 = 21 THEN ' +' || ((i * 7919) % keys + 1) || ' '
           WHEN i % 100 = 22 THEN '-' || ((i * 7919) % keys + 1)
           WHEN i % 100 = 23 THEN lpad(((i * 7919) % keys + 1)::text, 20, '0')
           ELSE ((i * 7919) % keys + 1)::text
         END
$$;

CREATE TABLE bench.big (id bigint, ref text);
CREATE TABLE bench.sample (id bigint, ref text);
CREATE TABLE bench.keys (id integer);

INSERT INTO bench.big SELECT i, bench.ref_value(i, :keys) FROM generate_series(1, :rows) AS i;
INSERT INTO bench.sample SELECT i, bench.ref_value(i, :keys) FROM generate_series(1, :sample_rows) AS i;
INSERT INTO bench.keys SELECT k FROM generate_series(1, :keys) AS k WHERE k % 10 <> 7;
ALTER TABLE bench.keys ADD PRIMARY KEY (id);

-- Set hint bits and visibility, freeze, and gather statistics, so that no
-- timed scan writes pages and the planner sees the real sizes.
VACUUM (FREEZE, ANALYZE) bench.big, bench.sample, bench.keys;
CHECKPOINT;
