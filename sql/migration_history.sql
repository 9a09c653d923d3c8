-- fk_guard.migration_history(): the migrations each tool recorded, from the
-- tools' own tables, recognised by exact name and column shape in the
-- schemas of the search_path. Each table below is created with the DDL the
-- tool itself sends (source quoted above it); the Node tools' tables are
-- also made by the real tools in test/e2e (sequelize.test.mjs asserts
-- migration_history() after the story).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
SET TimeZone = 'UTC';
CREATE SCHEMA mh_node;
CREATE SCHEMA mh_other;
SET search_path = mh_node, public;

-- Nothing recognised yet.
SELECT count(*) FROM fk_guard.migration_history();

-- Sequelize v6 + umzug SequelizeStorage (model "SequelizeMeta", name
-- STRING primaryKey), as Sequelize 6.37 sends it:
CREATE TABLE IF NOT EXISTS "SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE , PRIMARY KEY ("name"));
INSERT INTO "SequelizeMeta" VALUES ('20240101000100-seed-users-and-sessions.cjs'), ('20240101000000-create-users-and-sessions.cjs');

-- knex 3 (lib/migrations/migrate/table-creator.js: increments('id'),
-- string('name'), integer('batch'), timestamp('migration_time')), and its
-- lock table, which is not history:
create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz);
create table "knex_migrations_lock" ("index" serial primary key, "is_locked" integer);
INSERT INTO knex_migrations (name, batch, migration_time) VALUES
  ('20240101_create_users.js', 1, '2024-01-01 10:00:00+00'), ('20240102_add_sessions.js', 2, '2024-01-02 10:00:00+00');
INSERT INTO knex_migrations_lock (is_locked) VALUES (0);

-- TypeORM 0.3 (MigrationExecutor.createMigrationsTableIfNotExist: id
-- SERIAL primary, timestamp bigint, name varchar), and typeorm_metadata
-- (views and generated columns: not a history table, never read):
CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"));
CREATE TABLE "typeorm_metadata" ("type" character varying NOT NULL, "database" character varying, "schema" character varying, "table" character varying, "name" character varying, "value" text);
INSERT INTO migrations ("timestamp", name) VALUES (1704067200000, 'CreateUsers1704067200000');
INSERT INTO typeorm_metadata (type, name, value) VALUES ('VIEW', 'v', 'SELECT 1');

-- node-pg-migrate 7 (src/runner.ts: CREATE TABLE pgmigrations ( id SERIAL
-- PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)):
CREATE TABLE "mh_node"."pgmigrations" ( id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
INSERT INTO pgmigrations (name, run_on) VALUES ('1704067200000_create-users', '2024-01-01 12:00:00');

SELECT tool, migration, applied_at, status, recorded_in, detail, ordinal FROM fk_guard.migration_history();

-- The other schema is not on the search_path: not read.
SET search_path = mh_other;

-- Prisma (migration-engine: the _prisma_migrations table), with a failed
-- migration (finished_at NULL, logs) and one marked rolled back
-- (prisma migrate resolve --rolled-back):
CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO _prisma_migrations VALUES
  ('a1', 'c1', '2024-01-01 10:00:01+00', '20240101000000_init', NULL, NULL, '2024-01-01 10:00:00+00', 1),
  ('a2', 'c2', NULL, '20240201000000_sessions_user_fk',
   E'Database error code: 42804\nforeign key constraint "sessions_userId_fkey" cannot be implemented', NULL,
   '2024-02-01 10:00:00+00', 0),
  ('a3', 'c3', NULL, '20240115000000_tried', NULL, '2024-01-16 00:00:00+00', '2024-01-15 10:00:00+00', 0);

-- Flyway 10 (flyway/flyway, flyway-database/flyway-database-postgresql:
-- PostgreSQLDatabase.getRawCreateScript, the table, its _pk and _s_idx),
-- with a failed migration (success = false):
CREATE TABLE "mh_other"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "mh_other"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "mh_other"."flyway_schema_history" ("success");
INSERT INTO flyway_schema_history VALUES
  (1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1, 'app', '2024-01-01 10:00:00', 12, true),
  (2, '2', 'sessions user fk', 'SQL', 'V2__sessions_user_fk.sql', 2, 'app', '2024-02-01 10:00:00', 3, false);

-- Both tools in one database (this schema) and the Node tools in mh_node:
SET search_path = mh_other, mh_node;
SELECT tool, migration, applied_at, status, recorded_in, detail, ordinal FROM fk_guard.migration_history();
-- The failed and rolled back ones only:
SELECT tool, migration, status FROM fk_guard.migration_history() WHERE status <> 'applied';

-- schema_migrations: Rails, Ecto and golang-migrate, told apart by columns.
CREATE SCHEMA mh_rails;
CREATE SCHEMA mh_ecto;
CREATE SCHEMA mh_gomigrate;
-- Rails 7 (ActiveRecord::SchemaMigration / InternalMetadata, as sent):
CREATE TABLE "mh_rails"."schema_migrations" ("version" character varying NOT NULL PRIMARY KEY);
CREATE TABLE "mh_rails"."ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
INSERT INTO mh_rails.schema_migrations VALUES ('20240101000000'), ('20240201000000');
INSERT INTO mh_rails.ar_internal_metadata VALUES ('environment', 'production', now(), now());
-- Ecto 3 (elixir-ecto/ecto_sql, lib/ecto/migration/schema_migration.ex:
-- ensure_schema_migrations_table! creates it if not exists with version
-- bigint primary key and inserted_at naive_datetime, timestamp(0) in the
-- Postgres adapter; written in UTC):
CREATE TABLE IF NOT EXISTS "mh_ecto"."schema_migrations" ("version" bigint, "inserted_at" timestamp(0), PRIMARY KEY ("version"));
INSERT INTO mh_ecto.schema_migrations VALUES (20240101000000, '2024-01-01 10:00:00'), (20240201000000, '2024-02-01 10:00:00');
-- golang-migrate 4 (golang-migrate/migrate, database/postgres/postgres.go
-- ensureVersionTable: CREATE TABLE IF NOT EXISTS <schema>.<table> (version
-- bigint not null primary key, dirty boolean not null), names quoted), dirty:
CREATE TABLE IF NOT EXISTS "mh_gomigrate"."schema_migrations" (version bigint not null primary key, dirty boolean not null);
INSERT INTO mh_gomigrate.schema_migrations VALUES (20240201000000, true);
SET search_path = mh_rails, mh_ecto, mh_gomigrate;
SELECT tool, migration, applied_at, status, recorded_in, detail, ordinal FROM fk_guard.migration_history();

-- Django, Alembic, Liquibase, goose.
CREATE SCHEMA mh_py;
CREATE SCHEMA mh_jvm;
-- Django 5 (django.db.migrations.recorder.MigrationRecorder.Migration, as
-- sqlmigrate shows it):
CREATE TABLE "mh_py"."django_migrations" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL);
INSERT INTO mh_py.django_migrations (app, name, applied) VALUES
  ('contenttypes', '0001_initial', '2024-01-01 10:00:00+00'), ('shop', '0002_sessions_user', '2024-02-01 10:00:00+00');
-- Alembic 1.13 (alembic/runtime/migration.py: version_num String(32), PK alembic_version_pkc):
CREATE TABLE "mh_py"."alembic_version" (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO mh_py.alembic_version VALUES ('ae1027a6acf');
-- Liquibase 4 (the DATABASECHANGELOG and DATABASECHANGELOGLOCK tables as
-- `liquibase update-sql` prints them for PostgreSQL), with a FAILED row
-- (failOnError="false") and a MARK_RAN one:
CREATE TABLE mh_jvm.databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10));
CREATE TABLE mh_jvm.databasechangeloglock (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255), CONSTRAINT DATABASECHANGELOGLOCK_PKEY PRIMARY KEY (ID));
INSERT INTO mh_jvm.databasechangelog (id, author, filename, dateexecuted, orderexecuted, exectype) VALUES
  ('1', 'ada', 'db/changelog.xml', '2024-01-01 10:00:00', 1, 'EXECUTED'),
  ('2', 'ada', 'db/changelog.xml', '2024-01-02 10:00:00', 2, 'MARK_RAN'),
  ('3', 'bob', 'db/changelog.xml', '2024-02-01 10:00:00', 3, 'FAILED');
-- goose 3 (pressly/goose, internal/dialect/dialectquery/postgres.go:
-- (*Postgres).CreateTable), initial row version 0, one migration applied,
-- one applied then rolled back (is_applied false, as goose before 3.16
-- recorded a down migration):
CREATE TABLE mh_jvm.goose_db_version (
                id serial NOT NULL,
                version_id bigint NOT NULL,
                is_applied boolean NOT NULL,
                tstamp timestamp NULL default now(),
                PRIMARY KEY(id)
            );
INSERT INTO mh_jvm.goose_db_version (version_id, is_applied, tstamp) VALUES
  (0, true, '2024-01-01 09:00:00'), (20240101000000, true, '2024-01-01 10:00:00'),
  (20240201000000, true, '2024-02-01 10:00:00'), (20240201000000, false, '2024-02-02 10:00:00');
SET search_path = mh_py, mh_jvm;
SELECT tool, migration, applied_at, status, recorded_in, detail, ordinal FROM fk_guard.migration_history();

-- Laravel 8 (Illuminate\Database\Migrations\DatabaseMigrationRepository::
-- createRepository, as sent), in a schema before TypeORM's table of the
-- same name: each is told by its columns.
CREATE SCHEMA mh_php;
create table "mh_php"."migrations" ("id" serial primary key not null, "migration" varchar(255) not null, "batch" integer not null);
INSERT INTO mh_php.migrations (migration, batch) VALUES
  ('2014_10_12_000000_create_users_table', 1), ('2024_02_01_000000_sessions_user_id_foreign', 2);
SET search_path = mh_php, mh_node;
SELECT tool, migration, applied_at, status, recorded_in, detail, ordinal FROM fk_guard.migration_history();

-- Look-alikes are never guessed at: a schema_migrations with a text version
-- but no ar_internal_metadata (Rails cannot be told from dbmate and others),
-- a "migrations" table of neither TypeORM's nor Laravel's shape, a SequelizeMeta
-- without its name column, a view named like a tool's table.
CREATE SCHEMA mh_fake;
CREATE TABLE mh_fake.schema_migrations (version varchar(128) PRIMARY KEY);
INSERT INTO mh_fake.schema_migrations VALUES ('20240101000000');
CREATE TABLE mh_fake.migrations (id serial PRIMARY KEY, migration varchar(255) NOT NULL, ran_at timestamptz);
INSERT INTO mh_fake.migrations (migration) VALUES ('2014_10_12_000000_create_users_table');
CREATE TABLE mh_fake."SequelizeMeta" (id integer PRIMARY KEY);
INSERT INTO mh_fake."SequelizeMeta" VALUES (1);
CREATE VIEW mh_fake.django_migrations AS SELECT 1::bigint AS id, 'a'::text AS app, 'b'::text AS name, now() AS applied;
CREATE TABLE mh_fake.alembic_version (version_num integer);
INSERT INTO mh_fake.alembic_version VALUES (1);
SET search_path = mh_fake;
SELECT count(*) AS recognised FROM fk_guard.migration_history();

-- The caller's privileges apply: a table it may not read is reported as
-- unreadable, never read.
SET search_path = mh_node, mh_other;
CREATE ROLE mh_reader;
GRANT USAGE ON SCHEMA mh_node, mh_other TO mh_reader;
GRANT SELECT ON mh_node."SequelizeMeta" TO mh_reader;
SET ROLE mh_reader;
SELECT tool, migration, status, recorded_in, detail FROM fk_guard.migration_history() WHERE status <> 'applied';
SELECT count(*) FILTER (WHERE status = 'applied') AS applied FROM fk_guard.migration_history();
RESET ROLE;

-- Names that need quoting, in schema and table, are read quoted.
CREATE SCHEMA "mh odd""schema";
CREATE TABLE "mh odd""schema"."SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE , PRIMARY KEY ("name"));
INSERT INTO "mh odd""schema"."SequelizeMeta" VALUES ('1-x.cjs');
SET search_path = "mh odd""schema";
SELECT tool, migration, recorded_in FROM fk_guard.migration_history();

-- NULL: an error that names the argument.
SELECT * FROM fk_guard.migration_history_in(NULL);

RESET search_path;
DROP SCHEMA mh_node, mh_other, mh_rails, mh_ecto, mh_gomigrate, mh_py, mh_jvm, mh_php, mh_fake, "mh odd""schema" CASCADE;
DROP ROLE mh_reader;
