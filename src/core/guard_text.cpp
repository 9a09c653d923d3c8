#include "guard_text.hpp"

#include "sql_writer.hpp"
#include "no_postgres.hpp"

namespace fkg {

std::string plural(int64_t n, const std::string &one, const std::string &many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

namespace {

std::string samples_text(const std::vector<std::string> &samples) {
  std::string s = " (for example ";
  for (size_t i = 0; i < samples.size(); i++) s += (i ? " and " : "") + sql::literal(samples[i]);
  return s + ")";
}

const char *is_or_becomes(bool retyped) { return retyped ? " becomes " : " is "; }

std::string pair_fix_plan_call(const KeyNames &n, CallStyle calls, const char *mode = nullptr) {
  return fix_plan_call(n.referencing_table, n.referencing_attname, n.referenced_table, n.referenced_attname, mode,
                       n.constraint.empty() ? nullptr : n.constraint.c_str(), calls);
}

}  // namespace

const char *const kDistributionNote =
    " (the distribution column: Citus cannot change its type in place, so the table is distributed again; "
    "undistribute_table refuses while foreign keys involve the table)";

std::string data_sentence(const std::string &table, const std::string &column, const std::string &source,
                          const std::string &target, const DataFacts &d) {
  if (!d.read) {
    if (d.estimated > d.row_limit)
      return table + " has about " + std::to_string((long long)d.estimated) +
             " rows, more than pg_fk_guard.profile_row_limit, so its data was not read.";
    if (!d.not_read.empty()) return "The data of " + table + " was not profiled: " + d.not_read + ".";
    return "";
  }
  if (d.rows_total == 0) return table + " is empty.";
  std::string s = table + " holds " + plural(d.rows_total, "row", "rows");
  if (d.rows_null == d.rows_total) return s + ", " + (d.rows_total == 1 ? "with " : "all with ") + column + " NULL.";
  s += ": " + std::to_string(d.rows_null) + " with " + column + " NULL";
  if (d.rows_convertible > 0) {
    s += ", " + plural(d.rows_convertible, source + " value", source + " values") +
         (d.rows_convertible == 1 ? " that converts to " : " that convert to ") + target;
    if (d.orphans_checked && d.rows_orphaned == 0)
      s += d.rows_convertible == 1 ? " and matches a key of " + d.keys : ", each matching a key of " + d.keys;
    else if (d.orphans_checked)
      s += d.rows_orphaned == d.rows_convertible
               ? std::string(d.rows_convertible == 1 ? " but matches no key of " : " but none matches a key of ") +
                     d.keys + samples_text(d.sample_orphaned)
               : ", of which " + std::to_string(d.rows_orphaned) + (d.rows_orphaned == 1 ? " matches" : " match") +
                     " no key of " + d.keys + samples_text(d.sample_orphaned);
  }
  if (d.rows_unconvertible > 0)
    s += ", " + plural(d.rows_unconvertible, source + " value", source + " values") + " that cannot become " + target +
         samples_text(d.sample_unconvertible);
  s += ".";
  if (!d.keys_not_read.empty() && d.rows_convertible > 0)
    s += " Whether the values match keys was not checked: " + d.keys_not_read + ".";
  return s;
}

std::string js_literal(const std::string &s) {
  static const char *const hex = "0123456789abcdef";
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += (char)c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += (char)c;
    }
  }
  return out + "'";
}

std::string fix_plan_call(const std::string &table, const std::string &column, const std::string &referenced_table,
                          const std::string &referenced_column, const char *mode, const char *constraint,
                          CallStyle calls) {
  if (calls == CallStyle::Package) {
    std::string call =
        "fixPlan(db, {referencingTable: " + js_literal(table) + ", referencingColumn: " + js_literal(column) +
        ", referencedTable: " + js_literal(referenced_table) + ", referencedColumn: " + js_literal(referenced_column);
    if (mode) call += std::string(", onUnconvertible: ") + js_literal(mode);
    if (constraint) call += ", constraintName: " + js_literal(constraint);
    return call + "})";
  }
  std::string call = "SELECT fk_guard.fix_plan(" + sql::literal(table) + ", " + sql::literal(column) + ", " +
                     sql::literal(referenced_table) + ", " + sql::literal(referenced_column);
  if (mode) call += std::string(", on_unconvertible => ") + sql::literal(mode);
  if (constraint) call += ", constraint_name => " + sql::literal(constraint);
  return call + ")";
}

std::string explain_call(const std::string &qualified, const std::string &column, CallStyle calls) {
  if (calls == CallStyle::Package)
    return "explain(db, {table: " + js_literal(sql::Ident::checked(qualified).str()) +
           ", column: " + js_literal(column) + "});";
  return "SELECT fk_guard.explain(" + sql::literal(sql::Ident::checked(qualified).str()) + ", " + sql::literal(column) +
         ");";
}

std::string change_key_type_plan_call(const std::string &referenced_table, const std::string &referenced_column,
                                      const std::string &new_type, CallStyle calls) {
  if (calls == CallStyle::Package)
    return "changeKeyTypePlan(db, {referencedTable: " + js_literal(referenced_table) +
           ", referencedColumn: " + js_literal(referenced_column) + ", newType: " + js_literal(new_type) + "})";
  return "SELECT fk_guard.change_key_type_plan(" + sql::literal(referenced_table) + ", " +
         sql::literal(referenced_column) + ", " + sql::literal(new_type) + ")";
}

std::string type_with_collation_note(const ColumnType &c, bool show_collation) {
  if (show_collation && !c.collation.empty()) return c.display + " COLLATE " + c.collation;
  return c.display;
}

std::string refusal_message(const std::string &constraint) {
  return "foreign key constraint \"" + constraint + "\" cannot be implemented";
}

std::string pair_detail(const KeyNames &n, const ColumnType &fk, bool fk_retyped, const ColumnType &pk, bool pk_retyped,
                        const Verdict &v) {
  return n.referencing_table + "." + n.referencing_column + is_or_becomes(fk_retyped) + fk.display + "; " +
         n.referenced_table + "." + n.referenced_column + is_or_becomes(pk_retyped) + pk.display + ". " +
         v.explanation();
}

std::string soft_message(const std::string &constraint, bool rebuilt, const ColumnType &fk, const ColumnType &pk,
                         Kind kind) {
  return "foreign key constraint \"" + constraint + "\"" + (rebuilt ? " will pair " : " pairs ") + fk.display +
         " with " + pk.display + " (" + kind_name(kind) + ")";
}

std::string key_change_note(const KeyNames &n, const std::string &t, CallStyle calls) {
  return " Or, if " + n.referenced_table + "." + n.referenced_column + " should become " + t +
         " instead: " + change_key_type_plan_call(n.referenced_table, n.referenced_attname, t, calls) +
         " writes the script that changes it together with every column that references it.";
}

std::string explain_note(const LeftOut &w, const std::string &explain_call_sql) {
  std::vector<std::string> what;
  if (w.data_not_read)
    what.push_back("the data, not read here");
  else if (w.keys_not_read)
    what.push_back("which values match no key");
  if (w.objects) what.push_back("the objects on the column that a conversion touches");
  if (w.history) what.push_back("which migrations ran");
  if (what.empty()) return "";
  std::string list;
  for (size_t i = 0; i < what.size(); i++) list += (i == 0 ? "" : i + 1 == what.size() ? " and " : ", ") + what[i];
  return " What the DETAIL leaves out (" + list + "): " + explain_call_sql;
}

std::string incompatible_hint(const RefusalFacts &f) {
  const KeyNames &n = f.names;
  const ColumnType &fk = f.fk;
  const ColumnType &pk = f.pk;
  const DataFacts &d = f.data;
  std::string col = n.referencing_table + "." + n.referencing_column;
  if (f.collation_refusal && fk.base_display == pk.base_display && !pk.collation.empty()) {
    // PostgreSQL 18+ refused the collations, not the types.
    std::string target = fk.display + " COLLATE " + pk.collation;
    std::string of = ", the collation of " + n.referenced_table + "." + n.referenced_column;
    if (f.declared_here) return "Declare " + n.referencing_column + " as " + target + of + ".";
    return "Give " + col + " " + of.substr(2) + ": " +
           alter_column_type_sql(n.referencing_table, n.referencing_column, fk.display, pk.collation,
                                 Conversion::Assignment) +
           "; then add the foreign key.";
  }
  std::string whole = whole_value_problem(fk, pk);
  if (!whole.empty()) return whole;
  if (f.declared_here)
    return "Declare " + n.referencing_column + " as " + pk.display + ", the type of " + n.referenced_table + "." +
           n.referenced_column + ".";
  std::string hint;
  if (d.read && d.rows_total == d.rows_null) {
    hint = (d.rows_total == 0 ? n.referencing_table + " is empty" : "Every " + col + " is NULL") +
           ", so the type can change without losing anything: " +
           alter_column_type_sql(n.referencing_table, n.referencing_column, pk.display, "", Conversion::ToNull) +
           "; then add the foreign key.";
  } else if (f.conversion == Conversion::None) {
    hint = "There is no cast from " + fk.display + " to " + pk.display + ", so no USING expression can convert " + col +
           ": map its values to keys of " + n.referenced_table +
           " through a column that holds them (UPDATE ... FROM), or set to NULL or delete the rows that cannot be "
           "mapped; then change its type to " +
           pk.display + " and add the foreign key. " + pair_fix_plan_call(n, f.calls, "map") +
           " writes that script; with 'null' it sets the unmapped values to NULL, with 'delete' it deletes their rows.";
  } else {
    hint = std::string("Change the column's type first") + (f.distribution ? kDistributionNote : "") + ": " + f.alter +
           "; then add the foreign key.";
    if (d.read && d.rows_orphaned > 0)
      hint += " The foreign key would then fail on the " +
              plural(d.rows_orphaned, "value that matches", "values that match") + " no key of " + d.keys +
              (d.rows_unconvertible > 0 ? ", and the conversion on those that cannot convert" : "") +
              ": add the missing keys to " + n.referenced_table + ", or run the script " +
              pair_fix_plan_call(n, f.calls, "null") + " writes, which sets " +
              (d.rows_unconvertible > 0 ? "all of them" : "them") +
              " to NULL ('delete' instead deletes their rows; 'map' looks them up through a column of " +
              n.referenced_table + " that holds them).";
    else if (d.read && d.rows_unconvertible > 0)
      hint += " First fix, NULL or delete the values that cannot convert; " + pair_fix_plan_call(n, f.calls) +
              " writes the script.";
    if (d.user_code)
      hint +=
          " That conversion runs the user-defined code named in DETAIL: review it before "
          "running the conversion as a privileged role.";
  }
  hint += f.key_change_note;
  if (!f.type_changed) {
    if (f.later_statement_retypes)
      hint += " A later statement in the same query string changes the type of " + col +
              ": run it before adding the foreign key.";
    else
      hint += " " + col + " is still " + fk.display + ": nothing so far has changed its type. " + f.tool_note;
  }
  return hint + f.explain_note;
}

std::string soft_hint(const SoftFacts &f) {
  const KeyNames &n = f.names;
  if (f.declared_here)
    return "Declare " + n.referencing_column + " as " + f.pk.display + " to match " + n.referenced_table + "." +
           n.referenced_column + ".";
  std::string note = f.distribution ? kDistributionNote : "";
  if (f.referenced_retyped)
    return "Convert " + n.referencing_table + "." + n.referencing_column + " too" + note + ": " + f.alter + ".";
  return "To match, convert " + n.referencing_table + "." + n.referencing_column + note + ": " + f.alter + "." +
         (f.kind == Kind::Width ? f.key_change_note : std::string());
}

namespace {

// PostgreSQL's own primary message for a conversion no cast can do, so that
// tools and people who match on it still do.
// Both name cast_to: USING's cast type, or without USING the new type as
// format_type_be() prints it, without its modifier.
std::string cannot_cast_message(bool with_using, const std::string &source, const std::string &cast_to,
                                const std::string &attname) {
  return with_using ? "cannot cast type " + source + " to " + cast_to
                    : "column \"" + attname + "\" cannot be cast automatically to type " + cast_to;
}

std::string dropped_keys_detail(const DroppedKeysFacts &f) {
  const std::string col = f.table + "." + f.column;
  std::string refs;
  for (size_t i = 0; i < f.references.size(); i++) {
    const DroppedReference &r = f.references[i];
    refs += (i == 0                         ? ""
             : i + 1 == f.references.size() ? " and "
                                            : ", ") +
            r.column + " (" + r.type + ", foreign key " + r.constraint + ")";
  }
  const bool several = f.references.size() > 1;
  return col + " is " + f.source + " and is the key that " + refs + (several ? " reference" : " references") +
         "; this transaction dropped " + (several ? "those foreign keys" : "that foreign key") +
         " before this statement. No cast turns " + f.source + " into " + f.cast_to + ", so no USING " + f.column +
         "::" + f.cast_to + " can convert it: every key needs a new value, and every reference has to follow its " +
         "key row by row.";
}

std::string dropped_keys_hint(const DroppedKeysFacts &f) {
  const bool package = f.calls == CallStyle::Package;
  const std::string expression = package ? "newKeyExpression" : "new_key_expression";
  std::string call = package ? "changeKeyTypePlan(db, {referencedTable: " + js_literal(f.table) +
                                   ", referencedColumn: " + js_literal(f.attname) + ", newType: " + js_literal(f.target)
                             : "fk_guard.change_key_type_plan(" + sql::literal(f.table) + ", " +
                                   sql::literal(f.attname) + ", " + sql::literal(f.target);
  std::string how;
  if (f.uuid_target) {
    call = (package ? "" : "SELECT ") + call + (package ? "})" : ")");
    how = " (pg_catalog.gen_random_uuid(), or another " + expression + ")";
  } else {
    // No default for the new values: the call needs the expression.
    call += package ? ", newKeyExpression: ...})" : ", new_key_expression => ...)";
    how = ", from " + expression + " (an expression over each row, alias r: a column that already holds the new " +
          "keys, or nextval() of a sequence)";
  }
  return call + " writes the script that does it in one transaction: a new " + f.target + " for every key of " +
         f.table + how + ", every referencing column converted through a map from old keys to new ones, and the " +
         "foreign keys added again. Run it in place of this statement and the ones that dropped the foreign keys " +
         "(with a migration tool, as a raw-SQL migration before this one); a change to " + f.target +
         " then finds the column converted.";
}

}  // namespace

NoticeText dropped_keys_refusal(const DroppedKeysFacts &f) {
  NoticeText r;
  r.message = cannot_cast_message(f.with_using, f.source, f.cast_to, f.attname);
  r.detail = dropped_keys_detail(f);
  r.hint = dropped_keys_hint(f);
  return r;
}

std::string rebuilt_detail_opening(bool several) {
  return std::string("ALTER COLUMN TYPE makes PostgreSQL rebuild ") +
         (several ? "these foreign keys, which it could not implement. "
                  : "this foreign key, which it could not implement. ");
}

// PostgreSQL rebuilds every foreign key that references the key column (or
// that a converted referencing column belongs to) at the end of the ALTER
// TABLE that converts it, and one ALTER TABLE cannot convert columns of two
// tables. The way through: drop those keys, run the statement, convert the
// other columns to the same type, add the keys again.
std::string rebuilt_hint(const RebuiltFacts &f) {
  const KeyNames &n = f.names;
  const std::string fallback =
      "Convert the referencing columns in the same statement, or drop these constraints first and add them again "
      "once the types match.";
  if (f.fallback) return fallback;
  RebuildSteps steps;
  steps.statement = f.statement;
  std::string others;
  for (const RebuiltReferrer &r : f.referrers) {
    if (r.multi) return fallback;
    if (r.of_new_type && !r.altered_here) continue;  // already of the new type: rebuilt as it is
    steps.keys.push_back({r.table, r.constraint, r.definition, r.large});
    if (r.altered_here) continue;  // the statement converts this column itself
    steps.columns.push_back({r.table, r.column, f.new_type, r.conversion});
    if (!f.key_side) others += std::string(others.empty() ? "" : ", ") + r.table + "." + r.column;
  }
  // The key itself follows the referencing column.
  if (!f.key_side)
    steps.columns.insert(steps.columns.begin(),
                         {n.referenced_table, n.referenced_column, f.new_type, f.key_conversion});
  std::string script = write_rebuild_steps(steps);
  std::string col = n.referencing_table + "." + n.referencing_column;
  std::string key = n.referenced_table + "." + n.referenced_column;
  std::string hint;
  if (f.key_side) {
    hint =
        "One ALTER TABLE cannot convert columns of two tables, and PostgreSQL rebuilds the foreign key when this "
        "statement ends. ";
    if (f.later_statement_retypes)
      hint += "A later statement in the same query string converts " + col + ", but only after that. ";
  } else {
    hint = col + " references " + key + ", which stays " + f.key_type + ": keep " + col + " as it is, or change " +
           key + (others.empty() ? "" : " and the other columns that reference it (" + others + ")") + " to " +
           f.new_type + " with it. ";
  }
  if (!script.empty()) return hint + "Run, in this order: " + script;
  std::string drops, uncastable;
  for (const RebuildSteps::Key &k : steps.keys)
    drops += "ALTER TABLE " + k.table + " DROP CONSTRAINT " + k.constraint + "; ";
  for (const RebuildSteps::Column &c : steps.columns)
    if (c.conversion == Conversion::None) uncastable += (uncastable.empty() ? "" : ", ") + c.table + "." + c.column;
  // A surrogate key changing type: one plan does all of it.
  std::string whole;
  if (f.key_side && f.key_may_follow) {
    whole = " Or " + change_key_type_plan_call(n.referenced_table, n.referenced_attname, f.new_type, f.calls) +
            " writes one script that changes " + key +
            " together with every column that references it, keeping their foreign keys.";
  }
  return hint + "No cast converts " + uncastable + " to " + f.new_type + ". Drop the foreign keys first (" + drops +
         "then run the statement), then " + (f.calls == CallStyle::Package ? "fixPlan()" : "fk_guard.fix_plan()") +
         " writes, for each referencing column, the script that converts or maps its values and adds its foreign key "
         "again (pass " +
         (f.calls == CallStyle::Package ? "constraintName" : "constraint_name") + " to keep its name)." + whole;
}

// ---- Beyond types: duplicate keys and the validating scan ----

namespace {

const char *action_name(char a) {
  switch (a) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

// As the writer takes it: "" for NO ACTION.
std::string action_sql(char a) { return a == 'a' ? "" : action_name(a); }

const char *deferrability(const KeyDefinition &d) {
  return !d.deferrable ? "NOT DEFERRABLE" : d.deferred ? "DEFERRABLE INITIALLY DEFERRED" : "DEFERRABLE";
}

const char *match_name(char m) { return m == 'f' ? "MATCH FULL" : "MATCH SIMPLE"; }

const char *const kSameDefinitions = " Their definitions are the same.";

// " They differ in ON DELETE (CASCADE in "a", NO ACTION in "b") and ...: both apply."
std::string differences(const KeyDefinition &a, const std::string &a_name, const KeyDefinition &b,
                        const std::string &b_name) {
  std::vector<std::string> parts;
  auto part = [&](const std::string &what, const std::string &x, const std::string &y) {
    if (x != y) parts.push_back(what + " (" + x + " in \"" + a_name + "\", " + y + " in \"" + b_name + "\")");
  };
  part("MATCH", match_name(a.match), match_name(b.match));
  part("ON UPDATE", action_name(a.on_update), action_name(b.on_update));
  part("ON DELETE", action_name(a.on_delete), action_name(b.on_delete));
  part("deferrability", deferrability(a), deferrability(b));
  if (parts.empty()) return kSameDefinitions;
  std::string s = " They differ in ";
  for (size_t i = 0; i < parts.size(); i++) s += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return s + ": both apply, in the order their triggers fire.";
}

std::string column_list_text(const std::vector<std::string> &columns) {
  std::string s = "(";
  for (size_t i = 0; i < columns.size(); i++) s += (i ? ", " : "") + columns[i];
  return s + ")";
}

// For a migration that sent the key without a name: what running it again does.
std::string rerun_note(const NewKeyText &k) {
  if (k.named) return "";
  return " A migration that runs twice (again after a failure or a repair) adds a foreign key without a name once "
         "more under a new name: name the key, so that a second run fails instead, or have the migration check "
         "that the key exists.";
}

std::string duplicate_detail(const NewKeyText &k) {
  return "Both make " + k.table + " " + column_list_text(k.columns) + " reference " + k.referenced_table + " " +
         column_list_text(k.referenced_columns) + ": every insert or key update on " + k.table +
         " and every delete or key update on " + k.referenced_table + " would check the key twice.";
}

// How the caller turns the refusal of a duplicate off.
std::string duplicate_setting(CallStyle calls, const char *what) {
  return calls == CallStyle::Package ? std::string(" Or pass duplicateKeys: 'warn' to guard() to ") + what + "."
                                     : std::string(" Or set pg_fk_guard.duplicate_keys = warn to ") + what + ".";
}

}  // namespace

NoticeText duplicate_existing(const NewKeyText &k, const ExistingKeyText &old, bool as_error, CallStyle calls) {
  NoticeText r;
  r.message = "foreign key constraint \"" + k.name + "\" on " + k.table + " duplicates \"" + old.name + "\"";
  std::string diff = differences(k.definition, k.name, old.definition, old.name);
  r.detail = duplicate_detail(k) + diff;
  bool same = diff == kSameDefinitions;
  std::string drop_old = drop_constraint_sql(k.table, old.quoted);
  if (as_error) {
    r.hint = std::string("Leave it out: \"") + old.name + "\" already checks this key. To replace \"" + old.name +
             "\", drop it in the same statement or before: " + drop_old + "." +
             duplicate_setting(calls, "add it anyway");
  } else if (same) {
    r.hint = "Once this statement has run, drop one of them: " + drop_constraint_sql(k.table, k.quoted_name) +
             " drops the one it adds.";
  } else {
    r.hint = "Once this statement has run, keep the one whose definition you want: " + drop_old +
             " drops the existing one, " + drop_constraint_sql(k.table, k.quoted_name) + " the one it adds.";
  }
  if (!old.validated)
    r.hint += std::string(" \"") + old.name + "\" is NOT VALID: " + validate_constraint_sql(k.table, old.quoted) +
              " checks its rows without a second key.";
  r.hint += rerun_note(k);
  return r;
}

NoticeText duplicate_in_statement(const NewKeyText &k, const NewKeyText &first, bool as_error, CallStyle calls) {
  NoticeText r;
  r.message = "foreign key constraint \"" + k.name + "\" on " + k.table + " duplicates \"" + first.name +
              "\", which the same statement adds";
  r.detail = duplicate_detail(k) + differences(k.definition, k.name, first.definition, first.name);
  if (as_error)
    r.hint = "Declare the foreign key once." + duplicate_setting(calls, "add both");
  else
    r.hint = "Declare the foreign key once; once this statement has run, " +
             drop_constraint_sql(k.table, k.quoted_name) + " drops the second.";
  return r;
}

NoticeText validation_scan(const NewKeyText &k, const ValidationScan &s, CallStyle calls) {
  const std::string sre = "SHARE ROW EXCLUSIVE";
  bool access_exclusive = s.own_lock == "ACCESS EXCLUSIVE";
  std::string locks = s.self              ? s.own_lock + " on " + k.table
                      : s.own_lock == sre ? sre + " on " + k.table + " and " + k.referenced_table
                                          : s.own_lock + " on " + k.table + " and " + sre + " on " + k.referenced_table;
  std::string rows =
      "about " + std::to_string(s.rows) + " rows" + (s.partitioned ? " in its partitions" : "") + ", " + s.size;
  NoticeText r;
  r.message = "adding foreign key constraint \"" + k.name + "\" scans " + k.table + " (" + rows + ") holding " + locks +
              " until the transaction ends";
  r.detail = "Without NOT VALID, PostgreSQL checks every row of " + k.table + " against " + k.referenced_table +
             " within this statement; until the transaction ends, " +
             (access_exclusive ? "every read and write of " + k.table +
                                     (s.self ? std::string() : " and every write to " + k.referenced_table)
                               : std::string("every write to ") + (s.self ? k.table : "both tables")) +
             " waits.";
  if (s.partitioned && s.two_steps_refused) {
    r.hint = "PostgreSQL 17 and older refuse NOT VALID foreign keys on partitioned tables, so " + k.table +
             " cannot take the two-step form (ADD ... NOT VALID, then VALIDATE CONSTRAINT): run the statement when "
             "writes can wait for the scan.";
  } else {
    ForeignKeySql fk;
    fk.table = k.table;
    fk.constraint = k.quoted_name;
    fk.columns = k.columns;
    fk.referenced_table = k.referenced_table;
    fk.referenced_columns = k.referenced_columns;
    fk.match_full = k.definition.match == 'f';
    fk.on_update = action_sql(k.definition.on_update);
    fk.on_delete = action_sql(k.definition.on_delete);
    fk.on_delete_columns = k.on_delete_columns;
    fk.deferrable = k.definition.deferrable;
    fk.initially_deferred = k.definition.deferred;
    r.hint = std::string(k.new_column ? "Add the column without REFERENCES, then the foreign key in two steps: "
                                      : "Add it in two steps: ") +
             add_foreign_key_sql(fk, true) + "; then, in a transaction of its own, " +
             validate_constraint_sql(k.table, k.quoted_name) + "; which checks the rows holding only SHARE UPDATE " +
             "EXCLUSIVE on " + k.table + (s.self ? "" : " and ROW SHARE on " + k.referenced_table) +
             ", so writes go on.";
  }
  r.hint += calls == CallStyle::Package
                ? " validationNoticeRows (now " + std::to_string(s.notice_rows) +
                      ") in guard()'s options sets the estimated rows above which this notice is given."
                : " pg_fk_guard.validation_notice_rows (now " + std::to_string(s.notice_rows) +
                      ") sets the estimated rows above which this notice is given.";
  return r;
}

// ---- A key column's conversion that no cast can do ----

NoticeText cast_refusal(const CastRefusalFacts &f) {
  std::string col = f.table + "." + f.column;
  std::string referenced = f.referenced_table + "." + f.referenced_column;
  NoticeText r;
  r.message = cannot_cast_message(f.with_using, f.source, f.cast_to, f.attname);
  r.detail = col + " is " + f.source + " and holds keys of " + referenced +
             (!f.constraint.empty() ? " (foreign key " + f.constraint + ")"
                                    : std::string(" (by its name; no foreign key is declared)")) +
             ". No cast turns " + f.source + " into " + f.cast_to + ", so no USING " + f.column + "::" + f.cast_to +
             " can convert it: its values have to be looked up, not cast.";
  std::string data = data_sentence(f.table, f.column, f.source, f.target, f.data);
  if (!data.empty()) r.detail += " " + data;

  const DataFacts &d = f.data;
  if (d.read && d.rows_total == d.rows_null) {
    r.hint = (d.rows_total == 0 ? f.table + " is empty" : "Every " + col + " is NULL") +
             ", so the type can change without losing anything: " +
             alter_column_type_sql(f.table, f.column, f.target, "", Conversion::ToNull) + ".";
  } else {
    std::string target_note = f.key_of_target_type ? "" : " (to " + f.key_type + ", the type of " + referenced + ")";
    r.hint = "Map each value to a key of " + f.referenced_table + " through a column of " + f.referenced_table +
             " that holds the " + f.source +
             " values (UPDATE ... FROM), or set to NULL or delete the rows that "
             "cannot be mapped; then change the type. " +
             fix_plan_call(f.table, f.attname, f.referenced_table, f.referenced_attname, "map", nullptr, f.calls) +
             " writes that script" + target_note +
             "; with 'null' it sets the unmapped values to NULL, with 'delete' it deletes their rows.";
  }
  // The column leaves its key's type (a key type change that a tool sends
  // column by column, the references first): the key may be what changes.
  if (!f.key_of_target_type && f.key_may_follow) {
    r.hint += " Or, if " + referenced + " should become " + f.target +
              " as well: " + change_key_type_plan_call(f.referenced_table, f.referenced_attname, f.target, f.calls) +
              " writes the script that changes it together with every column that references it.";
  }
  if (!f.tool_note.empty()) r.hint += " " + f.tool_note;
  return r;
}

}  // namespace fkg
