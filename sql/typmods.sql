-- converts() validates target_typmod: -1 (none) or a modifier the type's own
-- syntax gives (numeric(10,2) is 655366, varchar(36) is 40).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
SELECT fk_guard.converts('1'::text, 'numeric', -5);
SELECT fk_guard.converts('1'::text, 'varchar', 0);
SELECT fk_guard.converts('1'::text, 'varchar', 3);
SELECT fk_guard.converts('1'::text, 'numeric', 5);
SELECT fk_guard.converts('1'::text, 'integer', 7);
SELECT fk_guard.converts('1'::text, 'timestamp', 9);
-- Valid modifiers, as the columns carry them.
SELECT fk_guard.converts('12345.678'::text, 'numeric', 655366) AS fits_numeric_10_2,
       fk_guard.converts('123456789012.5'::text, 'numeric', 655366) AS overflows_numeric_10_2,
       fk_guard.converts('abc'::text, 'varchar', 40) AS fits_varchar_36,
       fk_guard.converts('2024-01-01 10:00:00.123'::text, 'timestamp', 0) AS timestamp_0,
       fk_guard.converts('1'::text, 'numeric', -1) AS no_modifier;
