#include "render.hpp"

#include "catalog_cache.hpp"
#include "citus.hpp"

namespace fkg {

namespace {

struct RawNames {
  const char *fk_table;    // as regclass prints it
  const char *fk_table_q;  // always schema-qualified, for SQL
  const char *fk_column;
  const char *pk_table;
  const char *pk_table_q;
  const char *pk_column;
  const char *constraint;    // quoted, or NULL
  bool distribution_column;  // the referencing column is its Citus table's distribution column
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
  if (citus::installed()) {
    citus::Distribution d = citus::distribution_of(p.referencing_rel);
    n->distribution_column =
        d.kind == citus::TableKind::Distributed && d.dist_att != InvalidAttrNumber && d.dist_att == p.referencing_att;
  }
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
  PairNames names;
  names.fk_table = n->fk_table;
  names.fk_table_q = n->fk_table_q;
  names.fk_column = n->fk_column;
  names.pk_table = n->pk_table;
  names.pk_table_q = n->pk_table_q;
  names.pk_column = n->pk_column;
  if (n->constraint) names.constraint = n->constraint;
  names.distribution_column = n->distribution_column;
  return render_pair_text(names, judged.facts, judged.verdict, judged.conversion);
}

}  // namespace fkg
