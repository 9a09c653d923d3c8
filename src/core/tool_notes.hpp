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
  // The pair the note is about, as stored (unquoted, unqualified); "" if
  // unknown, and the notes then write "..." for the name.
  std::string_view column;             // the referencing column
  std::string_view referenced_table;   // the referenced table
  std::string_view referenced_column;  // the referenced column
};

struct ToolNote {
  const char *tool;  // "Sequelize", "TypeORM", ...
  // One or two sentences, for a HINT, for a referenced key of this SQL type
  // (format_type's spelling of its base type: "integer", "bigint", "uuid",
  // "character varying(36)", ...): the tool's own spelling of it where it has
  // one, else a sentence that names the SQL type.
  // The names it writes are the statement's (StatementShape's table, column,
  // referenced_table, referenced_column), quoted as the tool's language wants.
  std::string (*write)(const StatementShape &s, const std::string &key_type);
  std::string note(const StatementShape &s, const std::string &key_type) const { return write(s, key_type); }
};

// The first tool whose shape matches, or nullptr.
const ToolNote *recognise_tool(const StatementShape &s);

// The note of the recognised tool for a key of this type, or the generic one.
std::string tool_note_for(const StatementShape &s, const std::string &key_type);

// For ALTER COLUMN ... TYPE that no cast can do (uuid to integer): the first
// tool whose conversion shape matches, or nullptr. Its note does not depend
// on the type.
const ToolNote *recognise_cast_tool(const StatementShape &s);

// A name as a string literal of each language the notes write; a name that
// is "" is "...". No character of the name can end the literal or start an
// interpolation. Ruby: a symbol (:user_id) where the name is a plain
// identifier, else a string.
std::string js_string(std::string_view name);
std::string php_string(std::string_view name);
std::string ruby_name(std::string_view name);

// The note when no tool is recognised.
const char *generic_tool_note();

}  // namespace fkg
