-- Prints time_to_refusal.sh's figures from the bench schema's tables.
-- psql variable: hold_seconds (the contention part's lock holding time; 0 = skipped).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
\pset format unaligned
\pset tuples_only on

CREATE TEMP TABLE labels (setting text PRIMARY KEY, ord int, label text);
INSERT INTO labels VALUES
  ('enforce', 1, '(a) pg_fk_guard.mode = enforce'),
  ('off',     2, '(b) pg_fk_guard.mode = off'),
  ('none',    3, '(c) extension dropped');

-- Median per setting, uncontended, timed runs only. Who refused: the guard
-- when the error's CONTEXT names pg_fk_guard.
CREATE TEMP TABLE summary AS
SELECT a.setting, l.ord, l.label,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY a.ms) AS median_ms,
       string_agg(round(a.ms::numeric, 2)::text, ' ' ORDER BY a.run) AS runs,
       count(*) AS n,
       bool_and(a.outcome = 'refused') AS all_refused,
       count(*) FILTER (WHERE a.context LIKE '%pg_fk_guard%') AS by_guard,
       min(a.sqlstate) AS sqlstate, min(a.message) AS message
FROM bench.attempts a JOIN labels l USING (setting)
WHERE NOT a.contended AND a.run > 0
GROUP BY a.setting, l.ord, l.label;

SELECT format('%-33s median %9s ms (runs: %s)', label || ':', round(median_ms::numeric, 2), runs) || E'\n' ||
       CASE WHEN NOT all_refused THEN '    NOT refused: the statement succeeded (and was rolled back)'
            ELSE format('    refused by %s: %s %s',
                        CASE WHEN by_guard = n THEN 'pg_fk_guard (CONTEXT: pg_fk_guard), before PostgreSQL ran it'
                             WHEN by_guard = 0 THEN 'PostgreSQL (no pg_fk_guard CONTEXT)'
                             ELSE format('pg_fk_guard in %s of %s runs', by_guard, n) END,
                        sqlstate, message) END
FROM summary ORDER BY ord;

SELECT format('ratio (b)/(a): %s;  ratio (c)/(a): %s',
              round((b.median_ms / a.median_ms)::numeric, 2), round((c.median_ms / a.median_ms)::numeric, 2))
FROM summary a, summary b, summary c
WHERE a.setting = 'enforce' AND b.setting = 'off' AND c.setting = 'none';

-- The rewrite PostgreSQL would do if nothing stopped it.
SELECT format('reference: the same ALTER TABLE with the foreign key dropped first (rolled back): %s ms, users %s;',
              round(r.ms::numeric, 1), CASE WHEN r.rewritten THEN 'rewritten (new relfilenode)' ELSE 'NOT rewritten' END)
       || E'\n' ||
       format('    so PostgreSQL alone refused after %s %% of the rewrite''s time (%s)',
              round((100 * s.median_ms / r.ms)::numeric, 3),
              CASE WHEN s.median_ms < r.ms / 10 THEN 'before rewriting users'
                   ELSE 'comparable to the rewrite: it may have rewritten users first' END)
FROM bench.rewrites r, summary s
WHERE s.setting = 'none';

-- Under contention.
SELECT format('(d) with another session reading users (ACCESS SHARE lock held %s s):', :hold_seconds)
WHERE :hold_seconds > 0;
SELECT format('    %-32s ALTER TABLE %s after %9s ms by %s (a fresh session); an application query on users sent 0.3 s in took %s ms',
              l.label || ':', a.outcome, round(a.ms::numeric, 2),
              CASE WHEN a.context LIKE '%pg_fk_guard%' THEN 'pg_fk_guard' ELSE 'PostgreSQL' END,
              round(p.ms::numeric))
FROM bench.attempts a JOIN labels l USING (setting) LEFT JOIN bench.probes p USING (setting)
WHERE a.contended
ORDER BY l.ord;
SELECT format('    ratio (b)/(a) under contention: %s',
              round((b.ms / a.ms)::numeric, 1))
FROM bench.attempts a, bench.attempts b
WHERE a.contended AND b.contended AND a.setting = 'enforce' AND b.setting = 'off';
