#include "pair_text.hpp"

#include "no_postgres.hpp"

namespace fkg {

using sql::Ident;

RenderedPair render_pair_text(const PairNames &n, const PairFacts &facts, const Verdict &verdict,
                              Conversion conversion) {
  const ColumnType &fk = facts.referencing;
  const ColumnType &pk = facts.referenced;
  bool collations_differ = fk.collation_oid != pk.collation_oid && fk.collation_oid && pk.collation_oid;

  RenderedPair r;
  r.referencing_type = type_with_collation_note(fk, collations_differ);
  r.referenced_type = type_with_collation_note(pk, collations_differ);
  r.detail = n.fk_table + "." + n.fk_column + " is " + r.referencing_type + "; " + n.pk_table + "." + n.pk_column +
             " is " + r.referenced_type + ". " + verdict.explanation();

  FixTarget t;
  t.referencing_table = n.fk_table_q;
  t.referencing_column = n.fk_column;
  t.referenced_table = n.pk_table_q;
  t.referenced_column = n.pk_column;
  t.target_type = pk.display;
  if (collations_differ) t.target_collation = pk.collation;
  t.constraint_name = n.constraint;
  t.conversion = conversion;
  t.whole_value = whole_value_problem(fk, pk);
  t.distribution_column = n.distribution_column;
  r.whole_values = !t.whole_value.empty();
  r.suggested_fix = write_type_fix(t, verdict);
  return r;
}

std::string implied_detail_prefix(const std::string &referenced_table, const std::vector<std::string> &others) {
  std::string why = "No foreign key is declared; the column's name points at " + referenced_table + ". ";
  if (!others.empty()) {
    why += "It could also mean ";
    for (size_t i = 0; i < others.size(); i++) why += (i ? ", " : "") + others[i];
    why += "; check which table is meant. ";
  }
  return why;
}

std::string no_fix_script(const std::vector<std::string> &lines) {
  sql::Script none;
  for (const std::string &l : lines) none.header(l);
  return none.render(false);
}

std::string no_fix_for_blockers(const std::string &blockers) {
  return no_fix_script({"No fix: ALTER COLUMN ... TYPE refuses a column that these use: " + blockers + ".",
                        "Drop them first and create them again after the conversion, then diagnose again."});
}

std::string no_fix_plan_script(const PlanRefused &e) {
  std::vector<std::string> lines{std::string("No fix plan: ") + e.what() + "."};
  if (!e.detail.empty()) lines.push_back(e.detail);
  if (!e.hint.empty()) lines.push_back(e.hint);
  return no_fix_script(lines);
}

bool fix_plan_wants_mapping(const FixPlanFacts &f) {
  return f.mode == OnUnconvertible::Map || (f.counts && f.counts->unconvertible > 0);
}

namespace {

std::string conversion_suffix(const std::string &conversion, const std::string &column) {
  // conversion_expression() writes the column followed by its casts.
  if (conversion.compare(0, column.size(), column) != 0)
    throw std::logic_error("unexpected conversion expression: " + sql::comment_safe(conversion));
  return conversion.substr(column.size());
}

}  // namespace

void fix_plan_precheck(const FixPlanFacts &f) {
  const std::string fkcol = f.table_q + "." + f.column_q;
  ColumnType from, to;
  from.display = f.source_type;
  from.base = f.source_base;
  from.category = f.source_category;
  to.display = f.target_type;
  to.base = f.target_base;
  to.category = f.target_category;
  if (!f.blockers.empty())
    throw PlanRefused("0A000", "no fix plan can convert " + fkcol + " while other objects use it",
                      "ALTER COLUMN ... TYPE refuses a column that these use: " + f.blockers + ".",
                      "Drop them first and create them again after the conversion (pg_get_viewdef() and "
                      "pg_policies show their definitions), then plan again.");
  std::string whole = whole_value_problem(from, to);
  if (!whole.empty())
    throw PlanRefused("42804", "no fix plan can convert " + fkcol + " (" + f.source_type + ") to " + f.target_type,
                      whole);
  if (f.mode == OnUnconvertible::Null && f.not_null)
    throw PlanRefused("22023", "on_unconvertible => 'null' needs a nullable column, and " + fkcol + " is NOT NULL", "",
                      "Use 'delete' to remove those rows, 'map' to map them, or 'fail' to stop.");
}

PlanInput fix_plan_input(const FixPlanFacts &f) {
  fix_plan_precheck(f);
  const std::string fkcol = f.table_q + "." + f.column_q;
  const PlanMapping *mapping = f.mapping ? &*f.mapping : nullptr;
  if (f.mode == OnUnconvertible::Map && mapping == nullptr)
    throw PlanRefused("22023", "no column of " + f.referenced_table_q + " holds the values of " + fkcol,
                      "on_unconvertible => 'map' needs a column of " + f.referenced_table_q + " of type " +
                          f.source_type + " whose values match, compared with PostgreSQL's own equality.",
                      "Use 'null' or 'delete' for the rows that cannot be converted, or 'fail' to stop.");
  if (f.mode == OnUnconvertible::Map && mapping->ambiguous > 0) {
    std::string samples;
    for (size_t i = 0; i < mapping->ambiguous_samples.size(); i++)
      samples += (i ? ", " : "") + mapping->ambiguous_samples[i];
    throw PlanRefused(
        "22023", "the mapping through " + f.referenced_table_q + "." + mapping->column.str() + " is not unique",
        std::to_string(mapping->ambiguous) + (mapping->ambiguous == 1 ? " value of " : " values of ") + fkcol +
            (mapping->ambiguous == 1 ? " matches" : " match") + " several rows of " + f.referenced_table_q +
            " (for example " + samples + "), so no single key can be chosen for them.",
        "Make the mapping column unique, or resolve those values first.");
  }

  PlanInput in;
  in.table = Ident::checked(f.table_q);
  in.column = Ident::checked(f.column_q);
  in.referenced_table = Ident::checked(f.referenced_table_q);
  in.referenced_column = Ident::checked(f.referenced_column_q);
  in.source_type = f.source_type;
  in.target_type = f.target_type;
  in.target_typmod = f.target_typmod;
  in.conversion_needed = f.conversion != f.column_q || !f.collation.empty();
  // The rows-lost check compares the converted value with the keys only where
  // fk_guard.converts() accepts it: there the cast with the modifier gives
  // what the ALTER COLUMN ... USING (to the unconstrained type) gives.
  in.conversion = "t." + in.column.str() + conversion_suffix(f.guarded_conversion, f.column_q);
  in.using_expression = f.conversion;
  in.rewrites = f.rewrites;
  if (!f.kept.empty()) in.kept_constraint = Ident::checked(f.kept);
  if (!f.add.empty()) in.constraint = Ident::checked(f.add);
  if (!f.wanted_constraint.empty()) {
    Ident wanted = Ident::checked(f.wanted_constraint);
    if (in.kept_constraint && in.kept_constraint->str() != wanted.str())
      in.rename_kept_to = wanted;
    else if (!in.kept_constraint)
      in.constraint = wanted;
  }
  in.lost_default = f.lost_default;
  if (!f.collation.empty()) in.target_collation = Ident::checked(f.collation);
  in.partitioned = f.partitioned;
  if (!f.owner_code.empty())
    in.notes.push_back("Runs code of other roles with your privileges: " + f.owner_code +
                       ". Review it first, or run the script as that role (SET ROLE).");
  for (const std::string &n : f.notes) in.notes.push_back(n);
  in.converts_function = Ident::checked(f.converts_helper ? std::string(kConvertsHelper) : f.converts_function);
  in.define_converts = f.converts_helper;
  in.mode = f.mode;
  if (f.counts) in.counts = &*f.counts;
  if (mapping) in.mapping = mapping;
  if (mapping && f.mode != OnUnconvertible::Map && mapping->ambiguous == 0)
    in.notes.push_back("With on_unconvertible => 'map' the values are mapped through " + f.referenced_table_q + "." +
                       mapping->column.str() + " instead.");
  return in;
}

std::string finish_fix_plan(const PlanInput &in, bool allow_cascade) {
  if (in.mode == OnUnconvertible::Delete && !in.cascades.empty() && !allow_cascade) {
    std::string detail;
    for (const CascadeEffect &c : in.cascades)
      detail += (detail.empty() ? "" : "\n") + std::to_string(c.rows) + (c.rows == 1 ? " row of " : " rows of ") +
                c.table + " through " + c.constraint + " (ON DELETE " + c.action + ")";
    throw PlanRefused("22023", "on_unconvertible => 'delete' would also change rows of other tables",
                      "Deleting the rows of " + in.table.str() + " that cannot be kept also changes:\n" + detail,
                      "Pass allow_cascade => true to accept that, or use 'null', 'map' or 'fail'.");
  }
  return write_fix_plan(in);
}

}  // namespace fkg
