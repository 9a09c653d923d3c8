-- The verdict engine on what-if pairs: one example (at least) per kind, with
-- the explanation users read.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\pset format unaligned
\pset fieldsep ' | '
SELECT referencing, referenced, v.kind, v.severity, v.kinds, v.detail
FROM (VALUES
  ('uuid', 'integer'),
  ('integer', 'uuid'),
  ('text', 'integer'),
  ('integer[]', 'bigint[]'),
  ('integer', 'bigint'),
  ('smallint', 'integer'),
  ('character varying(36)', 'text'),
  ('character varying(36)', 'character varying(255)'),
  ('numeric(10,2)', 'numeric'),
  ('character(5)', 'character varying'),
  ('real', 'double precision'),
  ('integer', 'double precision'),
  ('numeric', 'real'),
  ('timestamp', 'timestamptz'),
  ('timestamptz', 'timestamp'),
  ('date', 'timestamptz'),
  ('time', 'timetz'),
  ('character(36)', 'text'),
  ('date', 'timestamp'),
  ('time', 'interval'),
  ('inet', 'cidr'),
  ('cidr', 'inet'),
  ('macaddr', 'macaddr8'),
  ('bit(8)', 'bit varying'),
  ('name', 'text'),
  ('"char"', 'text'),
  ('integer', 'numeric'),
  ('integer', 'oid'),
  ('bigint', 'integer'),
  ('text', 'character varying(36)'),
  ('integer', 'integer'),
  ('character varying(36)', 'character varying(36)'),
  ('integer[]', 'integer[]')
) AS p(referencing, referenced),
LATERAL fk_guard.classify_key_pair(referencing, referenced) v;

-- Domains are looked through, and reported.
CREATE DOMAIN public.user_id AS integer CHECK (VALUE > 0);
CREATE DOMAIN public.email AS character varying(255);
SELECT * FROM fk_guard.classify_key_pair('public.user_id', 'integer');
SELECT * FROM fk_guard.classify_key_pair('integer', 'public.user_id');
SELECT * FROM fk_guard.classify_key_pair('public.user_id', 'bigint');
SELECT * FROM fk_guard.classify_key_pair('public.email', 'text');
SELECT * FROM fk_guard.classify_key_pair('public.user_id', 'uuid');

-- Enums and ranges.
CREATE TYPE public.mood AS ENUM ('sad', 'happy');
CREATE TYPE public.color AS ENUM ('red', 'green');
SELECT kind FROM fk_guard.classify_key_pair('public.mood', 'public.mood');
SELECT kind, detail FROM fk_guard.classify_key_pair('public.mood', 'public.color');
SELECT kind FROM fk_guard.classify_key_pair('int4range', 'int8range');

-- Collations: same type, different collations.
SELECT * FROM fk_guard.classify_key_pair('text', 'text', 'C', NULL);
SELECT * FROM fk_guard.classify_key_pair('text', 'text', 'C', 'C');
CREATE COLLATION public.case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT * FROM fk_guard.classify_key_pair('text', 'text', NULL, 'public.case_insensitive');
SELECT * FROM fk_guard.classify_key_pair('character varying(36)', 'text', 'C', NULL);

-- An explicit operator class for the referenced index.
SELECT kind FROM fk_guard.classify_key_pair('text', 'text', referenced_opclass => 'text_pattern_ops');
SELECT kind, detail FROM fk_guard.classify_key_pair('character varying', 'text', referenced_opclass => 'text_pattern_ops');

-- Errors a user can make.
SELECT * FROM fk_guard.classify_key_pair('no_such_type', 'integer');
SELECT * FROM fk_guard.classify_key_pair('integer', 'point');
SELECT * FROM fk_guard.classify_key_pair('integer', 'integer', 'C');
SELECT * FROM fk_guard.classify_key_pair('integer', 'integer', referenced_opclass => 'no_such_ops');
SELECT * FROM fk_guard.classify_key_pair(NULL, 'integer');

DROP DOMAIN public.user_id, public.email;
DROP TYPE public.mood, public.color;
DROP COLLATION public.case_insensitive;
