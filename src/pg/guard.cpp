// The migration guard: an event trigger on ddl_command_start that judges the
// foreign keys an ALTER TABLE / CREATE TABLE is about to create, with the same
// engine and the same voice as diagnose_fk_mismatches(), and refuses an
// incompatible one before PostgreSQL locks, rewrites or scans anything.
#include "guard_collect.hpp"
#include "catalog_scan.hpp"
#include "profile.hpp"
#include "render.hpp"
#include "settings.hpp"
#include "../core/tool_notes.hpp"

#include <algorithm>
#include <climits>

namespace {

using namespace fkg;

struct Judged {
  ProposedPair pair;
  JudgedPair judged;
};

// ---- What the data holds (only when about to refuse, only for small tables) ----

struct Profile {
  bool read = false;      // false: not read (too big, new table, untrusted code, or the read failed)
  double estimated = -1;  // estimated rows
  std::string not_read;   // why not, when that is worth saying: "the cast from ... is user-defined (...)"
  ColumnProfile data;
};

double estimated_rows(Oid rel) {
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (!HeapTupleIsValid(tup)) return -1;
  Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
  double est = c->reltuples >= 0 ? c->reltuples : (double)c->relpages * 100;
  ReleaseSysCache(tup);
  return est;
}

struct Subtransaction {
  MemoryContext context;
  ResourceOwner owner;
};

// The same profile as fk_guard.profile_column(), inside a subtransaction: if
// the caller may not read the table, or anything else fails, the message
// simply has no data part.
Profile profile_for(const Judged &j) {
  Profile prof;
  const ProposedPair &p = j.pair;
  if (p.declared_here || !OidIsValid(p.referencing_rel) || p.type_changed || profile_row_limit <= 0) return prof;
  Oid rel = p.referencing_rel;
  prof.estimated = pg_guard([rel]() { return estimated_rows(rel); });
  if (prof.estimated > profile_row_limit) return prof;
  AttrNumber att = pg_guard([rel, &p]() { return get_attnum(rel, p.referencing_attname); });
  Subtransaction sub = pg_guard([]() {
    Subtransaction st{CurrentMemoryContext, CurrentResourceOwner};
    BeginInternalSubTransaction(NULL);
    MemoryContextSwitchTo(st.context);
    return st;
  });
  try {
    // Only code built into PostgreSQL or a superuser's: never a table or type
    // owner's cast, domain CHECK or I/O function, not even the caller's own,
    // for a statement PostgreSQL refuses without running any of it.
    prof.data = profile_column(rel, att, p.referenced.type, p.referenced.typmod, InvalidOid, InvalidAttrNumber, 2,
                               TrustCaller::No);
    pg_guard([sub]() {
      ReleaseCurrentSubTransaction();
      MemoryContextSwitchTo(sub.context);
      CurrentResourceOwner = sub.owner;
    });
    prof.read = prof.data.profiled;
    prof.not_read = prof.data.not_profiled_reason;
  } catch (const PgError &e) {
    // PostgreSQL's error state was already flushed by pg_guard.
    pg_guard([sub]() {
      RollbackAndReleaseCurrentSubTransaction();
      MemoryContextSwitchTo(sub.context);
      CurrentResourceOwner = sub.owner;
    });
    // A cancel, timeout or deadlock is the statement's, not a missing profile.
    if (must_propagate(e.edata()->sqlerrcode)) throw;
  }
  return prof;
}

std::string plural(int64 n, const std::string &one, const std::string &many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "sessions holds 3 rows: 1 with "userId" NULL, 2 uuid values that cannot become integer (for example ...)."
std::string profile_sentence(const Judged &j, const Profile &prof) {
  const ProposedPair &p = j.pair;
  const std::string fk = j.judged.facts.referencing.display, pk = j.judged.facts.referenced.display;
  if (!prof.read) {
    if (prof.estimated > profile_row_limit)
      return std::string(p.referencing_table) + " has about " + std::to_string((long long)prof.estimated) +
             " rows, more than pg_fk_guard.profile_row_limit, so its data was not read.";
    if (!prof.not_read.empty())
      return "The data of " + std::string(p.referencing_table) + " was not profiled: " + prof.not_read + ".";
    return "";
  }
  const ColumnProfile &d = prof.data;
  if (d.rows_total == 0) return std::string(p.referencing_table) + " is empty.";
  std::string s = std::string(p.referencing_table) + " holds " + plural(d.rows_total, "row", "rows");
  if (d.rows_null == d.rows_total)
    return s + ", " + (d.rows_total == 1 ? "with " : "all with ") + p.referencing_column + " NULL.";
  s += ": " + std::to_string(d.rows_null) + " with " + p.referencing_column + " NULL";
  if (d.rows_convertible > 0)
    s += ", " + plural(d.rows_convertible, fk + " value", fk + " values") +
         (d.rows_convertible == 1 ? " that converts to " : " that convert to ") + pk;
  if (d.rows_unconvertible > 0) {
    s += ", " + plural(d.rows_unconvertible, fk + " value", fk + " values") + " that cannot become " + pk;
    s += " (for example ";
    for (size_t i = 0; i < d.sample_unconvertible.size(); i++)
      s += (i ? " and " : "") + std::string("'") + d.sample_unconvertible[i] + "'";
    s += ")";
  }
  return s + ".";
}

// ---- The rest of the query string ----

// Does a later statement of the same query string change this column's type?
bool later_statement_retypes(Node *current, Oid rel, const char *column) {
  if (current == NULL || debug_query_string == NULL || !OidIsValid(rel)) return false;
  return pg_guard([current, rel, column]() {
    List *stmts = raw_parser(debug_query_string, RAW_PARSE_DEFAULT);
    bool after = false;
    ListCell *lc;
    foreach (lc, stmts) {
      Node *stmt = ((RawStmt *)lfirst(lc))->stmt;
      if (!after) {
        after = equal(stmt, current);
        continue;
      }
      if (!IsA(stmt, AlterTableStmt)) continue;
      AlterTableStmt *alter = (AlterTableStmt *)stmt;
      if (RangeVarGetRelid(alter->relation, NoLock, true) != rel) continue;
      ListCell *cc;
      foreach (cc, alter->cmds) {
        AlterTableCmd *cmd = (AlterTableCmd *)lfirst(cc);
        if (cmd->subtype == AT_AlterColumnType && cmd->name && strcmp(quote_identifier(cmd->name), column) == 0)
          return true;
      }
    }
    return false;
  });
}

// ---- Messages ----

const char *is_or_becomes(bool retyped) { return retyped ? " becomes " : " is "; }

// "sessions."userId" is uuid; users.id is integer. <why>"
std::string pair_detail(const Judged &j) {
  const ProposedPair &p = j.pair;
  return std::string(p.referencing_table) + "." + p.referencing_column + is_or_becomes(p.type_changed) +
         j.judged.facts.referencing.display + "; " + p.referenced_table + "." + p.referenced_column +
         is_or_becomes(p.referenced_retyped) + j.judged.facts.referenced.display + ". " +
         j.judged.verdict.explanation();
}

// What the tool that sent the statement should do, when its shape tells
// which tool it is; a general sentence otherwise.
std::string tool_note(const ProposedPair &p) {
  struct RawShape {
    const char *query;
    const char *app;
  };
  RawShape raw = pg_guard([]() {
    RawShape r;
    r.query = debug_query_string ? debug_query_string : "";
    r.app = GetConfigOption("application_name", true, false);
    if (r.app == NULL) r.app = "";
    return r;
  });
  StatementShape shape{raw.query, p.constraint ? p.constraint : "", raw.app};
  const ToolNote *note = recognise_tool(shape);
  return note ? std::string(note->note) : std::string(generic_tool_note());
}

// A name as stored, from its quote_identifier form.
std::string unquoted(const char *quoted) {
  std::string q = quoted ? quoted : "";
  if (q.size() < 2 || q.front() != '"') return q;
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); i++) {
    out += q[i];
    if (q[i] == '"') i++;  // a doubled quote stands for one
  }
  return out;
}

// The fix_plan() call for this pair, keeping the constraint name the
// statement asked for (tools that compare names would add the key again).
std::string fix_plan_call(const ProposedPair &p) {
  std::string call = "SELECT fk_guard.fix_plan(" + sql::literal(p.referencing_table) + ", " +
                     sql::literal(p.referencing_attname ? p.referencing_attname : "") + ", " +
                     sql::literal(p.referenced_table) + ", " + sql::literal(unquoted(p.referenced_column));
  if (p.constraint) call += ", constraint_name => " + sql::literal(p.constraint);
  return call + ")";
}

std::string alter_type_sql(const Judged &j) {
  return alter_column_type_sql(j.pair.referencing_table, j.pair.referencing_column, j.judged.facts.referenced.display,
                               "", j.judged.conversion);
}

// The fix for an incompatible pair, for these types and this data.
std::string incompatible_hint(const Judged &j, const Profile &prof, Node *tree) {
  const ProposedPair &p = j.pair;
  const ColumnType &fk = j.judged.facts.referencing;
  const ColumnType &pk = j.judged.facts.referenced;
  std::string col = std::string(p.referencing_table) + "." + p.referencing_column;
  if (j.judged.collation_refusal && !p.rebuilt && fk.base_display == pk.base_display && !pk.collation.empty()) {
    // PostgreSQL 18+ refused the collations, not the types.
    std::string target = fk.display + " COLLATE " + pk.collation;
    std::string of = std::string(", the collation of ") + p.referenced_table + "." + p.referenced_column;
    if (p.declared_here) return "Declare " + std::string(p.referencing_column) + " as " + target + of + ".";
    return "Give " + col + " " + of.substr(2) + ": " +
           alter_column_type_sql(p.referencing_table, p.referencing_column, fk.display, pk.collation,
                                 Conversion::Assignment) +
           "; then add the foreign key.";
  }
  std::string whole = whole_value_problem(fk, pk);
  if (!whole.empty()) return whole;
  if (p.declared_here)
    return "Declare " + std::string(p.referencing_column) + " as " + pk.display + ", the type of " +
           p.referenced_table + "." + p.referenced_column + ".";
  if (p.rebuilt)
    return "Convert the referencing columns in the same statement, or drop these constraints first and add them "
           "again once the types match.";
  std::string hint;
  if (prof.read && prof.data.rows_total == prof.data.rows_null) {
    hint = (prof.data.rows_total == 0 ? std::string(p.referencing_table) + " is empty" : "Every " + col + " is NULL") +
           ", so the type can change without losing anything: " +
           alter_column_type_sql(p.referencing_table, p.referencing_column, pk.display, "", Conversion::ToNull) +
           "; then add the foreign key.";
  } else if (j.judged.conversion == Conversion::None) {
    hint = "There is no cast from " + fk.display + " to " + pk.display + ", so no USING expression can convert " + col +
           ": map its values to keys of " + p.referenced_table +
           " through a column that holds them (UPDATE ... FROM), or set to NULL or delete the rows that cannot be "
           "mapped; then change its type to " +
           pk.display + " and add the foreign key. " + fix_plan_call(p) + " writes that script.";
  } else {
    hint = "Change the column's type first: " + alter_type_sql(j) + "; then add the foreign key.";
    if (prof.read && prof.data.rows_unconvertible > 0)
      hint += " First fix, NULL or delete the values that cannot convert; " + fix_plan_call(p) + " writes the script.";
    if (!prof.not_read.empty())
      hint +=
          " That conversion runs the user-defined code named in DETAIL: review it before "
          "running the conversion as a privileged role.";
  }
  if (!p.type_changed) {
    if (later_statement_retypes(tree, p.referencing_rel, p.referencing_column))
      hint += " A later statement in the same query string changes the type of " + col +
              ": run it before adding the foreign key.";
    else
      hint += " " + col + " is still " + fk.display + ": nothing so far has changed its type. " + tool_note(p);
  }
  return hint;
}

std::string soft_hint(const Judged &j) {
  const ProposedPair &p = j.pair;
  const ColumnType &pk = j.judged.facts.referenced;
  if (p.declared_here)
    return "Declare " + std::string(p.referencing_column) + " as " + pk.display + " to match " + p.referenced_table +
           "." + p.referenced_column + ".";
  if (p.referenced_retyped)
    return "Convert " + std::string(p.referencing_table) + "." + p.referencing_column + " too: " + alter_type_sql(j) +
           ".";
  return "To match, convert " + std::string(p.referencing_table) + "." + p.referencing_column + ": " +
         alter_type_sql(j) + ".";
}

struct Report {
  int elevel;
  int sqlstate;
  std::string message, detail, hint;
};

const char *kContext = "pg_fk_guard: checked before PostgreSQL ran the statement";

void raise(const Report &r) {
  const Report *rp = &r;
  pg_guard([rp]() {
    ereport(rp->elevel, (errcode(rp->sqlstate), errmsg_internal("%s", rp->message.c_str()),
                         errdetail_internal("%s", rp->detail.c_str()), errhint("%s", rp->hint.c_str()),
                         errcontext("%s", kContext)));
  });
}

// Constraints the start trigger judged in the current statement, so that the
// end-of-statement check does not report them twice ("table\x1fconstraint").
std::vector<std::string> judged_at_start;

// What the end-of-statement check must look at: set by the start trigger only
// when it could not model everything the statement does to foreign keys.
struct EndCheck {
  bool active = false;
  CommandId since = InvalidCommandId;  // catalog rows written from here on are the statement's
  Oid rel = InvalidOid;                // the altered table, or
  Oid nsp = InvalidOid;                // the namespace and name of the created one
  std::string name;
};
EndCheck end_check;

std::string judged_key(const char *table, const char *constraint) { return std::string(table) + "\x1f" + constraint; }

// Judges every pair and reports: incompatible constraints in one refusal
// (enforce) or warning (warn), then the soft ones by policy.
void judge_and_report(ProposedPairs *proposed, Node *tree, bool at_end) {
  std::vector<Judged> judged;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    judged.push_back(Judged{p, judge_pair(p.referencing, p.referenced, p.opclass)});
    if (!at_end) judged_at_start.push_back(judged_key(p.referencing_table, p.constraint));
  }

  // Incompatible pairs, grouped in one message that names every constraint.
  std::vector<const Judged *> bad;
  for (const Judged &j : judged)
    if (j.judged.verdict.kind == Kind::Incompatible) bad.push_back(&j);
  if (!bad.empty() && !at_end) {
    const Judged &first = *bad.front();
    bool several = std::any_of(bad.begin(), bad.end(),
                               [&](const Judged *j) { return j->pair.constraint_no != first.pair.constraint_no; });
    Report r;
    r.elevel = guard_mode == MODE_ENFORCE ? ERROR : WARNING;
    r.sqlstate = first.judged.sqlstate;  // PostgreSQL's own code for what it refuses first
    r.message = std::string("foreign key constraint \"") + first.pair.constraint + "\" cannot be implemented";
    if (first.pair.rebuilt)
      r.detail = std::string("ALTER COLUMN TYPE makes PostgreSQL rebuild ") +
                 (several ? "these foreign keys, which it could not implement. "
                          : "this foreign key, which it could not implement. ");
    for (const Judged *j : bad)
      r.detail += (several ? std::string(j->pair.constraint) + ": " : std::string()) + pair_detail(*j) + " ";
    // No profile when no conversion could help: a rebuilt key, or an array,
    // composite, range or document whose text form is no key value.
    bool whole_values = !whole_value_problem(first.judged.facts.referencing, first.judged.facts.referenced).empty();
    Profile prof = first.pair.rebuilt || whole_values ? Profile{} : profile_for(first);
    r.detail += profile_sentence(first, prof);
    while (!r.detail.empty() && r.detail.back() == ' ') r.detail.pop_back();
    r.hint = incompatible_hint(first, prof, tree);
    raise(r);
  }

  if (soft_policy == SOFT_IGNORE) return;
  for (const Judged &j : judged) {
    const Verdict &v = j.judged.verdict;
    if (v.kind == Kind::None || v.kind == Kind::Incompatible) continue;
    bool serious = v.severity() == Severity::Warning;
    Report r;
    r.elevel = serious ? (soft_policy == SOFT_ERROR ? ERROR : WARNING) : NOTICE;
    r.sqlstate = r.elevel == ERROR ? ERRCODE_DATATYPE_MISMATCH : ERRCODE_WARNING;
    r.message = std::string("foreign key constraint \"") + j.pair.constraint + "\"" +
                (j.pair.rebuilt ? " will pair " : " pairs ") + j.judged.facts.referencing.display + " with " +
                j.judged.facts.referenced.display + " (" + kind_name(v.kind) + ")";
    r.detail = pair_detail(j);
    r.hint = soft_hint(j);
    if (r.elevel == ERROR) r.hint += " Or set pg_fk_guard.soft_mismatches = warn to accept it.";
    raise(r);
  }
}

// Whether the guard has anything to do in this context.
bool guard_active() { return guard_mode != MODE_OFF && !creating_extension; }

}  // namespace

// fk_guard.guard_ddl_start(): the ddl_command_start event trigger.
FKG_SQL_FUNCTION(guard_ddl_start) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw UserError(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED,
                    "guard_ddl_start() must be called as an event trigger");
  judged_at_start.clear();
  end_check = EndCheck{};
  if (!guard_active()) return (Datum)0;
  Node *tree = ((EventTriggerData *)fcinfo->context)->parsetree;
  if (tree == NULL || !statement_may_add_foreign_keys(tree)) return (Datum)0;
  // Catalog rows this statement writes get command ids from here on.
  CommandId since = pg_guard([]() { return GetCurrentCommandId(false); });
  ProposedPairs *proposed = pg_guard([tree]() { return collect_proposed_pairs(tree); });
  if (proposed->unsure) {
    end_check.active = true;
    end_check.since = since;
    end_check.rel = proposed->target_rel;
    end_check.nsp = proposed->target_namespace;
    if (proposed->target_name) end_check.name = proposed->target_name;
  }
  if (proposed->count > 0) judge_and_report(proposed, tree, false);
  return (Datum)0;
}

// fk_guard.guard_ddl_end(): the ddl_command_end safety net. When the start
// trigger could not model the whole statement, checks the foreign keys the
// statement actually created on its table (catalog rows written since the
// statement began) that the start trigger did not judge, so paths it does not
// model still meet the soft policy. Never refuses an incompatible pair:
// PostgreSQL has built it. Costs nothing when the start trigger was sure.
FKG_SQL_FUNCTION(guard_ddl_end) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw UserError(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED,
                    "guard_ddl_end() must be called as an event trigger");
  EndCheck check = end_check;
  end_check = EndCheck{};
  if (!check.active || !guard_active() || soft_policy == SOFT_IGNORE) return (Datum)0;
  const char *name = check.name.c_str();
  Oid nsp = check.nsp;
  Oid rel = OidIsValid(check.rel) ? check.rel : pg_guard([name, nsp]() { return get_relname_relid(name, nsp); });
  if (!OidIsValid(rel)) return (Datum)0;

  std::vector<KeyPair> created = key_pairs_created_since(rel, check.since);
  if (created.empty()) return (Datum)0;
  const KeyPair *data = created.data();
  int n = (int)created.size();
  ProposedPairs *proposed = pg_guard([data, n]() { return proposed_from_key_pairs(data, n); });
  // Leave out what the start trigger already judged in this statement.
  int kept = 0;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    std::string key = judged_key(p.referencing_table, p.constraint);
    if (std::find(judged_at_start.begin(), judged_at_start.end(), key) == judged_at_start.end())
      proposed->items[kept++] = p;
  }
  proposed->count = kept;
  if (kept > 0) judge_and_report(proposed, nullptr, true);
  return (Datum)0;
}
