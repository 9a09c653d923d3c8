-- A schema with a finding of every check of fk_guard.check_foreign_keys(),
-- for test/run_sarif_check.sh. Names that JSON and SARIF must escape or
-- quote: mixed case, spaces, quotes, backslashes, non-ASCII.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET pg_fk_guard.soft_mismatches = ignore;
CREATE SCHEMA "Shop ""EU""";
SET search_path = "Shop ""EU""", public;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, phone text, UNIQUE (email, phone));
CREATE TABLE "Sessions\Log" (sid text PRIMARY KEY, "userId" int);
-- duplicate
ALTER TABLE "Sessions\Log" ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES users (id);
ALTER TABLE "Sessions\Log" ADD CONSTRAINT "sessions_userId_fkey1" FOREIGN KEY ("userId") REFERENCES users (id);
CREATE INDEX ON "Sessions\Log" ("userId");
-- overlapping
CREATE TABLE contacts (email text, phone text,
  CONSTRAINT contacts_ep FOREIGN KEY (email, phone) REFERENCES users (email, phone) MATCH FULL,
  CONSTRAINT contacts_pe FOREIGN KEY (phone, email) REFERENCES users (email, phone) MATCH FULL);
CREATE INDEX ON contacts (email, phone);
-- unindexed; nullable_match_simple
CREATE TABLE "Bestellungen ü" (id int PRIMARY KEY, user_id int REFERENCES users, email text, phone text,
  CONSTRAINT orders_contact FOREIGN KEY (email, phone) REFERENCES users (email, phone));
-- not_validated
CREATE TABLE audit (id int, user_id int);
CREATE INDEX ON audit (user_id);
INSERT INTO users VALUES (1, 'a@example.com', '1');
INSERT INTO audit VALUES (1, 99);
ALTER TABLE audit ADD CONSTRAINT audit_user_fk FOREIGN KEY (user_id) REFERENCES users NOT VALID;
-- type_mismatch: declared, on two column pairs of one key, and implied by naming
CREATE TABLE tokens (id int, user_id bigint REFERENCES users);
CREATE INDEX ON tokens (user_id);
CREATE TABLE pairs (a int, b text COLLATE "C", PRIMARY KEY (a, b));
CREATE TABLE pair_refs (a bigint, b text, FOREIGN KEY (a, b) REFERENCES pairs MATCH FULL);
CREATE INDEX ON pair_refs (a, b);
CREATE TABLE comments (id int, users_id bigint);
-- partitioned: reported once
CREATE TABLE logs (id int, user_id int REFERENCES users, at date) PARTITION BY RANGE (at);
CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
