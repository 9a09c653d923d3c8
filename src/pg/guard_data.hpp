// What the guard's messages share: the data a refusal describes (read only
// when about to refuse, only for small tables, only through trusted code),
// the sentences that describe it, the fix_plan() call a HINT names, the note
// for the tool that sent the statement, and raising the report itself.
// Used by guard.cpp (foreign keys) and guard_cast.cpp (column conversions).
#pragma once

#include <string>
#include <vector>

#include "profile.hpp"
#include "../core/guard_text.hpp"

namespace fkg {

struct Profile {
  bool read = false;          // false: not read (too big, new table, untrusted code, or the read failed)
  double estimated = -1;      // estimated rows
  std::string not_read;       // why not, when that is worth saying: "the cast from ... is user-defined (...)"
  bool user_code = false;     // not_read names user-defined code the conversion would run
  std::string keys;           // the referenced key as messages name it (users.id), when orphans were counted
  std::string keys_not_read;  // why the values were not compared with the keys, when worth saying
  ColumnProfile data;
};

// What to profile: a column, the type it would become, and optionally the
// key its converted values must match.
struct ProfileRequest {
  Oid rel = InvalidOid;
  std::string attname;  // as stored
  Oid target = InvalidOid;
  int32 typmod = -1;
  Oid keys_rel = InvalidOid;  // InvalidOid: values are not compared with keys
  std::string keys_attname;
  std::string keys_display;  // users.id
};

// The same profile as fk_guard.profile_column(), run by the guard: only
// PostgreSQL's or a superuser's code, inside a subtransaction. Unread (with
// no reason) when the table is larger than pg_fk_guard.profile_row_limit or
// the read failed; without an orphan count when only the keys cannot be read.
Profile profile_of(const ProfileRequest &r);

// "sessions holds 3 rows: 1 with "userId" NULL, 2 uuid values that cannot
// become integer (for example ...)." table and column as messages name them;
// source and target as the types print. Empty when there is nothing to say.
std::string data_sentence(const std::string &table, const std::string &column, const std::string &source,
                          const std::string &target, const Profile &prof);

// The profile as the core's sentences take it (src/core/guard_text.hpp).
DataFacts data_facts(const Profile &prof);

// A name as stored, from its quote_identifier form.
std::string unquoted(const char *quoted);

// "SELECT fk_guard.explain('public.sessions', 'userId');": the table always
// schema-qualified, its name and the column's (as stored) quoted as literals.
std::string explain_call(Oid rel, const std::string &column);

// What the tool that sent the statement should do, in its own spelling of
// the referenced key's type, when its shape tells which tool it is; a general
// sentence otherwise. constraint: the name the statement gives the foreign
// key, or null; table: the referencing table as the user names it (quoted,
// maybe schema-qualified); columns: the foreign key's referencing columns as
// stored; column: the referencing column the note is about, as stored;
// referenced_table: as the user names it; referenced_column: as stored;
// key_type: the referenced key's SQL type ("integer", "uuid", ...).
std::string tool_note(const char *constraint, const char *table, const std::vector<std::string> &columns,
                      const char *column, const char *referenced_table, const char *referenced_column,
                      const std::string &key_type);

// For a column conversion no cast can do: the sentence for the tool whose
// statement shape this is; empty when none is recognised.
std::string cast_tool_note();

struct Report {
  int elevel;
  int sqlstate;
  std::string message, detail, hint;
};

// Raises the report with the guard's CONTEXT line.
void raise(const Report &r);

}  // namespace fkg
