// Unit tests for the pure verdict engine: facts in, kind out, no server.
#include <gtest/gtest.h>

#include <map>

#include "verdict.hpp"

namespace fkg {
namespace {

// A built-in column type as the catalog would describe it.
ColumnType col(const std::string &base, const std::string &display, int32_t typmod = -1, uint32_t oid = 0,
               uint32_t collation = 0) {
  static std::map<std::string, uint32_t> oids;
  ColumnType c;
  c.base = base;
  c.display = display;
  c.base_display = display;
  c.typmod = typmod;
  c.type_oid = oid ? oid : (oids.count(base) ? oids[base] : (oids[base] = 1000 + oids.size()));
  c.collation_oid = collation;
  if (collation) c.collation = collation == 950 ? "\"C\"" : "\"default\"";
  return c;
}

PairFacts pair(ColumnType fk, ColumnType pk, Comparison cmp = Comparison::Operator, bool index_usable = true,
               const std::string &compared_as = "") {
  PairFacts f;
  f.referencing = std::move(fk);
  f.referenced = std::move(pk);
  f.comparison = cmp;
  f.referencing_index_usable = index_usable;
  f.compared_as = compared_as.empty() ? f.referenced.display : compared_as;
  f.opfamily = "some_ops";
  return f;
}

constexpr int32_t kVarchar36 = 36 + 4;
constexpr int32_t kVarchar255 = 255 + 4;

struct Case {
  const char *name;
  PairFacts facts;
  Kind expected;
};

class KindTable : public ::testing::TestWithParam<Case> {};

TEST_P(KindTable, ClassifiesAsExpected) {
  const Case &c = GetParam();
  Verdict v = classify(c.facts);
  EXPECT_EQ(kind_name(v.kind), std::string(kind_name(c.expected))) << c.name << ": " << v.explanation();
  if (c.expected != Kind::None) {
    EXPECT_FALSE(v.explanation().empty());
  }
}

const Case kCases[] = {
    {"integer -> bigint", pair(col("int4", "integer"), col("int8", "bigint")), Kind::Narrower},
    {"smallint -> integer", pair(col("int2", "smallint"), col("int4", "integer")), Kind::Narrower},
    {"bigint -> integer", pair(col("int8", "bigint"), col("int4", "integer")), Kind::Width},
    {"varchar(36) -> text",
     pair(col("varchar", "character varying(36)", kVarchar36), col("text", "text"), Comparison::BinaryCoercion),
     Kind::Narrower},
    {"varchar(36) -> varchar(255)",
     pair(col("varchar", "character varying(36)", kVarchar36), col("varchar", "character varying(255)", kVarchar255),
          Comparison::BinaryCoercion),
     Kind::Narrower},
    {"varchar(255) -> varchar(36)",
     pair(col("varchar", "character varying(255)", kVarchar255), col("varchar", "character varying(36)", kVarchar36),
          Comparison::BinaryCoercion),
     Kind::Width},
    {"numeric(10,2) -> numeric", pair(col("numeric", "numeric(10,2)", ((10 << 16) | 2) + 4), col("numeric", "numeric")),
     Kind::Narrower},
    {"numeric -> numeric(10,2)", pair(col("numeric", "numeric"), col("numeric", "numeric(10,2)", ((10 << 16) | 2) + 4)),
     Kind::Width},
    // Equal scale, more integer digits: every referenced key fits (issue 19).
    {"numeric(12,2) -> numeric(10,2)",
     pair(col("numeric", "numeric(12,2)", ((12 << 16) | 2) + 4), col("numeric", "numeric(10,2)", ((10 << 16) | 2) + 4)),
     Kind::Width},
    {"numeric(10,2) -> numeric(12,2)",
     pair(col("numeric", "numeric(10,2)", ((10 << 16) | 2) + 4), col("numeric", "numeric(12,2)", ((12 << 16) | 2) + 4)),
     Kind::Narrower},
    {"numeric(10,2) -> numeric(8,4)",
     pair(col("numeric", "numeric(10,2)", ((10 << 16) | 2) + 4), col("numeric", "numeric(8,4)", ((8 << 16) | 4) + 4)),
     Kind::Narrower},
    {"char(5) -> varchar",
     pair(col("bpchar", "character(5)", 9), col("varchar", "character varying"), Comparison::FunctionCoercion, false,
          "text"),
     Kind::Narrower},
    {"real -> double precision", pair(col("float4", "real"), col("float8", "double precision")), Kind::Narrower},
    {"double precision -> real", pair(col("float8", "double precision"), col("float4", "real")), Kind::Width},
    {"integer -> double precision",
     pair(col("int4", "integer"), col("float8", "double precision"), Comparison::FunctionCoercion, false), Kind::Lossy},
    {"numeric -> real", pair(col("numeric", "numeric"), col("float4", "real"), Comparison::FunctionCoercion, false),
     Kind::Lossy},
    {"timestamp -> timestamptz",
     pair(col("timestamp", "timestamp without time zone"), col("timestamptz", "timestamp with time zone")),
     Kind::TimezoneDependent},
    {"timestamptz -> timestamp",
     pair(col("timestamptz", "timestamp with time zone"), col("timestamp", "timestamp without time zone")),
     Kind::TimezoneDependent},
    {"date -> timestamptz", pair(col("date", "date"), col("timestamptz", "timestamp with time zone")),
     Kind::TimezoneDependent},
    {"time -> timetz",
     pair(col("time", "time without time zone"), col("timetz", "time with time zone"), Comparison::FunctionCoercion,
          false),
     Kind::TimezoneDependent},
    {"date -> timestamp", pair(col("date", "date"), col("timestamp", "timestamp without time zone")), Kind::Semantic},
    {"inet -> cidr", pair(col("inet", "inet"), col("cidr", "cidr")), Kind::Semantic},
    {"cidr -> inet", pair(col("cidr", "cidr"), col("inet", "inet"), Comparison::BinaryCoercion), Kind::Semantic},
    {"name -> text (long text keys)", pair(col("name", "name"), col("text", "text")), Kind::Narrower},
    {"text -> name", pair(col("text", "text"), col("name", "name")), Kind::Semantic},
    {"char(36) -> text, index usable on a char column? no",
     pair(col("bpchar", "character(36)", 40), col("text", "text"), Comparison::FunctionCoercion, false),
     Kind::Narrower},
    {"text -> char(36)",
     pair(col("text", "text"), col("bpchar", "character(36)", 40), Comparison::BinaryCoercion, false),
     Kind::IndexUnusable},
    {"bit(8) -> bit(4)", pair(col("bit", "bit(8)", 8), col("bit", "bit(4)", 4)), Kind::Semantic},
    {"integer -> numeric", pair(col("int4", "integer"), col("numeric", "numeric"), Comparison::FunctionCoercion, false),
     Kind::IndexUnusable},
    {"integer -> oid", pair(col("int4", "integer"), col("oid", "oid"), Comparison::BinaryCoercion, false),
     Kind::IndexUnusable},
    {"timestamp(0) -> timestamp",
     pair(col("timestamp", "timestamp(0) without time zone", 0), col("timestamp", "timestamp without time zone")),
     Kind::Narrower},
    // timestamp is timestamp(6): different typmods, the same precision, no kind.
    {"timestamp -> timestamp(6)",
     pair(col("timestamp", "timestamp without time zone"), col("timestamp", "timestamp(6) without time zone", 6)),
     Kind::None},
    {"timestamp(3) -> timestamp(0)",
     pair(col("timestamp", "timestamp(3) without time zone", 3), col("timestamp", "timestamp(0) without time zone", 0)),
     Kind::Width},
    {"varchar -> text, alike but declared differently",
     pair(col("varchar", "character varying"), col("text", "text"), Comparison::BinaryCoercion), Kind::Semantic},
    {"unknown extension types fall back to semantic",
     pair(col("citext", "citext"), col("text", "text"), Comparison::BinaryCoercion), Kind::Semantic},
    {"identical", pair(col("int4", "integer"), col("int4", "integer")), Kind::None},
    {"identical varchar(36)",
     pair(col("varchar", "character varying(36)", kVarchar36), col("varchar", "character varying(36)", kVarchar36)),
     Kind::None},
};

INSTANTIATE_TEST_SUITE_P(Pairs, KindTable, ::testing::ValuesIn(kCases));

TEST(Verdict, RefusedPairIsIncompatibleWithErrorSeverity) {
  PairFacts f = pair(col("uuid", "uuid"), col("int4", "integer"), Comparison::None, false, "integer");
  f.accepted = false;
  f.opfamily = "integer_ops";
  Verdict v = classify(f);
  EXPECT_EQ(v.kind, Kind::Incompatible);
  EXPECT_EQ(v.severity(), Severity::Error);
  EXPECT_EQ(v.explanation(),
            "No equality operator of operator family integer_ops compares uuid with integer, and uuid has no "
            "implicit cast to integer.");
}

TEST(Verdict, PolymorphicRefusalNamesTheFamilyType) {
  PairFacts f = pair(col("_int4", "integer[]"), col("_int8", "bigint[]"), Comparison::None, true, "anyarray");
  f.accepted = false;
  EXPECT_NE(classify(f).explanation().find("not the same anyarray type"), std::string::npos);
}

TEST(Verdict, DomainOverSameTypeIsDomain) {
  ColumnType dom = col("int4", "integer", -1, 50001);
  dom.domain = "public.user_id";
  dom.display = "public.user_id";
  Verdict v = classify(pair(dom, col("int4", "integer")));
  EXPECT_EQ(v.kind, Kind::Domain);
  EXPECT_EQ(v.severity(), Severity::Notice);
}

TEST(Verdict, DomainOverNarrowerTypeReportsBothMostSeriousFirst) {
  ColumnType dom = col("int4", "integer", -1, 50002);
  dom.domain = "public.user_id";
  Verdict v = classify(pair(dom, col("int8", "bigint")));
  EXPECT_EQ(v.kind, Kind::Narrower);
  ASSERT_EQ(v.problems.size(), 2u);
  EXPECT_EQ(v.problems[1].kind, Kind::Domain);
  EXPECT_NE(v.explanation().find(" Also: "), std::string::npos);
}

TEST(Verdict, CollationOnlyDifference) {
  Verdict v = classify(pair(col("text", "text", -1, 25, 100), col("text", "text", -1, 25, 950)));
  EXPECT_EQ(v.kind, Kind::Collation);
  EXPECT_NE(v.explanation().find("\"C\""), std::string::npos);
}

TEST(Verdict, NondeterministicCollationIsExplained) {
  ColumnType pk = col("text", "text", -1, 25, 60000);
  pk.collation = "public.case_insensitive";
  pk.collation_deterministic = false;
  Verdict v = classify(pair(col("text", "text", -1, 25, 100), pk));
  EXPECT_EQ(v.kind, Kind::Collation);
  EXPECT_NE(v.explanation().find("nondeterministic"), std::string::npos);
}

TEST(Verdict, IndexProblemOnlyWhenEqualityConvertsTheReferencingSide) {
  // A cross-type operator of the same family keeps the index usable.
  EXPECT_FALSE(classify(pair(col("int4", "integer"), col("int8", "bigint"))).has(Kind::IndexUnusable));
  EXPECT_TRUE(classify(pair(col("int4", "integer"), col("numeric", "numeric"), Comparison::FunctionCoercion, false))
                  .has(Kind::IndexUnusable));
}

TEST(Severity, TableMatchesTheDocumentation) {
  EXPECT_EQ(kind_severity(Kind::Incompatible), Severity::Error);
  for (Kind k : {Kind::Narrower, Kind::Lossy, Kind::TimezoneDependent, Kind::IndexUnusable})
    EXPECT_EQ(kind_severity(k), Severity::Warning) << kind_name(k);
  for (Kind k : {Kind::Semantic, Kind::Width, Kind::Domain, Kind::Collation})
    EXPECT_EQ(kind_severity(k), Severity::Notice) << kind_name(k);
  EXPECT_EQ(kind_severity(Kind::None), Severity::None);
}

TEST(Severity, ParsesNames) {
  Severity s;
  ASSERT_TRUE(parse_severity("warning", &s));
  EXPECT_EQ(s, Severity::Warning);
  EXPECT_FALSE(parse_severity("fatal", &s));
}

}  // namespace
}  // namespace fkg

namespace fkg {
namespace {

TEST(Verdict, CollationRefusalsOfPostgres18AreExplained) {
  PairFacts f = pair(col("char", "\"char\""), col("text", "text", -1, 25, 100), Comparison::FunctionCoercion, false);
  f.accepted = false;
  f.refusal = Refusal::NotBothCollatable;
  Verdict v = classify(f);
  EXPECT_EQ(v.kind, Kind::Incompatible);
  EXPECT_EQ(v.explanation(),
            "\"char\" has no collation and text has one: PostgreSQL refuses a foreign key whose key columns are not "
            "both collatable.");

  ColumnType ci = col("text", "text", -1, 25, 60000);
  ci.collation = "public.case_insensitive";
  ci.collation_deterministic = false;
  PairFacts g = pair(col("text", "text", -1, 25, 100), ci);
  g.accepted = false;
  g.refusal = Refusal::NondeterministicCollation;
  EXPECT_NE(classify(g).explanation().find("nondeterministic: both must be the same"), std::string::npos);
}

// A hand-made family with integer = bigint but no bigint = bigint: the
// sentence says what is missing, not that nothing compares the two types.
TEST(Verdict, MissingReferencingEqualityIsNamed) {
  PairFacts f = pair(col("bigint", "bigint", -1, 20), col("integer", "integer", -1, 23), Comparison::None, false);
  f.accepted = false;
  f.refusal = Refusal::NoReferencingEquality;
  f.opfamily = "half_int_ops";
  f.compared_as = "integer";
  Verdict v = classify(f);
  EXPECT_EQ(v.kind, Kind::Incompatible);
  EXPECT_EQ(v.explanation(),
            "Operator family half_int_ops compares integer with bigint but has no equality operator for bigint with "
            "bigint, which PostgreSQL also needs for the referencing values, and bigint has no implicit cast to "
            "integer.");
}

}  // namespace
}  // namespace fkg

namespace fkg {
namespace {

ColumnType typed(const char *display, const char *base, char category) {
  ColumnType c;
  c.display = display;
  c.base = base;
  c.category = category;
  return c;
}

TEST(WholeValues, ArraysAndDocumentsAreNeverConvertedToAKey) {
  ColumnType key = typed("character varying(255)", "varchar", 'S');
  std::string arr = whole_value_problem(typed("text[]", "_text", 'A'), key);
  EXPECT_NE(arr.find("join table"), std::string::npos) << arr;
  EXPECT_NE(whole_value_problem(typed("jsonb", "jsonb", 'U'), key).find("a jsonb document"), std::string::npos);
  EXPECT_NE(whole_value_problem(typed("int4range", "int4range", 'R'), key).find("a range"), std::string::npos);
  EXPECT_NE(whole_value_problem(typed("address", "address", 'C'), key).find("a composite value"), std::string::npos);
  // Same kind on both sides, or a plain scalar: nothing to say.
  EXPECT_EQ(whole_value_problem(typed("text[]", "_text", 'A'), typed("integer[]", "_int4", 'A')), "");
  EXPECT_EQ(whole_value_problem(typed("uuid", "uuid", 'U'), key), "");
}

}  // namespace
}  // namespace fkg
