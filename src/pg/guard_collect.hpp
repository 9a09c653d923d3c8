// The guard's first half: reads an ALTER TABLE / CREATE TABLE parse tree
// before PostgreSQL runs it and collects the foreign-key column pairs it will
// create, resolved the way PostgreSQL will resolve them (session search_path,
// ALTER COLUMN TYPE subcommands applied before ADD CONSTRAINT). Whatever it
// cannot resolve for sure is left out: the guard then says nothing.
#pragma once

#include "catalog_pairs.hpp"

namespace fkg {

struct ProposedPair {
  PgColumn referencing, referenced;
  Oid opclass;
  const char *constraint;           // the name PostgreSQL will give it
  const char *referencing_table;    // as the user would name it
  const char *referencing_column;   // quoted
  const char *referencing_attname;  // as stored
  const char *referenced_table;
  const char *referenced_column;   // quoted
  Oid referenced_rel;              // InvalidOid when the table is created by this statement
  bool declared_here;              // the referencing column is created by this statement
  bool type_changed;               // this statement changes the referencing column's type
  bool referenced_retyped;         // this statement changes the referenced column's type
  bool rebuilt;                    // an existing constraint PostgreSQL will rebuild (ALTER COLUMN TYPE)
  Oid referencing_rel;             // InvalidOid when the table is created by this statement
  int constraint_no;               // pairs of one constraint share this number
  Oid constraint_oid;              // the existing constraint, when rebuilt
  const char *referenced_attname;  // as stored
  // The statement's definition of the constraint (actions, MATCH,
  // deferrability, enforceability, with a column constraint's attributes
  // applied); NULL for a rebuilt one.
  const Constraint *definition;
  // PostgreSQL checks the referencing table's existing rows while adding it:
  // ALTER TABLE ... ADD FOREIGN KEY without NOT VALID, or ADD COLUMN ...
  // REFERENCES with a DEFAULT; never in CREATE TABLE, never NOT ENFORCED.
  bool validates;
};

struct ProposedPairs {
  ProposedPair *items;
  int count;
  // Something the statement does to foreign keys was not modelled (a name
  // that did not resolve, LIKE, a typed table ...): the end-of-statement
  // check then looks at what PostgreSQL actually built.
  bool unsure;
  // The table the statement creates or alters, for that check.
  Oid target_rel;            // ALTER TABLE: the table; CREATE TABLE: InvalidOid
  Oid target_namespace;      // CREATE TABLE: where the new table goes
  const char *target_name;   // CREATE TABLE: its name
  LOCKMODE target_lockmode;  // ALTER TABLE: the lock PostgreSQL takes on the table
  List *dropped;             // ALTER TABLE: String names of constraints the statement drops
};

// From the parse tree alone (no catalog access): can this statement create or
// rebuild a foreign key? DDL for which it cannot pays nothing more.
bool statement_may_add_foreign_keys(Node *parsetree);

// How much the collection does.
//   Full   every name a message needs (regclass names, PostgreSQL's default
//          constraint names), and PostgreSQL's SHARE ROW EXCLUSIVE lock on
//          each referenced table, taken now.
//   Quick  only what decides that every pair is clean: no names (constraint,
//          referencing_table and referenced_table are "" unless the statement
//          gives them), no lock on the referenced tables (their committed
//          catalog rows, as the catalog snapshot shows them), and a statement
//          with ALTER COLUMN TYPE comes back unsure (its rebuilt keys are left
//          to the full look).
enum class CollectMode { Full, Quick };

// Runs under pg_guard; returns the pairs of every foreign key the statement
// adds, and of every existing one its ALTER COLUMN TYPE makes PostgreSQL rebuild.
ProposedPairs *collect_proposed_pairs(Node *parsetree, CollectMode mode);

// Runs under pg_guard: the pairs of declared constraints found by the
// end-of-statement check, with names ready for messages.
ProposedPairs *proposed_from_key_pairs(const KeyPair *pairs, int n);

}  // namespace fkg
