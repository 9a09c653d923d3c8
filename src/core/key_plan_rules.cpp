#include "key_plan_rules.hpp"

#include <algorithm>

#include "sql_writer.hpp"
#include "no_postgres.hpp"

namespace fkg {

using sql::Ident;

namespace {

PlanRefused online_refusal(const std::string &what, const std::string &why) {
  return PlanRefused("0A000", "online mode cannot change " + what, why,
                     "Use the offline plan (online => false), which converts everything in one transaction under "
                     "ACCESS EXCLUSIVE locks.");
}

}  // namespace

void key_type_plan_precheck(const KeyPlanFacts &k) {
  std::string key = k.table + "." + k.column;
  if (k.same_type) throw PlanRefused("22023", key + " is already " + k.new_type);
  if (!k.blockers.empty())
    throw PlanRefused("0A000", "no key type plan can convert " + key,
                      "ALTER COLUMN ... TYPE refuses a column that these use: " + k.blockers + ".",
                      "Drop them first and create them again after the plan.");
  bool mapped = k.conversion == Conversion::None;
  if (mapped && k.online.enabled && k.mode != OnUnconvertible::Fail)
    throw PlanRefused("22023", "on_unconvertible does not apply to an online plan",
                      "Online, every foreign key must be validated, so every reference has its key.",
                      "Leave on_unconvertible at 'fail'.");
  if (mapped) {
    if (k.mode == OnUnconvertible::Map)
      throw PlanRefused("22023", "on_unconvertible => 'map' does not apply to a key type plan", "",
                        "The new keys come from new_key_expression; use fail, null or delete for references "
                        "to no key.");
    if (!k.new_key_expression && !k.uuid_target)
      throw PlanRefused(
          "22023",
          "no cast turns " + k.old_type + " into " + k.new_type + ": the new key values must come from somewhere", "",
          "Pass new_key_expression: the new value of each key, an expression over its row (alias r).");
    if (k.new_key_expression && !k.expression_is_one_expression)
      throw PlanRefused("42601", "new_key_expression is not one SQL expression",
                        "It is written into the script as (" + sql::comment_safe(*k.new_key_expression) +
                            "), and must be exactly one expression, with no comment and no semicolon.",
                        "For example r.legacy_uuid, or pg_catalog.gen_random_uuid().");
  }
}

std::string key_type_plan_from_facts(const KeyPlanFacts &k, const std::function<void(KeyPlanInput &)> &on_citus) {
  key_type_plan_precheck(k);
  std::string key = k.table + "." + k.column;

  KeyPlanInput in;
  in.table = Ident::checked(k.table);
  in.column = Ident::checked(k.column);
  in.old_type = k.old_type;
  in.new_type = k.new_type;
  in.rows = k.rows;
  in.size = k.size;
  in.identity = k.identity;
  in.mode = k.mode;
  in.current_default = k.current_default;
  in.conversion = k.conversion;
  bool mapped = in.conversion == Conversion::None;
  if (!k.sequence.empty() && k.integer_target) in.owned_sequence = Ident::checked(k.sequence);

  // The refusals about the mode and new_key_expression: key_type_plan_precheck() above.
  if (mapped) {
    if (!k.new_key_expression) {
      in.new_key_expression = "pg_catalog.gen_random_uuid()";  // uuid_target: checked above
      in.new_default = true;
    } else {
      in.new_key_expression = *k.new_key_expression;
    }
  } else {
    // Every key must convert: a key that cannot has references that cannot follow it.
    if (!k.profiled)
      throw PlanRefused("42501", "the values of " + key + " were not profiled", k.not_profiled_reason + ".",
                        "Run it as the role that owns that code (SET ROLE).");
    if (k.rows_unconvertible > 0) {
      std::string samples;
      for (const std::string &v : k.sample_unconvertible) samples += (samples.empty() ? "" : ", ") + sql::literal(v);
      throw PlanRefused("22P02",
                        std::to_string(k.rows_unconvertible) + (k.rows_unconvertible == 1 ? " value" : " values") +
                            " of " + key + " cannot become " + k.new_type,
                        "For example " + samples + ".",
                        "Fix or remove those keys first, or plan with a new_type that has no cast, so that new keys "
                        "are generated.");
    }
    if (k.mode != OnUnconvertible::Fail)
      in.notes.push_back(
          "on_unconvertible applies only when no cast exists: every key converts here, and its "
          "references with it.");
  }

  // Referenced only as one part of multi-column keys, the column's values may
  // repeat (a foreign key on it alone would need it unique).
  bool composite = false, alone = false;
  for (const KeyPlanReferrerFacts &r : k.referrers) (r.key_columns > 1 ? composite : alone) = true;
  in.key_part = mapped && composite && !alone;
  for (const KeyPlanReferrerFacts &r : k.referrers) {
    if (!r.blockers.empty())
      throw PlanRefused("0A000", "no key type plan can convert " + r.table + "." + r.column,
                        "ALTER COLUMN ... TYPE refuses a column that these use: " + r.blockers + ".",
                        "Drop them first and create them again after the plan.");
    if (mapped && k.mode == OnUnconvertible::Null && r.not_null)
      throw PlanRefused(
          "22023",
          "on_unconvertible => 'null' needs nullable columns, and " + r.table + "." + r.column + " is NOT NULL", "",
          "Use on_unconvertible => 'delete' or 'fail'.");
    if (mapped && k.mode == OnUnconvertible::Delete && !r.cascades.empty())
      throw PlanRefused("22023", "on_unconvertible => 'delete' would also change rows of other tables",
                        "Deleting rows of " + r.table + " runs the ON DELETE actions of " + r.cascades + ".",
                        "Use on_unconvertible => 'null', or fix those references first.");
    KeyReferrer kr;
    kr.table = Ident::checked(r.table);
    kr.column = Ident::checked(r.column);
    kr.source_type = r.source_type;
    kr.conversion = r.conversion;
    kr.constraint = Ident::checked(r.constraint);
    kr.definition = r.definition;
    kr.not_valid = r.not_valid;
    if (kr.not_valid) {
      // pg_get_constraintdef() ends a NOT VALID key's definition with NOT VALID.
      const std::string suffix = " NOT VALID";
      if (kr.definition.size() > suffix.size() &&
          kr.definition.compare(kr.definition.size() - suffix.size(), suffix.size(), suffix) == 0)
        kr.definition.resize(kr.definition.size() - suffix.size());
      kr.definition += suffix;
    }
    kr.partitioned = r.partitioned && k.no_not_valid_on_partitioned;
    if (k.online.enabled) {
      std::string col = r.table + "." + r.column;
      if (r.key_columns > 1)
        throw online_refusal(col, "Its foreign key " + r.constraint + " has " + std::to_string(r.key_columns) +
                                      " columns, and online mode carries one-column foreign keys only.");
      if (r.partitioned || r.is_partition)
        throw online_refusal(col, r.table + (r.partitioned ? " is partitioned" : " is a partition") +
                                      ": CREATE INDEX CONCURRENTLY and ADD COLUMN cannot run on it the way online "
                                      "mode needs.");
      if (r.set_null_columns)
        throw online_refusal(col, "Its foreign key " + r.constraint +
                                      " sets a column list to NULL ON DELETE, which online mode does not carry.");
      if (mapped && r.not_valid)
        throw online_refusal(
            col, "Its foreign key " + r.constraint + " is NOT VALID: a reference to no key has no new key to take.");
      if (!r.online_blockers.empty())
        throw online_refusal(
            col, "The swap drops the old column, and with it what depends on it: " + r.online_blockers + ".");
      if (r.online_has_default)
        throw online_refusal(col, "It has a DEFAULT, which the swap would drop with the old column.");
      kr.schema_name = r.schema_name;
      kr.table_name = r.table_name;
      kr.column_name = r.column_name;
      kr.constraint_name = r.constraint_name;
      kr.not_null = r.not_null;
      kr.match_type = r.match_type;
      kr.update_action = r.update_action;
      kr.delete_action = r.delete_action;
      kr.deferrable = r.deferrable;
      kr.deferred = r.deferred;
      if (!r.index.empty()) {
        kr.index = Ident::checked(r.index);
        kr.index_name = r.index_name;
        kr.index_method = r.index_method;
      }
    }
    kr.same_table = r.same_table;
    kr.rows = r.rows;
    kr.size = r.size;
    kr.rel_oid = r.rel_oid;
    kr.att = r.att;
    if (!mapped && kr.conversion == Conversion::None)
      throw PlanRefused("42846",
                        "no cast turns " + r.table + "." + r.column + " (" + r.source_type + ") into " + k.new_type,
                        "The key converts, but this column that references it cannot follow.",
                        "Convert it to the key's type first: fk_guard.fix_plan() writes that script.");
    in.referrers.push_back(kr);
  }

  if (k.online.enabled) {
    if (k.include_implied)
      throw online_refusal(key,
                           "include_implied: a column implied by its name has no foreign key for online "
                           "mode to carry.");
    if (k.key_partitioned || k.key_is_partition)
      throw online_refusal(key, k.table + (k.key_partitioned ? " is partitioned" : " is a partition") +
                                    ": CREATE INDEX CONCURRENTLY and ADD COLUMN cannot run on it the way online "
                                    "mode needs.");
    if (k.primary_key_name.empty())
      throw online_refusal(key, "Online mode makes the new column the primary key of " + k.table +
                                    ", so the key must be its table's one-column, not deferrable, primary key.");
    if (!k.online_blockers.empty())
      throw online_refusal(key,
                           "The swap drops the old column, and with it what depends on it: " + k.online_blockers + ".");
    if (!mapped && !k.current_default.empty() && !in.owned_sequence && !k.identity)
      throw online_refusal(
          key, "Its DEFAULT (" + k.current_default + ") is not a sequence the plan can move to the new column.");
    in.online = k.online;
    in.schema_name = k.schema_name;
    in.table_name = k.table_name;
    in.column_name = k.column_name;
    in.primary_key_name = k.primary_key_name;
    in.identity_kind = k.identity_kind;
    if (mapped && !in.current_default.empty() && !k.sequence.empty()) in.owned_sequence = Ident::checked(k.sequence);
    if (on_citus) {
      on_citus(in);
      if (in.citus.involved)
        throw online_refusal(key,
                             "Online mode adds columns, triggers and indexes that Citus tables do not take the "
                             "way it needs: plan without online => true.");
    }
    return write_key_type_plan(in);
  }

  if (k.include_implied) {
    size_t declared = in.referrers.size();
    for (const KeyPlanImpliedFacts &r : k.implied) {
      if (!r.blockers.empty())
        throw PlanRefused("0A000", "no key type plan can convert " + r.table + "." + r.column,
                          "ALTER COLUMN ... TYPE refuses a column that these use: " + r.blockers + ".",
                          "Drop them first and create them again after the plan.");
      KeyReferrer kr;
      kr.table = Ident::checked(r.table);
      kr.column = Ident::checked(r.column);
      kr.source_type = r.source_type;
      kr.conversion = r.conversion;
      if (!mapped && kr.conversion == Conversion::None) continue;  // nothing ties it to the key: left as it is
      // Without a cast every reference is carried across through the old key
      // values, so only a column of the key's own type can follow. One that
      // already has another type (often the new one, as a uuid column beside
      // an integer key) holds no old key to look up: said, and left as it is.
      if (mapped && !r.same_base_type) {
        in.notes.push_back(r.table + "." + r.column + " (" + r.source_type + ") is named like a reference to " + key +
                           " but does not hold its " + k.old_type +
                           " values, so the plan leaves it as it is; fk_guard.fix_plan() converts it on its own "
                           "once the key is " +
                           k.new_type + ".");
        continue;
      }
      kr.same_table = r.same_table;
      kr.rows = r.rows;
      kr.size = r.size;
      kr.rel_oid = r.rel_oid;
      kr.att = r.att;
      in.referrers.push_back(kr);
    }
    // After the declared ones, by table and column (pg_attribute's heap order is no order).
    std::sort(in.referrers.begin() + declared, in.referrers.end(), [](const KeyReferrer &a, const KeyReferrer &b) {
      return a.table.str() != b.table.str() ? a.table.str() < b.table.str() : a.column.str() < b.column.str();
    });
  }
  if (on_citus) on_citus(in);
  return write_key_type_plan(in);
}

}  // namespace fkg
