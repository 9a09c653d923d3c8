-- Times the refused ALTER TABLE in one session, once per run and setting,
-- each attempt a top-level statement of its own. psql variables:
--   stmt       the statement
--   settings   comma-separated pg_fk_guard.mode values to alternate
--              (enforce,off), or none when the extension is dropped
--   warmups    untimed attempts per setting first (they load the module and
--              warm the caches, as earlier statements of a migration would)
--   runs       timed attempts per setting
-- Odd runs take the settings in the given order, even runs in reverse.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

SELECT CASE WHEN setting = 'none' THEN 'RESET pg_fk_guard.mode'
            ELSE format('SET pg_fk_guard.mode = %s', setting) END,
       format('INSERT INTO bench.attempts SELECT %L, false, %s, * FROM bench.attempt(%L)',
              setting, run, :'stmt')
FROM generate_series(1 - :warmups, :runs) AS run,
     LATERAL unnest(string_to_array(:'settings', ',')) WITH ORDINALITY AS s(setting, pos)
ORDER BY run, CASE WHEN run % 2 = 0 THEN -pos ELSE pos END
\gexec
