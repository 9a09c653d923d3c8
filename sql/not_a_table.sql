-- profile_column() and fix_plan() work on tables: views, materialized views,
-- foreign tables, sequences, indexes and system catalogs (pg_catalog,
-- information_schema, pg_toast) are refused with a sentence that says why.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
CREATE TABLE nt_users (id integer PRIMARY KEY);
CREATE TABLE nt_refs (user_ref text);
CREATE VIEW nt_view AS SELECT * FROM nt_refs;
CREATE MATERIALIZED VIEW nt_matview AS SELECT * FROM nt_refs;
CREATE FOREIGN DATA WRAPPER nt_fdw;
CREATE SERVER nt_server FOREIGN DATA WRAPPER nt_fdw;
CREATE FOREIGN TABLE nt_foreign (user_ref text) SERVER nt_server;
CREATE SEQUENCE nt_seq;
CREATE TABLE nt_partitioned (user_ref text) PARTITION BY LIST (user_ref);
CREATE TABLE nt_partition PARTITION OF nt_partitioned DEFAULT;

SELECT * FROM fk_guard.profile_column('nt_view', 'user_ref', 'integer');
SELECT * FROM fk_guard.profile_column('nt_matview', 'user_ref', 'integer');
SELECT * FROM fk_guard.profile_column('nt_foreign', 'user_ref', 'integer');
SELECT * FROM fk_guard.profile_column('nt_seq', 'last_value', 'integer');
SELECT * FROM fk_guard.profile_column('nt_users_pkey', 'id', 'integer');
SELECT * FROM fk_guard.profile_column('pg_class', 'relname', 'integer');
SELECT * FROM fk_guard.profile_column('information_schema.sql_features', 'feature_id', 'integer');
SELECT * FROM fk_guard.profile_column('pg_toast.pg_toast_1255', 'chunk_id', 'integer');
SELECT * FROM fk_guard.profile_column('nt_refs', 'user_ref', 'integer', 'nt_view');
SELECT * FROM fk_guard.profile_column('nt_refs', 'user_ref', 'oid', 'pg_class', 'oid');
SELECT fk_guard.fix_plan('nt_view', 'user_ref', 'nt_users');
SELECT fk_guard.fix_plan('nt_matview', 'user_ref', 'nt_users');
SELECT fk_guard.fix_plan('nt_foreign', 'user_ref', 'nt_users');
SELECT fk_guard.fix_plan('nt_refs', 'user_ref', 'pg_class', 'oid');
SELECT fk_guard.fix_plan('pg_depend', 'objid', 'nt_users');
-- Partitioned tables and their partitions are tables.
SELECT rows_total FROM fk_guard.profile_column('nt_partitioned', 'user_ref', 'integer');
SELECT rows_total FROM fk_guard.profile_column('nt_partition', 'user_ref', 'integer');

DROP FOREIGN TABLE nt_foreign;
DROP SERVER nt_server;
DROP FOREIGN DATA WRAPPER nt_fdw;
DROP MATERIALIZED VIEW nt_matview;
DROP VIEW nt_view;
DROP TABLE nt_refs, nt_users, nt_partitioned;
DROP SEQUENCE nt_seq;
