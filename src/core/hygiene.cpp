#include "hygiene.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "no_postgres.hpp"

namespace fkg {

namespace {

std::vector<std::pair<int, int>> pairs_of(const HygieneKey &k) {
  std::vector<std::pair<int, int>> p;
  for (size_t i = 0; i < k.columns.size() && i < k.referenced_columns.size(); i++)
    p.emplace_back(k.columns[i], k.referenced_columns[i]);
  return p;
}

std::set<int> set_of(const std::vector<int> &v) { return std::set<int>(v.begin(), v.end()); }

std::string column_list(const HygieneKey &k) {
  std::string s;
  for (const std::string &c : k.column_names) s += (s.empty() ? "" : ", ") + sql::Ident::checked(c).str();
  return s;
}

std::string rows_text(const HygieneKey &k) {
  std::string s = k.rows >= 0 ? "about " + std::to_string(k.rows) + (k.rows == 1 ? " row" : " rows") : "rows unknown";
  return k.size.empty() ? s : s + ", " + k.size;
}

bool wanted(const std::vector<std::string> &checks, const char *name) {
  return checks.empty() || std::find(checks.begin(), checks.end(), name) != checks.end();
}

// Does an index whose leading columns are the key's columns (in any order)
// exist on the key's table? Then lookups by the key can use it.
bool supported(const HygieneKey &k, const std::vector<const HygieneIndex *> &indexes) {
  std::set<int> want = set_of(k.columns);
  for (const HygieneIndex *ix : indexes) {
    if (!ix->usable || ix->key_columns.size() < want.size()) continue;
    std::set<int> lead(ix->key_columns.begin(), ix->key_columns.begin() + (long)want.size());
    if (lead == want) return true;
  }
  return false;
}

std::string drop_sql(const HygieneKey &k) {
  return "ALTER TABLE " + sql::Ident::checked(k.table_name).str() + " DROP CONSTRAINT " +
         sql::Ident::checked(k.name).str() + ";";
}

}  // namespace

const std::vector<std::string> &hygiene_checks() {
  static const std::vector<std::string> names = {"duplicate", "overlapping", "unindexed", "nullable_match_simple",
                                                 "not_validated"};
  return names;
}

std::vector<HygieneFinding> check_hygiene(const std::vector<HygieneKey> &keys, const std::vector<HygieneIndex> &indexes,
                                          const std::vector<std::string> &checks) {
  std::vector<HygieneFinding> out;
  std::map<uint32_t, std::vector<const HygieneIndex *>> by_table;
  for (const HygieneIndex &ix : indexes) by_table[ix.table].push_back(&ix);
  std::map<std::pair<uint32_t, uint32_t>, std::vector<const HygieneKey *>> by_pair;
  for (const HygieneKey &k : keys)
    if (k.enforced) by_pair[{k.table, k.referenced}].push_back(&k);

  for (auto &entry : by_pair) {
    std::vector<const HygieneKey *> &group = entry.second;
    std::sort(group.begin(), group.end(), [](const HygieneKey *a, const HygieneKey *b) { return a->id < b->id; });
    for (size_t j = 1; j < group.size(); j++) {
      const HygieneKey &later = *group[j];
      for (size_t i = 0; i < j; i++) {
        const HygieneKey &first = *group[i];
        if (same_key_work(first.enforced, pairs_of(first), later.enforced, pairs_of(later))) {
          if (wanted(checks, "duplicate"))
            out.push_back({"duplicate", "warning", &later,
                           "Foreign key " + later.name + " on " + later.table_name + " (" + column_list(later) +
                               ") repeats " + first.name +
                               ": the same columns reference the same columns, so every write checks the key twice. "
                               "A migration that ran twice leaves this behind.",
                           drop_sql(later)});
          break;
        }
        std::set<int> a = set_of(first.columns), b = set_of(later.columns);
        bool same_columns = a == b;
        bool prefix = std::includes(b.begin(), b.end(), a.begin(), a.end()) ||
                      std::includes(a.begin(), a.end(), b.begin(), b.end());
        if ((same_columns || prefix) && wanted(checks, "overlapping")) {
          out.push_back({"overlapping", "notice", &later,
                         "Foreign key " + later.name + " (" + column_list(later) + ") and " + first.name + " (" +
                             column_list(first) + ") on " + later.table_name + " reference " + later.referenced_name +
                             (same_columns ? " through the same columns, paired differently"
                                           : ", one with a subset of the other's columns") +
                             ": check that both are meant; each write checks both.",
                         ""});
          break;
        }
      }
    }
  }

  for (const HygieneKey &k : keys) {
    if (!k.enforced) continue;
    if (wanted(checks, "unindexed") && !supported(k, by_table[k.table])) {
      std::string fix =
          k.partitioned ? "CREATE INDEX ON " + sql::Ident::checked(k.table_name).str() + " (" + column_list(k) + ");"
                        : "CREATE INDEX CONCURRENTLY ON " + sql::Ident::checked(k.table_name).str() + " (" +
                              column_list(k) + ");";
      out.push_back({"unindexed", "warning", &k,
                     "No index on " + k.table_name + " (" + rows_text(k) + ") starts with the columns of " + k.name +
                         " (" + column_list(k) + "): every DELETE of a row of " + k.referenced_name +
                         ", and every UPDATE of its key, scans " + k.table_name +
                         " to find the rows that reference it." +
                         (k.partitioned ? " The table is partitioned: CREATE INDEX on it locks every partition; "
                                          "create the index on each partition CONCURRENTLY and attach them to "
                                          "an index created ON ONLY the parent to avoid that."
                                        : " CREATE INDEX CONCURRENTLY cannot run inside a transaction block."),
                     fix});
    }
    if (wanted(checks, "nullable_match_simple") && k.match == 's' && k.columns.size() > 1 &&
        std::any_of(k.nullable.begin(), k.nullable.end(), [](bool n) { return n; })) {
      std::string nullable;
      std::string fix;
      for (size_t i = 0; i < k.nullable.size() && i < k.column_names.size(); i++)
        if (k.nullable[i]) {
          nullable += (nullable.empty() ? "" : ", ") + k.column_names[i];
          fix += "ALTER TABLE " + sql::Ident::checked(k.table_name).str() + " ALTER COLUMN " +
                 sql::Ident::checked(k.column_names[i]).str() + " SET NOT NULL; ";
        }
      if (!fix.empty()) fix.pop_back();
      out.push_back({"nullable_match_simple", "warning", &k,
                     "Foreign key " + k.name + " (" + column_list(k) + ") is MATCH SIMPLE and " + nullable +
                         " may be NULL: a row with any of its key columns NULL is never checked, so its other "
                         "columns may hold values no row of " +
                         k.referenced_name +
                         " has. Make the columns NOT NULL, or declare the key MATCH FULL (all NULL or none).",
                     fix});
    }
    if (wanted(checks, "not_validated") && !k.validated)
      out.push_back({"not_validated", "warning", &k,
                     "Foreign key " + k.name +
                         " was added NOT VALID and never validated: rows written before it "
                         "are not known to reference anything. VALIDATE CONSTRAINT scans " +
                         k.table_name + " (" + rows_text(k) +
                         ") under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.",
                     "ALTER TABLE " + sql::Ident::checked(k.table_name).str() + " VALIDATE CONSTRAINT " +
                         sql::Ident::checked(k.name).str() + ";"});
  }
  return out;
}

}  // namespace fkg
