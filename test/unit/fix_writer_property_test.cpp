// Property tests for the fix writer (write_fix_plan, write_type_fix) driven
// with hostile names, checked with PostgreSQL 15's own parser (libpg_query):
// every script has exactly one "-- Statements:" line, parses (with
// standard_conforming_strings on and off) to exactly the announced
// statements, its DO bodies compile as PL/pgSQL, and every table and column
// it names is the one it was given: with mappings (ambiguous ones too),
// cascades, lost defaults and kept constraints. FKG_PROPTEST_SEED /
// FKG_PROPTEST_CASES as in sql_writer_property_test.cpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fix_writer.hpp"
#include "hostile.hpp"
#include "pg_parse.hpp"
#include "sql_writer.hpp"

namespace fkg {
namespace {

using sql::Ident;
using testing::Hostile;

uint64_t seed() {
  const char *s = std::getenv("FKG_PROPTEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261130;
}

int cases() {
  const char *s = std::getenv("FKG_PROPTEST_CASES");
  return s ? std::atoi(s) / 3 : 1000;
}

std::string show(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 0x20 && c < 0x7f && c != '\\') || c == '\n') {
      out += (char)c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

struct Names {
  std::string schema, table, column, rschema, rtable, rcolumn, constraint, mapcol;
};

Names draw(Hostile &h) {
  Names n{h.name(), h.name(), h.name(), h.name(), h.name(), h.name(), h.name(), h.name()};
  if (h.chance(10)) n.rschema = n.schema;
  if (h.chance(5)) n.rtable = n.table;  // self reference
  return n;
}

// Every table an ALTER TABLE / UPDATE / DELETE acts on is the referencing
// table, and every ALTER COLUMN names the referencing column.
std::string check_targets(const testing::Parsed &p, const Names &n) {
  for (const auto &s : p.statements) {
    if (s.node != "AlterTableStmt" && s.node != "UpdateStmt" && s.node != "DeleteStmt") continue;
    const testing::Json &rel = s.tree.at("relation");
    if (rel.at("schemaname").text != n.schema || rel.at("relname").text != n.table)
      return s.tag + " on " + show(rel.at("schemaname").text) + "." + show(rel.at("relname").text) +
             ", not the referencing table";
    if (s.node != "AlterTableStmt") continue;
    for (const auto &cmd : s.tree.at("cmds").items) {
      const testing::Json &c = cmd.at("AlterTableCmd");
      std::string sub = c.at("subtype").text;
      if ((sub == "AT_AlterColumnType" || sub == "AT_ColumnDefault" || sub == "AT_DropNotNull") &&
          c.at("name").text != n.column)
        return sub + " on column " + show(c.at("name").text) + ", not the referencing column";
    }
  }
  return "";
}

std::string check(const std::string &script, const Names &n) {
  testing::Parsed p;
  std::string why = testing::check_script(script, nullptr, &p);
  if (why.empty()) why = check_targets(p, n);
  return why;
}

PlanInput plan_input(const Names &n, OnUnconvertible mode) {
  PlanInput in;
  in.table = Ident::qualified(n.schema, n.table);
  in.column = Ident::quote(n.column);
  in.referenced_table = Ident::qualified(n.rschema, n.rtable);
  in.referenced_column = Ident::quote(n.rcolumn);
  in.constraint = Ident::quote(n.constraint);
  in.converts_function = Ident::qualified("fk_guard", "converts");
  in.source_type = "uuid";
  in.target_type = "integer";
  in.conversion = "t." + Ident::quote(n.column).str() + "::text::integer";
  in.using_expression = Ident::quote(n.column).str() + "::text::integer";
  in.mode = mode;
  return in;
}

TEST(FixWriterProperty, FixPlansWithHostileNamesAreExactlyWhatTheyAnnounce) {
  Hostile h(seed() + 10);
  int failures = 0;
  const OnUnconvertible modes[] = {OnUnconvertible::Fail, OnUnconvertible::Null, OnUnconvertible::Delete,
                                   OnUnconvertible::Map};
  for (int i = 0; i < cases() && failures < 5; i++) {
    Names n = draw(h);
    OnUnconvertible mode = modes[i % 4];
    PlanInput in = plan_input(n, mode);
    PlanCounts counts{9, 3, 2, 4, 1};
    PlanMapping m;
    m.column = Ident::quote(n.mapcol);
    m.covered = 5;
    m.total = 6;
    if (h.chance(20)) {
      m.ambiguous = 1 + (long long)h.next(3);
      for (long long k = 0; k < m.ambiguous; k++) m.ambiguous_samples.push_back(h.text(60, h.chance(20)));
    }
    if (h.chance(70)) in.counts = &counts;
    if (mode == OnUnconvertible::Map || h.chance(30)) in.mapping = &m;
    if (h.chance(20)) {
      in.conversion = "t." + Ident::quote(n.column).str();
      in.using_expression = Ident::quote(n.column).str();
      in.conversion_needed = false;
      in.source_type = "integer";
    }
    if (h.chance(20)) {
      // A declared key on the pair: PostgreSQL rebuilds it.
      in.kept_constraint = Ident::quote(n.constraint);
      in.constraint.reset();
      in.source_type = "integer";
      in.target_type = "bigint";
    }
    if (h.chance(25)) in.lost_default = "DEFAULT " + sql::literal(h.text(60)) + "::uuid";
    if (h.chance(30)) in.rewrites = false;
    int cascades = mode == OnUnconvertible::Delete && h.chance(40) ? 1 + (int)h.next(3) : 0;
    for (int k = 0; k < cascades; k++)
      in.cascades.push_back({Ident::qualified(h.name(), h.name()).str(), Ident::quote(h.name()).str(),
                             k % 2 ? "SET NULL" : "CASCADE", (long long)h.next(100)});
    if (h.chance(30)) in.notes.push_back(h.text(200, h.chance(20)));
    if (h.chance(40)) {
      // Without the extension: the script defines its own converts().
      in.converts_function = Ident::checked(kConvertsHelper);
      in.define_converts = true;
    }
    std::string script;
    try {
      script = write_fix_plan(in);
    } catch (const std::exception &e) {
      failures++;
      ADD_FAILURE() << "write_fix_plan threw " << e.what();
      continue;
    }
    std::string why = check(script, n);
    if (!why.empty()) {
      failures++;
      ADD_FAILURE() << why << "\n" << show(script);
    }
  }
}

TEST(FixWriterProperty, TypeFixesWithHostileNamesAreExactlyWhatTheyAnnounce) {
  Hostile h(seed() + 11);
  int failures = 0;
  const Kind kinds[] = {Kind::Narrower, Kind::Width, Kind::Collation, Kind::TimezoneDependent, Kind::Incompatible};
  const Conversion convs[] = {Conversion::Assignment, Conversion::Explicit, Conversion::ExplicitTypmod,
                              Conversion::None};
  for (int i = 0; i < cases() && failures < 5; i++) {
    Names n = draw(h);
    FixTarget t;
    t.referencing_table = Ident::qualified(n.schema, n.table).str();
    t.referencing_column = Ident::quote(n.column).str();
    t.referenced_table = Ident::qualified(n.rschema, n.rtable).str();
    t.referenced_column = Ident::quote(n.rcolumn).str();
    t.target_type = h.chance(50) ? "bigint" : "character varying(36)";
    t.target_collation = h.chance(20) ? Ident::quote(h.name()).str() : "";
    t.constraint_name = h.chance(80) ? Ident::quote(n.constraint).str() : "";
    t.conversion = convs[h.next(4)];
    Verdict v;
    v.kind = kinds[h.next(5)];
    v.problems.push_back({v.kind, h.text(100)});
    std::string script;
    try {
      script = write_type_fix(t, v);
    } catch (const std::exception &e) {
      failures++;
      ADD_FAILURE() << "write_type_fix threw " << e.what();
      continue;
    }
    std::string why = check(script, n);
    if (!why.empty()) {
      failures++;
      ADD_FAILURE() << why << "\n" << show(script);
    }
  }
}

}  // namespace
}  // namespace fkg
