-- Citus's own rules for foreign keys between its tables, judged before
-- PostgreSQL or Citus starts, in Citus's words, with a fix that works on
-- Citus. With pg_fk_guard.mode = warn the guard only warns, and Citus then
-- refuses the same key with the same message.
CREATE SCHEMA rules;
SET search_path = rules;
CREATE TABLE accounts (id bigint PRIMARY KEY);
SELECT create_distributed_table('rules.accounts', 'id', shard_count => 4);
CREATE TABLE plans (id bigint PRIMARY KEY);
SELECT create_reference_table('rules.plans');
-- integer vs bigint distribution columns: never colocated.
CREATE TABLE orders (account_id int, id int, plan_id bigint);
SELECT create_distributed_table('rules.orders', 'account_id', shard_count => 4);
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
SET pg_fk_guard.mode = warn;
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
RESET pg_fk_guard.mode;
-- The fix the hint gives, run as it stands.
SELECT undistribute_table('orders');
ALTER TABLE orders ALTER COLUMN account_id TYPE bigint;
SELECT create_distributed_table('orders', 'account_id', colocate_with => 'accounts');
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
-- Same types, not colocated.
CREATE TABLE invoices (account_id bigint, id int);
SELECT create_distributed_table('rules.invoices', 'account_id', colocate_with => 'none', shard_count => 4);
ALTER TABLE invoices ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
SELECT alter_distributed_table('invoices', colocate_with => 'accounts');
ALTER TABLE invoices ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
-- A key between colocated tables with the distribution column at another position.
CREATE TABLE items (account_id bigint, order_id int, id int);
SELECT create_distributed_table('rules.items', 'account_id', colocate_with => 'accounts');
ALTER TABLE orders ADD UNIQUE (id, account_id);
ALTER TABLE items ADD FOREIGN KEY (account_id, order_id) REFERENCES orders(id, account_id);
SET pg_fk_guard.mode = warn;
SET pg_fk_guard.soft_mismatches = ignore;
ALTER TABLE items ADD FOREIGN KEY (account_id, order_id) REFERENCES orders(id, account_id);
RESET pg_fk_guard.soft_mismatches;
RESET pg_fk_guard.mode;
-- With the distribution column at the same position: accepted.
ALTER TABLE items ADD FOREIGN KEY (order_id, account_id) REFERENCES orders(id, account_id);
-- ON DELETE SET NULL with the distribution column in the key.
ALTER TABLE items ADD FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE SET NULL;
-- ON DELETE SET NULL to a reference table: accepted by Citus, by the guard too.
ALTER TABLE orders ADD FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE SET NULL;
-- Reference table -> distributed table.
CREATE TABLE plan_owners (plan_id bigint, account_id bigint);
SELECT create_reference_table('rules.plan_owners');
ALTER TABLE plan_owners ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
-- Distributed table -> Citus local table.
CREATE TABLE notes (id bigint PRIMARY KEY);
SELECT citus_add_local_table_to_metadata('rules.notes');
CREATE TABLE notes_links (account_id bigint, note_id bigint);
SELECT create_distributed_table('rules.notes_links', 'account_id', colocate_with => 'accounts');
ALTER TABLE notes_links ADD FOREIGN KEY (note_id) REFERENCES notes(id);
-- Distributed table -> PostgreSQL table.
CREATE TABLE codes (id bigint PRIMARY KEY);
ALTER TABLE notes_links ADD FOREIGN KEY (note_id) REFERENCES codes(id);
-- A hint that converts a distribution column distributes the table again
-- (Citus: cannot execute ALTER TABLE command involving partition column).
CREATE TABLE visits (plan_id int, at date);
SELECT create_distributed_table('rules.visits', 'plan_id', shard_count => 4);
INSERT INTO visits SELECT g % 4 + 1, date '2026-01-01' + g FROM generate_series(1, 20) g;
SET pg_fk_guard.soft_mismatches = error;
ALTER TABLE visits ADD FOREIGN KEY (plan_id) REFERENCES plans(id);
RESET pg_fk_guard.soft_mismatches;
ALTER TABLE visits ALTER COLUMN plan_id TYPE bigint;
-- The hint's statements, as they stand.
SELECT undistribute_table('visits'); ALTER TABLE visits ALTER COLUMN plan_id TYPE bigint; SELECT create_distributed_table('visits', 'plan_id', colocate_with => 'default');
INSERT INTO plans SELECT g FROM generate_series(1, 4) g;
ALTER TABLE visits ADD FOREIGN KEY (plan_id) REFERENCES plans(id);
SELECT count(*) AS visits, pg_typeof(min(plan_id)) FROM visits;
-- What was accepted.
SELECT conrelid::regclass, conname FROM pg_constraint
 WHERE contype = 'f' AND connamespace = 'rules'::regnamespace ORDER BY 1::text, 2;
RESET search_path;
-- Colocation groups are shared with the tests that follow.
DROP SCHEMA rules CASCADE;
