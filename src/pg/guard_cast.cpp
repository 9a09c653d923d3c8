#include "guard_cast.hpp"

#include "catalog_pairs.hpp"
#include "compat.hpp"
#include "fix_plan.hpp"
#include "guard_data.hpp"
#include "guard_dropped.hpp"
#include "../core/guard_text.hpp"
#include "settings.hpp"

namespace fkg {

namespace {

// One ALTER COLUMN ... TYPE that no cast can do, read from the parse tree and
// the catalog.
struct RawConversion {
  Oid rel;
  AttrNumber att;
  const char *table;    // as regclass prints it
  const char *column;   // quoted
  const char *attname;  // as stored
  const char *source;   // the column's type now, as PostgreSQL prints it
  const char *target;   // the statement's new type, with its modifier
  const char *cast_to;  // USING's cast type, when with_using
  Oid target_type;
  int32 target_typmod;
  bool with_using;  // USING "col"::type: PostgreSQL raises 42846; else 42804
};

struct RawConversions {
  RawConversion *items;
  int count;
};

// USING "col"::type or CAST("col" AS type): the column cast to a type.
TypeName *plain_cast_of(Node *expr, const char *column) {
  if (expr == NULL || !IsA(expr, TypeCast)) return NULL;
  TypeCast *tc = (TypeCast *)expr;
  if (tc->arg == NULL || !IsA(tc->arg, ColumnRef)) return NULL;
  Node *last = (Node *)llast(((ColumnRef *)tc->arg)->fields);
  if (!IsA(last, String) || strcmp(strVal(last), column) != 0) return NULL;
  return tc->typeName;
}

bool resolve(TypeName *tn, Oid *type, int32 *typmod) {
  Type t = LookupTypeName(NULL, tn, typmod, true);
  if (t == NULL) return false;
  *type = typeTypeId(t);
  ReleaseSysCache(t);
  return true;
}

RawConversions *impossible_conversions(AlterTableStmt *stmt) {
  RawConversions *out = (RawConversions *)palloc0(sizeof(RawConversions));
  if (compat::alter_table_object_type(stmt) != OBJECT_TABLE) return out;
  Oid rel = RangeVarGetRelid(stmt->relation, NoLock, true);
  // Missing table, or one the user may not alter: PostgreSQL reports it.
  if (!OidIsValid(rel) || !compat::owns_relation(rel)) return out;
  out->items = (RawConversion *)palloc0(sizeof(RawConversion) * list_length(stmt->cmds));
  ListCell *lc;
  foreach (lc, stmt->cmds) {
    AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
    if (cmd->subtype != AT_AlterColumnType || cmd->name == NULL) continue;
    ColumnDef *def = (ColumnDef *)cmd->def;
    AttrNumber att = get_attnum(rel, cmd->name);
    if (att <= 0) continue;
    RawConversion c = {};
    c.rel = rel;
    c.att = att;
    if (!resolve(def->typeName, &c.target_type, &c.target_typmod)) continue;
    Oid cast_to = c.target_type;
    int32 cast_typmod = c.target_typmod;
    if (def->raw_default != NULL) {
      // Only the shape tools send; any other expression is PostgreSQL's to judge.
      TypeName *tn = plain_cast_of(def->raw_default, cmd->name);
      if (tn == NULL || !resolve(tn, &cast_to, &cast_typmod)) continue;
      c.with_using = true;
    }
    Oid source = get_atttype(rel, att);
    if (can_coerce_type(1, &source, &cast_to, COERCION_EXPLICIT)) continue;
    c.table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(rel)));
    c.attname = pstrdup(cmd->name);
    c.column = quote_identifier(c.attname);
    c.source = format_type_be(source);
    c.target = format_type_with_typemod(c.target_type, c.target_typmod);
    c.cast_to = format_type_be(cast_to);
    out->items[out->count++] = c;
  }
  return out;
}

struct RawKey {
  const char *table;       // as regclass prints it
  const char *attname;     // as stored
  const char *column;      // quoted
  const char *type;        // as PostgreSQL prints it
  const char *constraint;  // quoted, or NULL when implied by the name
};

RawKey *key_names(const KeyPair *k) {
  RawKey *r = (RawKey *)palloc0(sizeof(RawKey));
  r->table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(k->referenced_rel)));
  r->attname = get_attname(k->referenced_rel, k->referenced_att, false);
  r->column = quote_identifier(r->attname);
  r->type = format_type_with_typemod(k->referenced.type, k->referenced.typmod);
  if (OidIsValid(k->constraint)) {
    char *name = get_constraint_name(k->constraint);
    r->constraint = name ? quote_identifier(name) : NULL;
  }
  return r;
}

// The conversion as messages name it.
ConversionText text_of(const RawConversion &c) {
  ConversionText t;
  t.table = c.table;
  t.column = c.column;
  t.attname = c.attname;
  t.source = c.source;
  t.target = c.target;
  t.cast_to = c.cast_to;
  t.with_using = c.with_using;
  return t;
}

// PostgreSQL's SQLSTATE for the conversion (42846 with USING "col"::type,
// else 42804), as an ERROR under mode = enforce, a WARNING under warn.
void raise_conversion(const RawConversion &c, const NoticeText &text) {
  Report r;
  r.elevel = guard_mode == MODE_ENFORCE ? ERROR : WARNING;
  r.sqlstate = c.with_using ? ERRCODE_CANNOT_COERCE : ERRCODE_DATATYPE_MISMATCH;
  r.message = text.message;
  r.detail = text.detail;
  r.hint = text.hint;
  raise(r);
}

void report(const RawConversion &c, const KeyPair &key) {
  const KeyPair *kp = &key;
  RawKey *k = pg_guard([kp]() { return key_names(kp); });
  std::string referenced = std::string(k->table) + "." + k->column;
  bool key_of_target_type = key.referenced.type == c.target_type;

  ProfileRequest req;
  req.rel = c.rel;
  req.attname = c.attname;
  req.target = c.target_type;
  req.typmod = c.target_typmod;
  if (key_of_target_type) {
    req.keys_rel = key.referenced_rel;
    req.keys_attname = k->attname;
    req.keys_display = referenced;
  }
  Profile prof = profile_of(req);

  CastRefusalFacts f;
  static_cast<ConversionText &>(f) = text_of(c);
  f.referenced_table = k->table;
  f.referenced_column = k->column;
  f.referenced_attname = k->attname;
  f.key_type = k->type;
  f.constraint = k->constraint ? k->constraint : "";
  f.key_of_target_type = key_of_target_type;
  f.data = data_facts(prof);
  // The column leaves its key's type (a key type change that a tool sends
  // column by column, the references first): the key may be what changes.
  if (!key_of_target_type) {
    Oid rel = key.referenced_rel, type = c.target_type;
    AttrNumber att = key.referenced_att;
    f.key_may_follow = pg_guard([rel, att, type]() { return surrogate_key_may_follow(rel, att, type); });
  }
  f.tool_note = cast_tool_note();
  raise_conversion(c, cast_refusal(f));
}

// The column was the key of foreign keys this transaction dropped: what it
// held, and the plan that changes a key's type with its references.
void report_dropped(const RawConversion &c, const DroppedReferrers &refs) {
  DroppedKeysFacts f;
  static_cast<ConversionText &>(f) = text_of(c);
  f.uuid_target = c.target_type == UUIDOID;
  for (int i = 0; i < refs.count; i++)
    f.references.push_back(
        {std::string(refs.items[i].table) + "." + refs.items[i].column, refs.items[i].type, refs.items[i].conname});
  raise_conversion(c, dropped_keys_refusal(f));
}

}  // namespace

void check_key_conversions(Node *parsetree) {
  if (parsetree == NULL || !IsA(parsetree, AlterTableStmt)) return;
  AlterTableStmt *stmt = (AlterTableStmt *)parsetree;
  RawConversions *found = pg_guard([stmt]() { return impossible_conversions(stmt); });
  for (int i = 0; i < found->count; i++) {
    KeyPair key;
    const RawConversion &c = found->items[i];
    if (key_referenced_by(c.rel, c.att, &key)) {
      report(c, key);
      continue;
    }
    Oid rel = c.rel;
    AttrNumber att = c.att;
    DroppedReferrers *refs = pg_guard([rel, att]() { return dropped_referrers_of(rel, att); });
    if (refs->count > 0) report_dropped(c, *refs);
  }
}

}  // namespace fkg
