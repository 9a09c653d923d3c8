// The one SQL writer: every piece of SQL that pg_fk_guard generates for
// someone else to run (fix plans, suggested fixes, SQL in hints) is put
// together here. Names chosen by table owners are hostile input: they reach
// SQL only as quoted identifiers, as literals, or inside comments where no
// character can end the comment. Pure C++ (no PostgreSQL header).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fkg::sql {

// A quoted identifier, or a dotted chain of them (schema.table). Made only
// from raw names (always double-quoted), or from text that is checked to be
// exactly quoted identifiers separated by dots (what PostgreSQL's
// quote_identifier and quote_qualified_identifier return); anything else
// throws.
class Ident {
 public:
  static Ident quote(std::string_view raw);
  static Ident qualified(std::string_view schema, std::string_view name);
  static Ident checked(std::string_view quoted);
  Ident() = default;  // empty until assigned; str() throws on an empty one
  const std::string &str() const;

 private:
  explicit Ident(std::string t) : text_(std::move(t)) {}
  std::string text_;
};

// Is `text` one or more identifiers, each bare ([a-z_][a-z0-9_$]*) or
// double-quoted with inner quotes doubled, separated by single dots?
bool is_quoted_identifier_chain(std::string_view text);

// Double-quotes a name, doubling inner double quotes.
std::string always_quoted(std::string_view raw);

// A string literal that means `value` whatever standard_conforming_strings
// says: quotes doubled, and with backslashes the E'' form with doubled
// backslashes. A NUL byte cannot be in a PostgreSQL string and throws.
std::string literal(std::string_view value);

// Text made safe for a "-- " comment line: control characters (newline, CR,
// tab, others), DEL, C1 controls, Unicode line/paragraph separators and the
// invisible format characters (zero-width, bidirectional marks and
// overrides, BOM) become \n, \r, \t or \u{XXXX}; invalid UTF-8 becomes
// \x{XX}. The result never contains a line break.
std::string comment_safe(std::string_view text);

// One comment line: "-- " + comment_safe(text) + "\n".
std::string comment(std::string_view text);

// $tag$body$tag$ with a tag (starting from `base`) that occurs nowhere in
// the body, so the body cannot end the quote.
std::string dollar_quoted(std::string_view body, std::string_view base = "fk_guard");

// A statement a script announces: its command tag as PostgreSQL names it
// ("ALTER TABLE", "DO", "SET", ...), what it does (a comment, made safe),
// the lock it takes and whether it rewrites a table.
struct Statement {
  std::string tag;
  std::string sql;  // without the final semicolon
  std::string what;
  std::string lock;      // e.g. "ACCESS EXCLUSIVE on public.sessions"; empty: none
  std::string rewrites;  // table rewritten, empty: none
  // A section heading (made safe) printed as its own comment line before the
  // first statement of each run of statements with the same one, e.g.
  // "Phase 2 of 5: ..."; empty: none.
  std::string section = "";
};

// A script: header comment lines, then the statements, each preceded by
// its comment. The header ends with "-- Statements: TAG, TAG, ..." listing
// every statement in order ("(none)" when there is none), so a reader and
// a test can check that the script is exactly what it announces.
class Script {
 public:
  void header(std::string_view text) { header_.push_back(std::string(text)); }
  void add(Statement s) { statements_.push_back(std::move(s)); }
  bool empty() const { return statements_.empty(); }
  const std::vector<Statement> &statements() const { return statements_; }
  // with_steps: number the statements and list lock/rewrite per step.
  std::string render(bool with_steps = true) const;

 private:
  std::vector<std::string> header_;
  std::vector<Statement> statements_;
};

}  // namespace fkg::sql
