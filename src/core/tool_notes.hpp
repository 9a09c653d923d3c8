// Which migration tool sent a statement, told from what it sends (its SQL
// shape, the constraint names it generates, application_name), and the
// sentence that tells that tool's users how to declare the column with the
// referenced key's type, in the tool's own spelling of that type. One table,
// walked in order: a new tool is a new row. Pure C++.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fkg {

struct StatementShape {
  std::string_view query;             // the statement text as the client sent it
  std::string_view constraint;        // the foreign key's name (as asked for, or PostgreSQL's default)
  std::string_view application_name;  // the session's application_name
  std::string_view table;             // the referencing table's name, unqualified and unquoted; "" if unknown
  std::vector<std::string> columns;   // the foreign key's referencing columns, unquoted, in order
};

struct ToolNote {
  const char *tool;  // "Sequelize", "TypeORM", ...
  // One or two sentences, for a HINT, for a referenced key of this SQL type
  // (format_type's spelling of its base type: "integer", "bigint", "uuid",
  // "character varying(36)", ...): the tool's own spelling of it where it has
  // one, else a sentence that names the SQL type.
  std::string (*write)(const std::string &key_type);
  std::string note(const std::string &key_type) const { return write(key_type); }
};

// The first tool whose shape matches, or nullptr.
const ToolNote *recognise_tool(const StatementShape &s);

// The note of the recognised tool for a key of this type, or the generic one.
std::string tool_note_for(const StatementShape &s, const std::string &key_type);

// For ALTER COLUMN ... TYPE that no cast can do (uuid to integer): the first
// tool whose conversion shape matches, or nullptr. Its note does not depend
// on the type.
const ToolNote *recognise_cast_tool(const StatementShape &s);

// The note when no tool is recognised.
const char *generic_tool_note();

}  // namespace fkg
