// PostgreSQL 15 AND OLDER ONLY (see input_check.hpp: from 16 on PostgreSQL's
// own input functions decide softly, and this code is not called).
//
// PostgreSQL 15's input rules, reimplemented from their description (no
// PostgreSQL code is copied). Each checker names the PostgreSQL 15 function
// whose behaviour it mirrors; the order in which errors are detected follows
// PostgreSQL too, so that the message is the one the server would give.
#include "input_check.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "no_postgres.hpp"

namespace fkg {

namespace {

// What the input function would do with a value.
enum class Outcome {
  Ok,
  Syntax,         // invalid input syntax for type T: "V"
  IntRange,       // value "V" is out of range for type T
  NumericFormat,  // value overflows numeric format
  NumericField,   // numeric field overflow
  TooLong,        // value too long for type character varying(n) / character(n)
};

// isspace() of the C and UTF-8 locales on one byte.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_xdigit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// True when s starts with `word` compared case-insensitively (pg_strncasecmp
// with n = strlen(word): folds ASCII letters only, as it does for the bytes
// that can match an ASCII word).
bool starts_with_ci(std::string_view s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (ascii_lower(s[i]) != ascii_lower(word[i])) return false;
  return true;
}

// ---- int2in / int4in / int8in: pg_strtoint16/32/64 (numutils.c) ----
//
// Optional leading whitespace, an optional sign, at least one decimal digit,
// optional trailing whitespace, nothing else (PG 15: no underscores, no
// 0x/0o/0b prefixes; those arrived in PG 16). The digits are accumulated as a
// negative number, and the range is checked digit by digit: as soon as the
// accumulated digits leave the type's range the result is "out of range",
// even if junk follows ("99999999999x" is out of range, "2147483648x" is a
// syntax error). A positive value equal to the type's minimum is out of range.
template <typename T>
Outcome check_int(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n && is_space(s[i])) ++i;
  bool neg = false;
  if (i < n && s[i] == '-') {
    neg = true;
    ++i;
  } else if (i < n && s[i] == '+') {
    ++i;
  }
  if (i >= n || !is_digit(s[i])) return Outcome::Syntax;
  // Up to digits10 digits always fit (9 for int4): only the form is checked.
  size_t first = i;
  while (i < n && is_digit(s[i]) && i - first < static_cast<size_t>(std::numeric_limits<T>::digits10)) ++i;
  if (i == n || !is_digit(s[i])) {
    while (i < n && is_space(s[i])) ++i;
    return i == n ? Outcome::Ok : Outcome::Syntax;
  }
  i = first;
  T acc = 0;
  while (i < n && is_digit(s[i])) {
    T digit = static_cast<T>(s[i++] - '0');
    if (__builtin_mul_overflow(acc, static_cast<T>(10), &acc) || __builtin_sub_overflow(acc, digit, &acc))
      return Outcome::IntRange;
  }
  while (i < n && is_space(s[i])) ++i;
  if (i != n) return Outcome::Syntax;
  if (!neg && acc == std::numeric_limits<T>::min()) return Outcome::IntRange;
  return Outcome::Ok;
}

// ---- numeric_in (numeric.c) ----

// A valid numeric typmod is at least VARHDRSZ (is_valid_numeric_typmod).
bool numeric_typmod_valid(int32_t typmod) { return typmod >= 4; }
int32_t numeric_typmod_precision(int32_t typmod) { return ((typmod - 4) >> 16) & 0xffff; }
// The scale is an 11-bit two's-complement field in PG 15 (negative scales).
int32_t numeric_typmod_scale(int32_t typmod) { return (((typmod - 4) & 0x7ff) ^ 1024) - 1024; }

int64_t floor_div4(int64_t x) { return x >= 0 ? x / 4 : -((-x + 3) / 4); }

// The digits of a parsed number, read in place from the input: digit k
// (0-based, leading zeros included) has the decimal weight dweight - k.
struct Digits {
  std::string_view s;
  size_t first = 0;                       // index in s of the first digit
  size_t count = 0;                       // number of digits
  size_t point = std::string_view::npos;  // index in s of an embedded '.', if any
  int digit(size_t k) const {
    size_t at = first + k;
    if (point != std::string_view::npos && at >= point) ++at;
    return s[at] - '0';
  }
};

// Mirrors numeric_in: leading whitespace; then the special values NaN,
// Infinity, +Infinity, -Infinity, inf, +inf, -inf (case-insensitive, tried in
// that order as prefixes: "infinity" is Infinity, "infinit" is inf followed by
// junk); otherwise set_var_from_str: an optional sign, an optional '.', at
// least one digit, more digits with at most one '.', then optionally 'e'/'E'
// and an exponent read by strtol (which itself skips whitespace and takes a
// sign; no digits at all is a syntax error; |exponent| >= INT_MAX/2 is "value
// overflows numeric format" at once). Then only whitespace may follow (syntax
// error otherwise) -- checked before any typmod or storage error.
//
// Special values: NaN is accepted whatever the typmod; an infinity is refused
// by any valid typmod ("numeric field overflow", apply_typmod_special).
//
// Finite values with a valid typmod (apply_typmod): round half away from zero
// to `scale` decimal places (a negative scale rounds to tens, hundreds...),
// then the rounded value, unless zero, must be below 10^(precision - scale)
// in absolute value, else "numeric field overflow". The stored display scale
// becomes max(scale, 0).
//
// Then make_result must be able to store the value: its base-10000 weight
// (that of the first non-zero group, 0 for zero) must fit in int16 and the
// display scale (digits after the point, minus the exponent, at least 0 --
// trailing zeros count, and zero keeps it too: "0e-20000" overflows) must not
// exceed 0x3FFF, else "value overflows numeric format".
Outcome check_numeric(std::string_view s, int32_t typmod) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n && is_space(s[i])) ++i;

  std::string_view rest = s.substr(i);
  enum { Finite, NaN, Inf } special = Finite;
  size_t skip = 0;
  if (starts_with_ci(rest, "NaN")) {
    special = NaN, skip = 3;
  } else if (starts_with_ci(rest, "Infinity")) {
    special = Inf, skip = 8;
  } else if (starts_with_ci(rest, "+Infinity") || starts_with_ci(rest, "-Infinity")) {
    special = Inf, skip = 9;
  } else if (starts_with_ci(rest, "inf")) {
    special = Inf, skip = 3;
  } else if (starts_with_ci(rest, "+inf") || starts_with_ci(rest, "-inf")) {
    special = Inf, skip = 4;
  }
  if (special != Finite) {
    for (i += skip; i < n; ++i)
      if (!is_space(s[i])) return Outcome::Syntax;
    if (special == Inf && numeric_typmod_valid(typmod)) return Outcome::NumericField;
    return Outcome::Ok;
  }

  // set_var_from_str
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  bool have_point = false;
  if (i < n && s[i] == '.') {
    have_point = true;
    ++i;
  }
  if (i >= n || !is_digit(s[i])) return Outcome::Syntax;
  Digits d;
  d.s = s;
  d.first = i;
  int64_t dweight = -1;  // decimal weight of the first digit
  int64_t dscale = 0;    // digits after the point
  while (i < n) {
    if (is_digit(s[i])) {
      ++d.count;
      if (have_point)
        ++dscale;
      else
        ++dweight;
      ++i;
    } else if (s[i] == '.') {
      if (have_point) return Outcome::Syntax;
      have_point = true;
      d.point = i;
      ++i;
    } else {
      break;
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    // strtol(..., 10): whitespace, sign, digits; saturates on overflow.
    size_t j = i;
    while (j < n && is_space(s[j])) ++j;
    bool eneg = false;
    if (j < n && (s[j] == '+' || s[j] == '-')) eneg = s[j++] == '-';
    if (j >= n || !is_digit(s[j])) return Outcome::Syntax;  // strtol converted nothing
    int64_t exponent = 0;
    const int64_t cap = int64_t{1} << 40;  // far beyond INT_MAX / 2; stands for saturation
    while (j < n && is_digit(s[j])) {
      if (exponent < cap) exponent = exponent * 10 + (s[j] - '0');
      ++j;
    }
    if (eneg) exponent = -exponent;
    const int64_t limit = std::numeric_limits<int32_t>::max() / 2;
    if (exponent >= limit || exponent <= -limit) return Outcome::NumericFormat;
    i = j;
    dweight += exponent;
    dscale -= exponent;
    if (dscale < 0) dscale = 0;
  }
  for (; i < n; ++i)
    if (!is_space(s[i])) return Outcome::Syntax;

  // The first non-zero digit, if any, and its decimal weight.
  size_t f = 0;
  while (f < d.count && d.digit(f) == 0) ++f;
  bool zero = f == d.count;
  int64_t msd = zero ? 0 : dweight - static_cast<int64_t>(f);

  if (numeric_typmod_valid(typmod)) {
    // apply_typmod
    const int64_t precision = numeric_typmod_precision(typmod);
    const int64_t scale = numeric_typmod_scale(typmod);
    const int64_t maxdigits = precision - scale;
    const int64_t keep = -scale;  // decimal weight of the last digit kept by the rounding
    if (!zero) {
      // Digit index of decimal weight w is dweight - w.
      auto digit_at = [&](int64_t w) -> int {
        int64_t k = dweight - w;
        return (k >= 0 && k < static_cast<int64_t>(d.count)) ? d.digit(static_cast<size_t>(k)) : 0;
      };
      bool round_up = digit_at(keep - 1) >= 5;
      if (msd >= keep) {
        // Rounding up carries into a new leading digit only if every kept
        // digit is a 9.
        if (round_up) {
          bool all_nines = true;
          for (int64_t w = msd; w >= keep && all_nines; --w) all_nines = digit_at(w) == 9;
          if (all_nines) ++msd;
        }
      } else if (msd == keep - 1 && round_up) {
        msd = keep;
      } else {
        zero = true;  // rounds to zero
      }
      if (!zero && msd + 1 > maxdigits) return Outcome::NumericField;
    }
    dscale = scale < 0 ? 0 : scale;
  }

  // make_result: the weight and display scale must fit the storage format.
  int64_t weight = zero ? 0 : floor_div4(msd);
  if (weight > std::numeric_limits<int16_t>::max() || weight < std::numeric_limits<int16_t>::min())
    return Outcome::NumericFormat;
  if (dscale > 0x3FFF) return Outcome::NumericFormat;
  return Outcome::Ok;
}

// ---- uuid_in: string_to_uuid (uuid.c) ----
//
// An optional '{'; then 16 bytes, each exactly two hex digits (either case);
// after the 2nd, 4th, ..., 14th byte -- that is after every group of four hex
// digits except the last -- one optional '-'; then '}' if and only if the
// value began with '{'; then the end. No whitespace anywhere, no second
// hyphen in a row, no hyphen before the first or after the last digit.
Outcome check_uuid(std::string_view s) {
  size_t i = 0, n = s.size();
  bool braces = false;
  if (i < n && s[i] == '{') {
    braces = true;
    ++i;
  }
  for (int byte = 0; byte < 16; ++byte) {
    if (i + 1 >= n || !is_xdigit(s[i]) || !is_xdigit(s[i + 1])) return Outcome::Syntax;
    i += 2;
    if (i < n && s[i] == '-' && byte % 2 == 1 && byte < 15) ++i;
  }
  if (braces) {
    if (i >= n || s[i] != '}') return Outcome::Syntax;
    ++i;
  }
  return i == n ? Outcome::Ok : Outcome::Syntax;
}

// ---- boolin + parse_bool_with_len (bool.c) ----
//
// Leading and trailing whitespace are trimmed. What remains, compared
// case-insensitively, must be a non-empty prefix of "true", "false", "yes" or
// "no", or a prefix of "on"/"off" at least two characters long ("o" alone is
// ambiguous), or exactly "1" or "0".
bool prefix_of_ci(std::string_view value, std::string_view word) {
  return !value.empty() && value.size() <= word.size() && starts_with_ci(word, value);
}

Outcome check_bool(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  std::string_view v = s.substr(b, e - b);
  if (v.empty()) return Outcome::Syntax;
  bool ok = false;
  switch (ascii_lower(v[0])) {
    case 't':
      ok = prefix_of_ci(v, "true");
      break;
    case 'f':
      ok = prefix_of_ci(v, "false");
      break;
    case 'y':
      ok = prefix_of_ci(v, "yes");
      break;
    case 'n':
      ok = prefix_of_ci(v, "no");
      break;
    case 'o':
      ok = v.size() >= 2 && (prefix_of_ci(v, "on") || prefix_of_ci(v, "off"));
      break;
    case '1':
    case '0':
      ok = v.size() == 1;
      break;
    default:
      break;
  }
  return ok ? Outcome::Ok : Outcome::Syntax;
}

// ---- varcharin / bpcharin: varchar_input / bpchar_input (varchar.c) ----
//
// With a typmod of at least VARHDRSZ the limit is typmod - 4 characters. A
// longer value is accepted only if everything after the first `limit`
// characters is ASCII spaces (they are silently cut off); anything else there
// -- a tab, a letter -- is "value too long for type character varying(n)" /
// "character(n)". Characters are counted as pg_mblen does for UTF-8: by the
// lead byte (110xxxxx: 2 bytes, 1110xxxx: 3, 11110xxx: 4, otherwise 1).
size_t utf8_char_len(unsigned char c) {
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

Outcome check_char_length(std::string_view s, int32_t typmod) {
  if (typmod < 4) return Outcome::Ok;
  const size_t limit = static_cast<size_t>(typmod) - 4;
  if (s.size() <= limit) return Outcome::Ok;  // bytes >= characters
  // Byte length of the first `limit` characters (pg_mbcharcliplen).
  size_t clip = 0;
  for (size_t chars = 0; chars < limit && clip < s.size(); ++chars)
    clip += utf8_char_len(static_cast<unsigned char>(s[clip]));
  for (size_t j = clip; j < s.size(); ++j)
    if (s[j] != ' ') return Outcome::TooLong;
  return Outcome::Ok;
}

Outcome check_type(CheckType type, std::string_view text, int32_t typmod);

Outcome check(CheckType type, std::string_view text, int32_t typmod) {
  // The input function sees a C string: a NUL byte would end it. An integer
  // accepted as it is holds no NUL byte (digits, spaces and a sign only):
  // only a refused one is looked at again, up to its first NUL.
  if (type == CheckType::Int2 || type == CheckType::Int4 || type == CheckType::Int8) {
    Outcome o = check_type(type, text, typmod);
    if (o == Outcome::Ok) return o;
  }
  size_t nul = text.find('\0');
  if (nul != std::string_view::npos) text = text.substr(0, nul);
  return check_type(type, text, typmod);
}

Outcome check_type(CheckType type, std::string_view text, int32_t typmod) {
  switch (type) {
    case CheckType::Int2:
      return check_int<int16_t>(text);
    case CheckType::Int4:
      return check_int<int32_t>(text);
    case CheckType::Int8:
      return check_int<int64_t>(text);
    case CheckType::Numeric:
      return check_numeric(text, typmod);
    case CheckType::Uuid:
      return check_uuid(text);
    case CheckType::Bool:
      return check_bool(text);
    case CheckType::Text:
      return Outcome::Ok;  // textin accepts any (validly encoded) string
    case CheckType::Varchar:
    case CheckType::Bpchar:
      return check_char_length(text, typmod);
  }
  return Outcome::Syntax;
}

// The type name PostgreSQL's messages use.
const char *message_type_name(CheckType t) {
  switch (t) {
    case CheckType::Int2:
      return "smallint";
    case CheckType::Int4:
      return "integer";
    case CheckType::Int8:
      return "bigint";
    case CheckType::Numeric:
      return "numeric";
    case CheckType::Uuid:
      return "uuid";
    case CheckType::Bool:
      return "boolean";
    case CheckType::Text:
      return "text";
    case CheckType::Varchar:
      return "character varying";
    case CheckType::Bpchar:
      return "character";
  }
  return "";
}

}  // namespace

std::optional<CheckType> check_type_for(std::string_view name) {
  struct Entry {
    const char *name;
    CheckType type;
  };
  static const Entry kNames[] = {
      {"int2", CheckType::Int2},     {"smallint", CheckType::Int2},    {"int4", CheckType::Int4},
      {"integer", CheckType::Int4},  {"int", CheckType::Int4},         {"int8", CheckType::Int8},
      {"bigint", CheckType::Int8},   {"numeric", CheckType::Numeric},  {"decimal", CheckType::Numeric},
      {"uuid", CheckType::Uuid},     {"bool", CheckType::Bool},        {"boolean", CheckType::Bool},
      {"text", CheckType::Text},     {"varchar", CheckType::Varchar},  {"character varying", CheckType::Varchar},
      {"bpchar", CheckType::Bpchar}, {"character", CheckType::Bpchar},
  };
  for (const Entry &e : kNames)
    if (name == e.name) return e.type;
  return std::nullopt;
}

const char *check_type_name(CheckType t) {
  switch (t) {
    case CheckType::Int2:
      return "int2";
    case CheckType::Int4:
      return "int4";
    case CheckType::Int8:
      return "int8";
    case CheckType::Numeric:
      return "numeric";
    case CheckType::Uuid:
      return "uuid";
    case CheckType::Bool:
      return "bool";
    case CheckType::Text:
      return "text";
    case CheckType::Varchar:
      return "varchar";
    case CheckType::Bpchar:
      return "bpchar";
  }
  return "";
}

bool input_ok(CheckType type, std::string_view text, int32_t typmod) noexcept {
  return check(type, text, typmod) == Outcome::Ok;
}

CheckResult check_input(CheckType type, std::string_view text, int32_t typmod) {
  Outcome o = check(type, text, typmod);
  if (o == Outcome::Ok) return CheckResult{true, {}};
  size_t nul = text.find('\0');
  std::string value(text.substr(0, nul));
  std::string tname = message_type_name(type);
  switch (o) {
    case Outcome::Syntax:
      return CheckResult{false, "invalid input syntax for type " + tname + ": \"" + value + "\""};
    case Outcome::IntRange:
      return CheckResult{false, "value \"" + value + "\" is out of range for type " + tname};
    case Outcome::NumericFormat:
      return CheckResult{false, "value overflows numeric format"};
    case Outcome::NumericField:
      return CheckResult{false, "numeric field overflow"};
    case Outcome::TooLong:
      return CheckResult{false, "value too long for type " + tname + "(" + std::to_string(typmod - 4) + ")"};
    case Outcome::Ok:
      break;
  }
  return CheckResult{true, {}};
}

}  // namespace fkg
