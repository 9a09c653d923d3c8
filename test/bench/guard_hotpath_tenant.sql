-- guard_hotpath.sh's concurrent workload, run by pgbench: schema-per-tenant
-- provisioning, one table per client (pgbench replaces :client_id).
BEGIN;
CREATE TABLE hp.t_:client_id (id bigint PRIMARY KEY, a_id bigint REFERENCES hp.parent_a (id), b_id bigint);
ALTER TABLE hp.t_:client_id ADD FOREIGN KEY (b_id) REFERENCES hp.parent_b (id);
DROP TABLE hp.t_:client_id;
COMMIT;
