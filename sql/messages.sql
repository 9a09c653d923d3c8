-- Messages that fit the case and the tool: each statement exactly as the
-- tool sends it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA msg;
SET search_path = msg, public;
CREATE TABLE users (id integer PRIMARY KEY, legacy_uuid uuid UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
CREATE TABLE app_session (id serial PRIMARY KEY, user_id uuid);
CREATE TABLE "Post" (id text PRIMARY KEY, "authorId" uuid);

-- Sequelize v6 changeColumn with references: the double space.
ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");
-- TypeORM names keys FK_<27 hex>.
ALTER TABLE "sessions" ADD CONSTRAINT "FK_57de40bc620f456c7311aa3a1e6" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
-- Rails: fk_rails_<10 hex>.
ALTER TABLE "sessions" ADD CONSTRAINT "fk_rails_758836b4f0"
FOREIGN KEY ("userId")
  REFERENCES "users" ("id")
;
-- Django: <table>_<column>_<8 hex>_fk_<table>_<column>, deferrable.
ALTER TABLE "app_session" ADD CONSTRAINT "app_session_user_id_c5a5b1a0_fk_users_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") DEFERRABLE INITIALLY DEFERRED;
-- Prisma: "<Table>_<column>_fkey" with ON DELETE RESTRICT ON UPDATE CASCADE.
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- knex (and Laravel): <table>_<column>_foreign, lower case.
alter table "sessions" add constraint "sessions_userid_foreign" foreign key ("userId") references "users" ("id");
-- Plain SQL: no tool is named.
ALTER TABLE sessions ADD CONSTRAINT sessions_user FOREIGN KEY ("userId") REFERENCES users (id);

-- Arrays, composites and documents: a foreign key compares whole values, so
-- no conversion is proposed (Hibernate with an array type).
CREATE TABLE regions (name varchar(255) PRIMARY KEY);
CREATE TABLE stations (id int PRIMARY KEY, regions text[], place jsonb);
INSERT INTO stations VALUES (1, '{"Lazio 1"}', '{"region": "Lazio 1"}');
alter table if exists stations add constraint FKrjw9o2b6sa6yq1s58pq3rykfy foreign key (regions) references regions;
alter table if exists stations add constraint FKq0p9t5j3cd2s8ow6bdoxn2yoh foreign key (place) references regions;
SELECT fk_guard.fix_plan('stations', 'regions', 'regions');

-- The fix keeps the name the tool asked for (TypeORM compares names).
INSERT INTO users VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
INSERT INTO sessions VALUES ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
ALTER TABLE "sessions" ADD CONSTRAINT "FK_57de40bc620f456c7311aa3a1e6" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION;
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', 'id', on_unconvertible => 'map', constraint_name => 'FK_57de40bc620f456c7311aa3a1e6') \gexec
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'f';
ROLLBACK;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA msg CASCADE;
