#include "settings.hpp"

#include "guard_dropped.hpp"

#include <climits>

namespace fkg {

int guard_mode = MODE_ENFORCE;
int soft_policy = SOFT_WARN;
int profile_row_limit = 100000;
int duplicate_policy = DUPLICATE_WARN;
int validation_notice_rows = 1000000;

namespace {

const struct config_enum_entry mode_options[] = {
    {"enforce", MODE_ENFORCE, false}, {"warn", MODE_WARN, false}, {"off", MODE_OFF, false}, {NULL, 0, false}};
const struct config_enum_entry soft_options[] = {
    {"warn", SOFT_WARN, false}, {"error", SOFT_ERROR, false}, {"ignore", SOFT_IGNORE, false}, {NULL, 0, false}};
const struct config_enum_entry duplicate_options[] = {{"warn", DUPLICATE_WARN, false},
                                                      {"error", DUPLICATE_ERROR, false},
                                                      {"ignore", DUPLICATE_IGNORE, false},
                                                      {NULL, 0, false}};

// A session that turns the guard off leaves a trace in the server log.
bool check_mode(int *newval, void **extra, GucSource source) {
  // A SET in the session, or a value the session starts with (connection
  // options, role or database defaults); not the validation of a value stored
  // for later (ALTER ROLE ... SET, CREATE FUNCTION ... SET: PGC_S_TEST).
  bool session = source == PGC_S_SESSION || (source >= PGC_S_DATABASE && source <= PGC_S_CLIENT);
  if (*newval == MODE_OFF && session)
    ereport(LOG, (errmsg("pg_fk_guard.mode set to off by role \"%s\": foreign keys are not checked in this session",
                         GetUserNameFromId(GetUserId(), true) ? GetUserNameFromId(GetUserId(), true) : "?")));
  return true;
}

}  // namespace

}  // namespace fkg

using namespace fkg;

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
  DefineCustomIntVariable("pg_fk_guard.profile_row_limit",
                          "Largest referencing table (estimated rows) whose data a refusal message describes.",
                          "Reading the data costs one scan of the table, done only when the guard refuses a "
                          "statement. 0 never reads data. Any user: the scan runs with the user's own privileges.",
                          &profile_row_limit, 100000, 0, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
  DefineCustomEnumVariable("pg_fk_guard.duplicate_keys",
                           "What the migration guard does with a foreign key that duplicates an existing one.",
                           "warn (a WARNING naming the existing key), error (refuse the statement), or ignore. "
                           "Same columns referencing the same columns count, whatever the actions. Any user.",
                           &duplicate_policy, DUPLICATE_WARN, duplicate_options, PGC_USERSET, 0, NULL, NULL, NULL);
  DefineCustomIntVariable("pg_fk_guard.validation_notice_rows",
                          "Estimated rows of a referencing table above which ADD FOREIGN KEY without NOT VALID "
                          "gets a NOTICE about its validating scan.",
                          "The scan holds SHARE ROW EXCLUSIVE on both tables; the NOTICE gives the two-step form "
                          "(NOT VALID, then VALIDATE CONSTRAINT). 0 never gives it. Any user.",
                          &validation_notice_rows, 1000000, 0, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
  MarkGUCPrefixReserved("pg_fk_guard");
  fkg::register_dropped_keys_callback();
}
}
