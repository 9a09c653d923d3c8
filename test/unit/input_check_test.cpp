// Unit tests for PostgreSQL 15's input rules (src/core/input_check.cpp).
// Every expectation here was also checked against a PostgreSQL 15 server by
// test/input_check_differential.sh.
#include <gtest/gtest.h>

#include <string>

#include "input_check.hpp"

namespace fkg {
namespace {

struct Case {
  CheckType type;
  int32_t typmod;
  std::string text;
  const char *error;  // nullptr: accepted; else PostgreSQL's message
};

std::ostream &operator<<(std::ostream &os, const Case &c) {
  return os << check_type_name(c.type) << "(" << c.typmod << ") \"" << c.text << "\"";
}

class Inputs : public ::testing::TestWithParam<Case> {};

TEST_P(Inputs, MatchPostgres15) {
  const Case &c = GetParam();
  CheckResult r = check_input(c.type, c.text, c.typmod);
  EXPECT_EQ(input_ok(c.type, c.text, c.typmod), c.error == nullptr);
  if (c.error == nullptr) {
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.error, "");
  } else {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, c.error);
  }
}

constexpr int32_t kNone = -1;
const CheckType I2 = CheckType::Int2, I4 = CheckType::Int4, I8 = CheckType::Int8;

const Case kIntegers[] = {
    {I4, kNone, "0", nullptr},
    {I4, kNone, "42", nullptr},
    {I4, kNone, "+42", nullptr},
    {I4, kNone, "-42", nullptr},
    {I4, kNone, "  42  ", nullptr},
    {I4, kNone, "\t\n\v\f\r42\r\n", nullptr},
    {I4, kNone, "000000000000000000000042", nullptr},
    {I4, kNone, "-0", nullptr},
    {I4, kNone, "2147483647", nullptr},
    {I4, kNone, "-2147483648", nullptr},
    {I4, kNone, "2147483648", "value \"2147483648\" is out of range for type integer"},
    {I4, kNone, "-2147483649", "value \"-2147483649\" is out of range for type integer"},
    {I4, kNone, "00002147483647", nullptr},
    // Nine digits always fit; ten or more are range-checked digit by digit,
    // spaces around them allowed all the same.
    {I4, kNone, " 999999999 ", nullptr},
    {I4, kNone, " 2147483647\t", nullptr},
    {I4, kNone, "\n-2147483648 ", nullptr},
    {I4, kNone, "1000000000 x", "invalid input syntax for type integer: \"1000000000 x\""},
    {I4, kNone, "999999999 x", "invalid input syntax for type integer: \"999999999 x\""},
    {I4, kNone, " 99999999999 ", "value \" 99999999999 \" is out of range for type integer"},
    // The range is checked while reading digits, before the trailing junk...
    {I4, kNone, "99999999999x", "value \"99999999999x\" is out of range for type integer"},
    // ...but 2147483648 still fits the negative accumulator, so junk wins.
    {I4, kNone, "2147483648x", "invalid input syntax for type integer: \"2147483648x\""},
    {I4, kNone, "", "invalid input syntax for type integer: \"\""},
    {I4, kNone, "   ", "invalid input syntax for type integer: \"   \""},
    {I4, kNone, "-", "invalid input syntax for type integer: \"-\""},
    {I4, kNone, "- 1", "invalid input syntax for type integer: \"- 1\""},
    {I4, kNone, "+-1", "invalid input syntax for type integer: \"+-1\""},
    {I4, kNone, "--1", "invalid input syntax for type integer: \"--1\""},
    {I4, kNone, "1 2", "invalid input syntax for type integer: \"1 2\""},
    {I4, kNone, "abc", "invalid input syntax for type integer: \"abc\""},
    {I4, kNone, "1.0", "invalid input syntax for type integer: \"1.0\""},
    {I4, kNone, "1e3", "invalid input syntax for type integer: \"1e3\""},
    // PG 16 syntax, not PG 15's.
    {I4, kNone, "1_000", "invalid input syntax for type integer: \"1_000\""},
    {I4, kNone, "0x1F", "invalid input syntax for type integer: \"0x1F\""},
    // A no-break space is not whitespace to PostgreSQL.
    {I4, kNone,
     "\xc2\xa0"
     "1",
     "invalid input syntax for type integer: \"\xc2\xa0"
     "1\""},
    {I2, kNone, "32767", nullptr},
    {I2, kNone, "-32768", nullptr},
    {I2, kNone, "32768", "value \"32768\" is out of range for type smallint"},
    {I2, kNone, "-32769", "value \"-32769\" is out of range for type smallint"},
    {I2, kNone, "x", "invalid input syntax for type smallint: \"x\""},
    {I8, kNone, "9223372036854775807", nullptr},
    {I8, kNone, "-9223372036854775808", nullptr},
    {I8, kNone, "9223372036854775808", "value \"9223372036854775808\" is out of range for type bigint"},
    {I8, kNone, "-9223372036854775809", "value \"-9223372036854775809\" is out of range for type bigint"},
    {I8, kNone, "2147483648", nullptr},
    {I8, kNone, "1 ", nullptr},
    {I8, kNone, "1x", "invalid input syntax for type bigint: \"1x\""},
};
INSTANTIATE_TEST_SUITE_P(Integers, Inputs, ::testing::ValuesIn(kIntegers));

const CheckType N = CheckType::Numeric;

const Case kNumerics[] = {
    {N, kNone, "0", nullptr},
    {N, kNone, "  -12.50  ", nullptr},
    {N, kNone, "+.5", nullptr},
    {N, kNone, "5.", nullptr},
    {N, kNone, "-.5e-3", nullptr},
    {N, kNone, "1e5", nullptr},
    {N, kNone, "1E+5", nullptr},
    {N, kNone, "5.e3", nullptr},
    // strtol reads the exponent: it skips whitespace before it.
    {N, kNone, "1e 5", nullptr},
    {N, kNone, "1e\t-5", nullptr},
    {N, kNone, "1e- 5", "invalid input syntax for type numeric: \"1e- 5\""},
    {N, kNone, "1e", "invalid input syntax for type numeric: \"1e\""},
    {N, kNone, "1e+", "invalid input syntax for type numeric: \"1e+\""},
    {N, kNone, "1 e5", "invalid input syntax for type numeric: \"1 e5\""},
    {N, kNone, ".", "invalid input syntax for type numeric: \".\""},
    {N, kNone, "", "invalid input syntax for type numeric: \"\""},
    {N, kNone, "-", "invalid input syntax for type numeric: \"-\""},
    {N, kNone, "- 1", "invalid input syntax for type numeric: \"- 1\""},
    {N, kNone, "1.2.3", "invalid input syntax for type numeric: \"1.2.3\""},
    {N, kNone, "e5", "invalid input syntax for type numeric: \"e5\""},
    {N, kNone, "1_000", "invalid input syntax for type numeric: \"1_000\""},
    {N, kNone, "0x10", "invalid input syntax for type numeric: \"0x10\""},
    // Special values.
    {N, kNone, "NaN", nullptr},
    {N, kNone, " nan ", nullptr},
    {N, kNone, "-NaN", "invalid input syntax for type numeric: \"-NaN\""},
    {N, kNone, "Infinity", nullptr},
    {N, kNone, "-infinity", nullptr},
    {N, kNone, "+INF", nullptr},
    {N, kNone, "inf", nullptr},
    {N, kNone, "infinit", "invalid input syntax for type numeric: \"infinit\""},
    {N, kNone, "infinityx", "invalid input syntax for type numeric: \"infinityx\""},
    {N, numeric_typmod(5, 2), "NaN", nullptr},
    {N, numeric_typmod(5, 2), "Infinity", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "-inf", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "infx", "invalid input syntax for type numeric: \"infx\""},
    // Exponent limits: |e| >= INT_MAX/2 fails at once, before trailing junk.
    {N, kNone, "1e1073741823", "value overflows numeric format"},
    {N, kNone, "1e-1073741823", "value overflows numeric format"},
    {N, kNone, "1e99999999999999999999999x", "value overflows numeric format"},
    {N, kNone, "1e1073741822", "value overflows numeric format"},  // storage weight
    {N, kNone, "1e131071", nullptr},
    {N, kNone, "1e131072", "value overflows numeric format"},
    {N, kNone, "1e-16383", nullptr},
    {N, kNone, "1e-16384", "value overflows numeric format"},
    {N, kNone, "0e-16384", "value overflows numeric format"},  // zero keeps its scale
    {N, kNone, "0e1073741822", nullptr},
    // Typmod: round half away from zero to the scale, then check the digits.
    {N, numeric_typmod(5, 2), "999.99", nullptr},
    {N, numeric_typmod(5, 2), "999.994", nullptr},
    {N, numeric_typmod(5, 2), "999.995", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "-999.995", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "1000", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "0.001", nullptr},
    {N, numeric_typmod(5, 2), "00000999.99000", nullptr},
    {N, numeric_typmod(5, 2), "9.9999e2", nullptr},
    {N, numeric_typmod(5, 2), "9.99995e2", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "1e-20000", nullptr},  // rounds to zero
    {N, numeric_typmod(5, 2), "1e200000", "numeric field overflow"},
    {N, numeric_typmod(5, 2), "1x", "invalid input syntax for type numeric: \"1x\""},
    {N, numeric_typmod(1, 0), "9.4", nullptr},
    {N, numeric_typmod(1, 0), "9.5", "numeric field overflow"},
    {N, numeric_typmod(1, 0), "-0.4", nullptr},
    {N, numeric_typmod(3, 0), "0", nullptr},
    // PG 15: scale greater than precision, and negative scale.
    {N, numeric_typmod(2, 5), "0.00099", nullptr},
    {N, numeric_typmod(2, 5), "0.000995", "numeric field overflow"},
    {N, numeric_typmod(2, 5), "0.001", "numeric field overflow"},
    {N, numeric_typmod(3, -2), "99949", nullptr},
    {N, numeric_typmod(3, -2), "99950", "numeric field overflow"},
    {N, numeric_typmod(3, -2), "49.9", nullptr},
};
INSTANTIATE_TEST_SUITE_P(Numerics, Inputs, ::testing::ValuesIn(kNumerics));

const CheckType U = CheckType::Uuid;
const Case kUuids[] = {
    {U, kNone, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", nullptr},
    {U, kNone, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", nullptr},
    {U, kNone, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", nullptr},
    {U, kNone, "a0eebc999c0b4ef8bb6d6bb9bd380a11", nullptr},
    {U, kNone, "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", nullptr},
    {U, kNone, "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", nullptr},
    {U, kNone, "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11", nullptr},
    {U, kNone, "a0eeb-c999c0b4ef8bb6d6bb9bd380a11",
     "invalid input syntax for type uuid: \"a0eeb-c999c0b4ef8bb6d6bb9bd380a11\""},
    {U, kNone, "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
     "invalid input syntax for type uuid: \"a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {U, kNone, "-a0eebc999c0b4ef8bb6d6bb9bd380a11",
     "invalid input syntax for type uuid: \"-a0eebc999c0b4ef8bb6d6bb9bd380a11\""},
    {U, kNone, "a0eebc999c0b4ef8bb6d6bb9bd380a11-",
     "invalid input syntax for type uuid: \"a0eebc999c0b4ef8bb6d6bb9bd380a11-\""},
    {U, kNone, "{a0eebc999c0b4ef8bb6d6bb9bd380a11",
     "invalid input syntax for type uuid: \"{a0eebc999c0b4ef8bb6d6bb9bd380a11\""},
    {U, kNone, "a0eebc999c0b4ef8bb6d6bb9bd380a11}",
     "invalid input syntax for type uuid: \"a0eebc999c0b4ef8bb6d6bb9bd380a11}\""},
    {U, kNone, " a0eebc999c0b4ef8bb6d6bb9bd380a11",
     "invalid input syntax for type uuid: \" a0eebc999c0b4ef8bb6d6bb9bd380a11\""},
    {U, kNone, "a0eebc999c0b4ef8bb6d6bb9bd380a11 ",
     "invalid input syntax for type uuid: \"a0eebc999c0b4ef8bb6d6bb9bd380a11 \""},
    {U, kNone, "a0eebc999c0b4ef8bb6d6bb9bd380a1",
     "invalid input syntax for type uuid: \"a0eebc999c0b4ef8bb6d6bb9bd380a1\""},
    {U, kNone, "a0eebc999c0b4ef8bb6d6bb9bd380a111",
     "invalid input syntax for type uuid: \"a0eebc999c0b4ef8bb6d6bb9bd380a111\""},
    {U, kNone, "g0eebc999c0b4ef8bb6d6bb9bd380a11",
     "invalid input syntax for type uuid: \"g0eebc999c0b4ef8bb6d6bb9bd380a11\""},
    {U, kNone, "", "invalid input syntax for type uuid: \"\""},
};
INSTANTIATE_TEST_SUITE_P(Uuids, Inputs, ::testing::ValuesIn(kUuids));

const CheckType B = CheckType::Bool;
const Case kBools[] = {
    {B, kNone, "true", nullptr},
    {B, kNone, "TRUE", nullptr},
    {B, kNone, "t", nullptr},
    {B, kNone, "tr", nullptr},
    {B, kNone, "  tRu \n", nullptr},
    {B, kNone, "f", nullptr},
    {B, kNone, "fals", nullptr},
    {B, kNone, "y", nullptr},
    {B, kNone, "yes", nullptr},
    {B, kNone, "n", nullptr},
    {B, kNone, "no", nullptr},
    {B, kNone, "on", nullptr},
    {B, kNone, "of", nullptr},
    {B, kNone, "OFF", nullptr},
    {B, kNone, "1", nullptr},
    {B, kNone, " 0 ", nullptr},
    {B, kNone, "o", "invalid input syntax for type boolean: \"o\""},
    {B, kNone, " o ", "invalid input syntax for type boolean: \" o \""},
    {B, kNone, "onn", "invalid input syntax for type boolean: \"onn\""},
    {B, kNone, "truex", "invalid input syntax for type boolean: \"truex\""},
    {B, kNone, "tru e", "invalid input syntax for type boolean: \"tru e\""},
    {B, kNone, "yes please", "invalid input syntax for type boolean: \"yes please\""},
    {B, kNone, "01", "invalid input syntax for type boolean: \"01\""},
    {B, kNone, "2", "invalid input syntax for type boolean: \"2\""},
    {B, kNone, "", "invalid input syntax for type boolean: \"\""},
    {B, kNone, "  ", "invalid input syntax for type boolean: \"  \""},
};
INSTANTIATE_TEST_SUITE_P(Bools, Inputs, ::testing::ValuesIn(kBools));

const CheckType V = CheckType::Varchar, C = CheckType::Bpchar, T = CheckType::Text;
const Case kStrings[] = {
    {T, kNone, "", nullptr},
    {T, kNone, "anything at all \t\n", nullptr},
    {V, kNone, "no limit without a typmod", nullptr},
    {V, varchar_typmod(3), "abc", nullptr},
    {V, varchar_typmod(3), "ab", nullptr},
    {V, varchar_typmod(3), "abc   ", nullptr},  // excess spaces are cut off silently
    {V, varchar_typmod(3), "abcd", "value too long for type character varying(3)"},
    {V, varchar_typmod(3), "abc \t", "value too long for type character varying(3)"},
    {V, varchar_typmod(3), "abc  x", "value too long for type character varying(3)"},
    {V, varchar_typmod(3), "a  b", "value too long for type character varying(3)"},
    // Characters, not bytes: three 2-, 3- and 4-byte characters fit.
    {V, varchar_typmod(3), "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", nullptr},
    {V, varchar_typmod(3), "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80  ", nullptr},
    {V, varchar_typmod(2), "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", "value too long for type character varying(2)"},
    {C, kNone, "whatever length", nullptr},
    {C, varchar_typmod(3), "abc", nullptr},
    {C, varchar_typmod(3), "a", nullptr},
    {C, varchar_typmod(3), "abc      ", nullptr},
    {C, varchar_typmod(3), "abcd", "value too long for type character(3)"},
    {C, varchar_typmod(1), "\xe6\x97\xa5 ", nullptr},
    {C, varchar_typmod(1), "\xe6\x97\xa5\xe6\x97\xa5", "value too long for type character(1)"},
};
INSTANTIATE_TEST_SUITE_P(Strings, Inputs, ::testing::ValuesIn(kStrings));

TEST(InputCheck, TypeNames) {
  EXPECT_EQ(check_type_for("int4"), CheckType::Int4);
  EXPECT_EQ(check_type_for("integer"), CheckType::Int4);
  EXPECT_EQ(check_type_for("int2"), CheckType::Int2);
  EXPECT_EQ(check_type_for("bigint"), CheckType::Int8);
  EXPECT_EQ(check_type_for("numeric"), CheckType::Numeric);
  EXPECT_EQ(check_type_for("uuid"), CheckType::Uuid);
  EXPECT_EQ(check_type_for("bool"), CheckType::Bool);
  EXPECT_EQ(check_type_for("text"), CheckType::Text);
  EXPECT_EQ(check_type_for("varchar"), CheckType::Varchar);
  EXPECT_EQ(check_type_for("character varying"), CheckType::Varchar);
  EXPECT_EQ(check_type_for("bpchar"), CheckType::Bpchar);
  EXPECT_EQ(check_type_for("char"), std::nullopt);  // PostgreSQL's one-byte "char"
  EXPECT_EQ(check_type_for("INT4"), std::nullopt);
  EXPECT_EQ(check_type_for("float8"), std::nullopt);
  EXPECT_EQ(check_type_for(""), std::nullopt);
  for (CheckType t : {CheckType::Int2, CheckType::Int4, CheckType::Int8, CheckType::Numeric, CheckType::Uuid,
                      CheckType::Bool, CheckType::Text, CheckType::Varchar, CheckType::Bpchar})
    EXPECT_EQ(check_type_for(check_type_name(t)), t);
}

TEST(InputCheck, Typmods) {
  EXPECT_EQ(varchar_typmod(36), 40);
  EXPECT_EQ(numeric_typmod(10, 2), (10 << 16 | 2) + 4);
  EXPECT_EQ(numeric_typmod(3, -2), (3 << 16 | 0x7fe) + 4);
}

TEST(InputCheck, NulEndsTheValue) {
  std::string v("12\0x", 4);
  EXPECT_TRUE(input_ok(CheckType::Int4, v));
  EXPECT_EQ(check_input(CheckType::Uuid, std::string("x\0y", 3)).error, "invalid input syntax for type uuid: \"x\"");
}

}  // namespace
}  // namespace fkg
