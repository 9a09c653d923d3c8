#include "render.hpp"

#include "catalog_cache.hpp"

namespace fkg {

namespace {

struct RawNames {
  const char *fk_table;    // as regclass prints it
  const char *fk_table_q;  // always schema-qualified, for SQL
  const char *fk_column;
  const char *pk_table;
  const char *pk_table_q;
  const char *pk_column;
  const char *constraint;  // quoted, or NULL
};

const char *qualified(Oid rel) { return catcache::qualified_name(rel); }

const char *column(Oid rel, AttrNumber att) {
  char *name = catcache::column_name(rel, att);
  return quote_identifier(name);
}

RawNames *read_names(const KeyPair &p) {
  RawNames *n = (RawNames *)palloc0(sizeof(RawNames));
  n->fk_table = catcache::regclass_text(p.referencing_rel);
  n->fk_table_q = qualified(p.referencing_rel);
  n->fk_column = column(p.referencing_rel, p.referencing_att);
  n->pk_table = catcache::regclass_text(p.referenced_rel);
  n->pk_table_q = qualified(p.referenced_rel);
  n->pk_column = column(p.referenced_rel, p.referenced_att);
  if (OidIsValid(p.constraint)) {
    char *con = catcache::constraint_name(p.constraint);
    n->constraint = con ? quote_identifier(con) : NULL;
  }
  return n;
}

}  // namespace

RenderedPair render_pair(const KeyPair &pair, const JudgedPair &judged) {
  const KeyPair *pp = &pair;
  RawNames *n = pg_guard([pp]() { return read_names(*pp); });
  const ColumnType &fk = judged.facts.referencing;
  const ColumnType &pk = judged.facts.referenced;
  bool collations_differ = fk.collation_oid != pk.collation_oid && fk.collation_oid && pk.collation_oid;

  RenderedPair r;
  r.referencing_type = type_with_collation_note(fk, collations_differ);
  r.referenced_type = type_with_collation_note(pk, collations_differ);
  r.detail = std::string(n->fk_table) + "." + n->fk_column + " is " + r.referencing_type + "; " + n->pk_table + "." +
             n->pk_column + " is " + r.referenced_type + ". " + judged.verdict.explanation();

  FixTarget t;
  t.referencing_table = n->fk_table_q;
  t.referencing_column = n->fk_column;
  t.referenced_table = n->pk_table_q;
  t.referenced_column = n->pk_column;
  t.target_type = pk.display;
  if (collations_differ) t.target_collation = pk.collation;
  if (n->constraint) t.constraint_name = n->constraint;
  t.conversion = judged.conversion;
  t.whole_value = whole_value_problem(fk, pk);
  r.whole_values = !t.whole_value.empty();
  r.suggested_fix = write_type_fix(t, judged.verdict);
  return r;
}

}  // namespace fkg
