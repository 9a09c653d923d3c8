// Which migration tool sent a statement, told from what it sends (its SQL
// shape, the constraint names it generates, application_name), and the
// sentence that tells that tool's users how to declare the column's type.
// One table, walked in order: a new tool is a new row. Pure C++.
#pragma once

#include <string>
#include <string_view>

namespace fkg {

struct StatementShape {
  std::string_view query;             // the statement text as the client sent it
  std::string_view constraint;        // the foreign key's name (as asked for, or PostgreSQL's default)
  std::string_view application_name;  // the session's application_name
};

struct ToolNote {
  const char *tool;  // "Sequelize", "TypeORM", ...
  const char *note;  // one or two sentences, for a HINT
};

// The first tool whose shape matches, or nullptr.
const ToolNote *recognise_tool(const StatementShape &s);

// For ALTER COLUMN ... TYPE that no cast can do (uuid to integer): the first
// tool whose conversion shape matches, or nullptr.
const ToolNote *recognise_cast_tool(const StatementShape &s);

// The note when no tool is recognised.
const char *generic_tool_note();

}  // namespace fkg
