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
  const char *constraint;          // the name PostgreSQL will give it
  const char *referencing_table;   // as the user would name it
  const char *referencing_column;  // quoted
  const char *referenced_table;
  const char *referenced_column;  // quoted
  Oid referenced_rel;             // InvalidOid when the table is created by this statement
  bool declared_here;             // the referencing column is created by this statement
  bool type_changed;              // this statement changes the referencing column's type
  int constraint_no;              // pairs of one constraint share this number
};

struct ProposedPairs {
  ProposedPair *items;
  int count;
};

// Runs under pg_guard; returns the pairs of every foreign key the statement adds.
ProposedPairs *collect_proposed_pairs(Node *parsetree);

}  // namespace fkg
