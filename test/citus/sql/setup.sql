-- The cluster as the suite starts it: a coordinator and two workers.
SELECT count(*) AS workers FROM pg_dist_node WHERE noderole = 'primary' AND groupid > 0;
SELECT extname FROM pg_extension WHERE extname IN ('citus', 'pg_fk_guard') ORDER BY 1;
SELECT result AS worker_has_pg_fk_guard FROM run_command_on_workers(
  $$SELECT count(*) FROM pg_extension WHERE extname = 'pg_fk_guard'$$) ORDER BY nodeport;
