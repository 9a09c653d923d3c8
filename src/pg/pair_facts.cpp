#include "pair_facts.hpp"

#include "compat.hpp"
#include "profile.hpp"

namespace fkg {

namespace {

// Catalog facts about one column type, as plain PostgreSQL values.
struct RawColumn {
  Oid type;
  Oid base;
  int32 typmod;  // effective: the column's, else the domain's
  Oid collation;
  bool is_domain;
  bool deterministic;
  const char *typname;
  const char *display;
  const char *base_display;
  const char *collation_name;
  char category;  // typcategory of the base type
};

struct RawFacts {
  RawColumn fk, pk;
  bool accepted;
  int collation_refusal;     // CollationRefusal
  bool cross_equality_only;  // refused: the family has (key, referencing) equality but not (referencing, referencing)
  int comparison;            // Comparison
  bool index_usable;
  int conversion;  // Conversion
  const char *opfamily;
  const char *compared_as;
};

enum CollationRefusal { COLL_OK, COLL_NOT_BOTH_COLLATABLE, COLL_NONDETERMINISTIC };

const char *type_name(Oid type) {
  HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
  if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for type %u", type);
  const char *name = pstrdup(NameStr(((Form_pg_type)GETSTRUCT(tup))->typname));
  ReleaseSysCache(tup);
  return name;
}

void read_column(const PgColumn &in, RawColumn *out) {
  int32 base_typmod = in.typmod;
  Oid base = getBaseTypeAndTypmod(in.type, &base_typmod);
  out->type = in.type;
  out->base = base;
  out->is_domain = base != in.type;
  out->typmod = in.typmod >= 0 ? in.typmod : base_typmod;
  out->collation = in.collation;
  out->deterministic = OidIsValid(in.collation) ? get_collation_isdeterministic(in.collation) : true;
  out->typname = type_name(base);
  out->category = TypeCategory(base);
  out->display = format_type_with_typemod(in.type, in.typmod);
  out->base_display = format_type_with_typemod(base, out->typmod);
  out->collation_name = OidIsValid(in.collation) ? generate_collation_name(in.collation) : nullptr;
}

// PostgreSQL's rule from ATAddForeignKeyConstraint (tablecmds.c), step by
// step: an equality operator of the index's operator family taking
// (opcintype, referencing base type) plus one taking the referencing base
// type on both sides; failing that, an implicit coercion of both column types
// to opcintype, which then uses the index's own equality operator.
// The accept/refuse part of the rule (accepted, comparison,
// collation_refusal); the operator class's family and input type in
// *opfamily and *opcintype.
void postgres_accepts(const PgColumn &fk, const PgColumn &pk, Oid opclass, RawFacts *out, Oid *opfamily_out,
                      Oid *opcintype_out) {
  HeapTuple tup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
  if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for operator class %u", opclass);
  Form_pg_opclass cla = (Form_pg_opclass)GETSTRUCT(tup);
  Oid amid = cla->opcmethod;
  Oid opfamily = cla->opcfamily;
  Oid opcintype = cla->opcintype;
  ReleaseSysCache(tup);
  if (amid != BTREE_AM_OID)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("operator class %u is not a btree operator class", opclass)));
  *opfamily_out = opfamily;
  *opcintype_out = opcintype;

  Oid ppeqop = get_opfamily_member(opfamily, opcintype, opcintype, BTEqualStrategyNumber);
  Oid fktyped = getBaseType(fk.type);
  Oid pfeqop = get_opfamily_member(opfamily, opcintype, fktyped, BTEqualStrategyNumber);
  Oid ffeqop = OidIsValid(pfeqop) ? get_opfamily_member(opfamily, fktyped, fktyped, BTEqualStrategyNumber) : InvalidOid;
  out->comparison = (int)Comparison::Operator;
  if (!(OidIsValid(pfeqop) && OidIsValid(ffeqop))) {
    Oid input_typeids[2] = {pk.type, fk.type};
    Oid target_typeids[2] = {opcintype, opcintype};
    if (OidIsValid(ppeqop) && can_coerce_type(2, input_typeids, target_typeids, COERCION_IMPLICIT)) {
      pfeqop = ffeqop = ppeqop;
      out->comparison =
          (int)(IsBinaryCoercible(fk.type, opcintype) ? Comparison::BinaryCoercion : Comparison::FunctionCoercion);
    }
  }
  out->accepted = OidIsValid(pfeqop) && OidIsValid(ffeqop);
  out->cross_equality_only = !out->accepted && OidIsValid(pfeqop);
  if (!out->accepted) out->comparison = (int)Comparison::None;
  // PostgreSQL 18 then checks the pair's collations (the columns'
  // attcollation): a collatable column cannot pair with one that is not
  // ("key columns are not both collatable", e.g. "char" -> text), and two
  // different collations are refused when either is nondeterministic.
  if (compat::foreign_keys_check_collations && out->accepted) {
    if (OidIsValid(fk.collation) != OidIsValid(pk.collation))
      out->collation_refusal = COLL_NOT_BOTH_COLLATABLE;
    else if (OidIsValid(fk.collation) && fk.collation != pk.collation &&
             (!get_collation_isdeterministic(fk.collation) || !get_collation_isdeterministic(pk.collation)))
      out->collation_refusal = COLL_NONDETERMINISTIC;
    out->accepted = out->collation_refusal == COLL_OK;
  }
}

void apply_postgres_rule(const PgColumn &fk, const PgColumn &pk, Oid opclass, RawFacts *out) {
  Oid opfamily, opcintype;
  postgres_accepts(fk, pk, opclass, out, &opfamily, &opcintype);
  Oid fktyped = getBaseType(fk.type);
  Oid fk_opclass = GetDefaultOpClass(fktyped, BTREE_AM_OID);
  out->index_usable = OidIsValid(fk_opclass) && get_opclass_family(fk_opclass) == opfamily;

  HeapTuple fam = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
  if (!HeapTupleIsValid(fam)) elog(ERROR, "cache lookup failed for operator family %u", opfamily);
  out->opfamily = quote_identifier(pstrdup(NameStr(((Form_pg_opfamily)GETSTRUCT(fam))->opfname)));
  ReleaseSysCache(fam);
  out->compared_as = format_type_be(opcintype);
}

int conversion_of(const PgColumn &fk, const PgColumn &pk) {
  Oid src = fk.type, dst = pk.type;
  if (can_coerce_type(1, &src, &dst, COERCION_ASSIGNMENT)) return (int)Conversion::Assignment;
  if (can_coerce_type(1, &src, &dst, COERCION_EXPLICIT))
    return (int)(cast_applies_typmod(src, dst) ? Conversion::ExplicitTypmod : Conversion::Explicit);
  return (int)Conversion::None;
}

ColumnType to_column_type(const RawColumn &r) {
  ColumnType c;
  c.type_oid = r.type;
  c.typmod = r.typmod;
  c.collation_oid = r.collation;
  c.display = r.display;
  c.base = r.typname ? r.typname : "";
  c.base_display = r.base_display;
  c.builtin = r.base < FirstNormalObjectId;
  c.category = r.category;
  if (r.is_domain) c.domain = r.display;
  if (r.collation_name) c.collation = r.collation_name;
  c.collation_deterministic = r.deterministic;
  return c;
}

}  // namespace

bool pair_is_clean(const PgColumn &referencing, const PgColumn &referenced, Oid opclass) {
  // classify() gives an identical pair that PostgreSQL accepts no problem at
  // all; anything else goes through judge_pair().
  if (referencing.type != referenced.type || referencing.typmod != referenced.typmod ||
      referencing.collation != referenced.collation)
    return false;
  RawFacts raw{};
  RawFacts *rawp = &raw;
  pg_guard([&referencing, &referenced, opclass, rawp]() {
    Oid opfamily, opcintype;
    postgres_accepts(referencing, referenced, opclass, rawp, &opfamily, &opcintype);
  });
  return raw.accepted;
}

JudgedPair judge_pair(const PgColumn &referencing, const PgColumn &referenced, Oid opclass) {
  RawFacts raw{};
  RawFacts *rawp = &raw;
  pg_guard([&referencing, &referenced, opclass, rawp]() {
    read_column(referencing, &rawp->fk);
    read_column(referenced, &rawp->pk);
    apply_postgres_rule(referencing, referenced, opclass, rawp);
    rawp->conversion = conversion_of(referencing, referenced);
  });

  JudgedPair j;
  j.facts.referencing = to_column_type(raw.fk);
  j.facts.referenced = to_column_type(raw.pk);
  j.facts.accepted = raw.accepted;
  j.facts.comparison = static_cast<Comparison>(raw.comparison);
  j.facts.referencing_index_usable = raw.index_usable;
  j.facts.opfamily = raw.opfamily;
  j.facts.compared_as = raw.compared_as;
  j.conversion = static_cast<Conversion>(raw.conversion);
  if (!raw.accepted)
    j.facts.refusal = raw.collation_refusal == COLL_NOT_BOTH_COLLATABLE ? Refusal::NotBothCollatable
                      : raw.collation_refusal == COLL_NONDETERMINISTIC  ? Refusal::NondeterministicCollation
                      : raw.cross_equality_only                         ? Refusal::NoReferencingEquality
                                                                        : Refusal::NoEquality;
  j.verdict = classify(j.facts);
  j.collation_refusal = raw.collation_refusal != COLL_OK;
  // PostgreSQL's own codes: 42P21 for the collations; for "not both
  // collatable" it raises an internal error (XX000), reported as 42804 here.
  if (raw.collation_refusal == COLL_NONDETERMINISTIC) j.sqlstate = ERRCODE_COLLATION_MISMATCH;
  return j;
}

Oid default_btree_opclass(Oid type) {
  return pg_guard([type]() {
    Oid opclass = GetDefaultOpClass(type, BTREE_AM_OID);
    if (!OidIsValid(opclass))
      ereport(ERROR,
              (errcode(ERRCODE_UNDEFINED_OBJECT),
               errmsg("data type %s has no default operator class for access method \"btree\"", format_type_be(type)),
               errhint("A column of this type cannot be a primary key or unique key without an explicit "
                       "operator class; pass one as referenced_opclass.")));
    return opclass;
  });
}

}  // namespace fkg
