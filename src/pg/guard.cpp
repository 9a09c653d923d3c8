// The migration guard: an event trigger on ddl_command_start that judges the
// foreign keys an ALTER TABLE / CREATE TABLE is about to create, with the same
// engine and the same voice as diagnose_fk_mismatches(), and refuses an
// incompatible one before PostgreSQL locks, rewrites or scans anything.
#include "guard_collect.hpp"
#include "render.hpp"

extern "C" {
#include "commands/event_trigger.h"
#include "utils/guc.h"
}

namespace {

using namespace fkg;

enum GuardMode { MODE_ENFORCE, MODE_WARN, MODE_OFF };
enum SoftPolicy { SOFT_WARN, SOFT_ERROR, SOFT_IGNORE };

const struct config_enum_entry mode_options[] = {
    {"enforce", MODE_ENFORCE, false}, {"warn", MODE_WARN, false}, {"off", MODE_OFF, false}, {NULL, 0, false}};
const struct config_enum_entry soft_options[] = {
    {"warn", SOFT_WARN, false}, {"error", SOFT_ERROR, false}, {"ignore", SOFT_IGNORE, false}, {NULL, 0, false}};

int guard_mode = MODE_ENFORCE;
int soft_policy = SOFT_WARN;

// A session that turns the guard off leaves a trace in the server log.
bool check_mode(int *newval, void **extra, GucSource source) {
  if (*newval == MODE_OFF && source >= PGC_S_INTERACTIVE)
    ereport(LOG, (errmsg("pg_fk_guard.mode set to off by role \"%s\": foreign keys are not checked in this session",
                         GetUserNameFromId(GetUserId(), true) ? GetUserNameFromId(GetUserId(), true) : "?")));
  return true;
}

struct Judged {
  ProposedPair pair;
  JudgedPair judged;
};

// "sessions."userId" is uuid; users.id is integer. <why>"
std::string pair_detail(const Judged &j) {
  const ProposedPair &p = j.pair;
  return std::string(p.referencing_table) + "." + p.referencing_column + " is " + j.judged.facts.referencing.display +
         "; " + p.referenced_table + "." + p.referenced_column + " is " + j.judged.facts.referenced.display + ". " +
         j.judged.verdict.explanation();
}

// The fix for an incompatible pair, for these types.
std::string incompatible_hint(const Judged &j) {
  const ProposedPair &p = j.pair;
  const ColumnType &fk = j.judged.facts.referencing;
  const ColumnType &pk = j.judged.facts.referenced;
  std::string col = std::string(p.referencing_table) + "." + p.referencing_column;
  if (p.declared_here)
    return "Declare " + std::string(p.referencing_column) + " as " + pk.display + ", the type of " +
           p.referenced_table + "." + p.referenced_column + ".";
  std::string hint;
  if (j.judged.conversion == Conversion::None) {
    hint = "There is no cast from " + fk.display + " to " + pk.display + ", so no USING expression can convert " + col +
           ": map its values to keys of " + p.referenced_table +
           " through a column that holds them (UPDATE ... FROM), or set to NULL or delete the rows that cannot be "
           "mapped; then change its type to " +
           pk.display + " and add the foreign key.";
  } else {
    hint =
        "Change the column's type first: ALTER TABLE " + std::string(p.referencing_table) + " ALTER COLUMN " +
        p.referencing_column + " TYPE " + pk.display +
        (j.judged.conversion == Conversion::Explicit ? std::string(" USING ") + p.referencing_column + "::" + pk.display
                                                     : std::string()) +
        "; then add the foreign key.";
  }
  if (!p.type_changed)
    hint += " " + col + " is still " + fk.display +
            ": nothing so far has changed its type. Some ORM change-column helpers drop the type change when a "
            "reference is given and send only ADD FOREIGN KEY (Sequelize v6 changeColumn does).";
  return hint;
}

std::string soft_hint(const Judged &j) {
  const ProposedPair &p = j.pair;
  const ColumnType &pk = j.judged.facts.referenced;
  if (p.declared_here)
    return "Declare " + std::string(p.referencing_column) + " as " + pk.display + " to match " + p.referenced_table +
           "." + p.referenced_column + ".";
  return "To match, convert " + std::string(p.referencing_table) + "." + p.referencing_column + ": ALTER TABLE " +
         p.referencing_table + " ALTER COLUMN " + p.referencing_column + " TYPE " + pk.display +
         (j.judged.conversion == Conversion::Explicit
              ? std::string(" USING ") + p.referencing_column + "::" + pk.display
              : std::string()) +
         ".";
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

// Judges every pair and reports, one constraint at a time.
void judge_and_report(ProposedPairs *proposed) {
  std::vector<Judged> judged;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    judged.push_back(Judged{p, judge_pair(p.referencing, p.referenced, p.opclass)});
  }
  // Incompatible constraints first: they are refused (enforce) or announced (warn).
  for (size_t i = 0; i < judged.size(); i++) {
    const Judged &j = judged[i];
    if (j.judged.verdict.kind != Kind::Incompatible) continue;
    Report r;
    r.elevel = guard_mode == MODE_ENFORCE ? ERROR : WARNING;
    r.sqlstate = ERRCODE_DATATYPE_MISMATCH;
    r.message = std::string("foreign key constraint \"") + j.pair.constraint + "\" cannot be implemented";
    for (const Judged &k : judged)
      if (k.pair.constraint_no == j.pair.constraint_no && k.judged.verdict.kind == Kind::Incompatible)
        r.detail += (r.detail.empty() ? "" : " ") + pair_detail(k);
    r.hint = incompatible_hint(j);
    raise(r);
    while (i + 1 < judged.size() && judged[i + 1].pair.constraint_no == j.pair.constraint_no) i++;
  }
  if (soft_policy == SOFT_IGNORE) return;
  for (const Judged &j : judged) {
    const Verdict &v = j.judged.verdict;
    if (v.kind == Kind::None || v.kind == Kind::Incompatible) continue;
    bool serious = v.severity() == Severity::Warning;
    Report r;
    r.elevel = serious ? (soft_policy == SOFT_ERROR ? ERROR : WARNING) : NOTICE;
    r.sqlstate = r.elevel == ERROR ? ERRCODE_DATATYPE_MISMATCH : ERRCODE_WARNING;
    r.message = std::string("foreign key constraint \"") + j.pair.constraint + "\" pairs " +
                j.judged.facts.referencing.display + " with " + j.judged.facts.referenced.display + " (" +
                kind_name(v.kind) + ")";
    r.detail = pair_detail(j);
    r.hint = soft_hint(j);
    if (r.elevel == ERROR) r.hint += " Or set pg_fk_guard.soft_mismatches = warn to accept it.";
    raise(r);
  }
}

}  // namespace

extern "C" {
PGDLLEXPORT void _PG_init(void);
void _PG_init(void) {
  DefineCustomEnumVariable("pg_fk_guard.mode",
                           "What the migration guard does with a foreign key PostgreSQL cannot build.",
                           "enforce refuses it before PostgreSQL starts on the statement; warn only warns and "
                           "lets PostgreSQL decide; off turns the guard off. Superuser only: it is the "
                           "database's policy, not a session preference.",
                           &guard_mode, MODE_ENFORCE, mode_options, PGC_SUSET, 0, check_mode, NULL, NULL);
  DefineCustomEnumVariable("pg_fk_guard.soft_mismatches",
                           "What the migration guard does with a foreign key PostgreSQL accepts across types.",
                           "warn (a WARNING for warning-severity kinds, a NOTICE for the rest), error (refuse "
                           "warning-severity kinds), or ignore. Any user: a migration may accept a known mismatch.",
                           &soft_policy, SOFT_WARN, soft_options, PGC_USERSET, 0, NULL, NULL, NULL);
  MarkGUCPrefixReserved("pg_fk_guard");
}
}

// fk_guard.guard_ddl_start(): the ddl_command_start event trigger.
FKG_SQL_FUNCTION(guard_ddl_start) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw UserError(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED,
                    "guard_ddl_start() must be called as an event trigger");
  if (guard_mode == MODE_OFF) return (Datum)0;
  Node *tree = ((EventTriggerData *)fcinfo->context)->parsetree;
  if (tree == NULL || !(IsA(tree, CreateStmt) || IsA(tree, AlterTableStmt))) return (Datum)0;
  ProposedPairs *proposed = pg_guard([tree]() { return collect_proposed_pairs(tree); });
  if (proposed->count > 0) judge_and_report(proposed);
  return (Datum)0;
}
