// Test-only: PostgreSQL 15's own parser (libpg_query, Debian's
// libpg-query-dev) behind a small C++ interface, so the unit tests can check
// that generated SQL parses to exactly the statements it announces. Never
// part of the product.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fkg::testing {

// A JSON value, as libpg_query prints parse trees.
struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool b = false;
  std::string text;  // Number (as written) and String (decoded)
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in order

  const Json *get(const std::string &key) const;
  const Json &at(const std::string &key) const;  // a Null value when absent
  // The value without "location", "stmt_location" and "stmt_len" members,
  // re-serialized: equal trees give equal text wherever they stood.
  std::string shape() const;
};

Json parse_json(const std::string &text);  // throws std::runtime_error

struct Statement {
  std::string node;  // parse node name: "DoStmt", "AlterTableStmt", ...
  std::string tag;   // command tag, as GetCommandTagName(CreateCommandTag(stmt)) names it
  Json tree;         // the node's members
  bool is_do = false;
  std::string do_body;  // DO: the body (the "as" argument)
  std::string do_language = "plpgsql";
};

struct Parsed {
  bool ok = false;
  std::string error;  // parser's message when !ok
  int cursor = 0;
  std::vector<Statement> statements;
};

// Parses `sql` as the server's raw parser does (RAW_PARSE_DEFAULT), with
// standard_conforming_strings on or off.
Parsed parse(const std::string &sql, bool standard_conforming_strings = true);

// Compiles a PL/pgSQL body (as a DO block would run it). Empty: it compiles;
// otherwise the error message.
std::string plpgsql_error(const std::string &body);

// The command tag PostgreSQL gives a raw statement (utility.c's
// CreateCommandTag, for the statements a fix plan can hold and more); an
// unknown node gives "?NodeName".
std::string command_tag(const std::string &node, const Json &tree);

// The "-- Statements: ..." line(s) of a script: the listed tags, in order.
// Sets *lines to how many such lines there were.
std::vector<std::string> announced_tags(const std::string &script, int *lines);

// Checks that `script` has exactly one "-- Statements:" line and parses, with
// standard_conforming_strings on and off, to exactly the tags it announces,
// that each DO body compiles as PL/pgSQL and, when `expected` is given, that
// the statements are exactly those (each parsed alone). Empty: it does;
// otherwise what is wrong.
std::string check_script(const std::string &script, const std::vector<std::string> *expected = nullptr,
                         Parsed *parsed = nullptr);

}  // namespace fkg::testing
