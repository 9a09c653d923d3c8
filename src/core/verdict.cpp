#include "verdict.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <optional>

#include "no_postgres.hpp"

namespace fkg {

const char *kind_name(Kind k) {
  switch (k) {
    case Kind::Incompatible:
      return "incompatible";
    case Kind::Lossy:
      return "lossy";
    case Kind::TimezoneDependent:
      return "timezone_dependent";
    case Kind::Narrower:
      return "narrower";
    case Kind::IndexUnusable:
      return "index_unusable";
    case Kind::Semantic:
      return "semantic";
    case Kind::Width:
      return "width";
    case Kind::Domain:
      return "domain";
    case Kind::Collation:
      return "collation";
    case Kind::None:
      return "none";
  }
  return "none";
}

Severity kind_severity(Kind k) {
  switch (k) {
    case Kind::Incompatible:
      return Severity::Error;
    case Kind::Lossy:
    case Kind::TimezoneDependent:
    case Kind::Narrower:
    case Kind::IndexUnusable:
      return Severity::Warning;
    case Kind::Semantic:
    case Kind::Width:
    case Kind::Domain:
    case Kind::Collation:
      return Severity::Notice;
    case Kind::None:
      return Severity::None;
  }
  return Severity::None;
}

const char *severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Notice:
      return "notice";
    case Severity::None:
      return "none";
  }
  return "none";
}

bool parse_severity(const std::string &name, Severity *out) {
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Notice}) {
    if (name == severity_name(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

bool identical(const ColumnType &a, const ColumnType &b) {
  return a.type_oid == b.type_oid && a.typmod == b.typmod && a.collation_oid == b.collation_oid;
}

bool Verdict::has(Kind k) const {
  return std::any_of(problems.begin(), problems.end(), [k](const Problem &p) { return p.kind == k; });
}

std::string Verdict::explanation() const {
  std::string out;
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i == 1)
      out += " Also: ";
    else if (i > 1)
      out += " ";
    out += problems[i].sentence;
  }
  return out;
}

namespace {

constexpr int32_t kVarHdrSz = 4;
constexpr long long kUnlimited = std::numeric_limits<long long>::max();

bool in(const std::string &s, std::initializer_list<const char *> set) {
  return std::any_of(set.begin(), set.end(), [&s](const char *x) { return s == x; });
}

bool is_pair(const std::string &a, const std::string &b, const char *x, const char *y) {
  return (a == x && b == y) || (a == y && b == x);
}

// Rank of a built-in integer type, 0 if not one.
int int_rank(const std::string &t) {
  if (t == "int2") return 1;
  if (t == "int4") return 2;
  if (t == "int8") return 3;
  return 0;
}

const char *int_max(int rank) {
  switch (rank) {
    case 1:
      return "32767";
    case 2:
      return "2147483647";
    default:
      return "9223372036854775807";
  }
}

bool text_like(const std::string &t) { return in(t, {"text", "varchar", "bpchar", "name"}); }

// Maximum length in characters (bytes for name) a text-like type can hold.
long long text_capacity(const ColumnType &c) {
  if (c.base == "name") return 63;
  if ((c.base == "varchar" || c.base == "bpchar") && c.typmod >= kVarHdrSz) return c.typmod - kVarHdrSz;
  return kUnlimited;
}

// Seconds precision of a datetime typmod; unconstrained means 6 digits.
int time_precision(int32_t typmod) { return typmod < 0 ? 6 : typmod; }

struct NumericSpec {
  bool unconstrained = true;
  int precision = 0;
  int scale = 0;
};

NumericSpec numeric_spec(int32_t typmod) {
  NumericSpec s;
  if (typmod < kVarHdrSz) return s;
  int32_t t = typmod - kVarHdrSz;
  s.unconstrained = false;
  s.precision = (t >> 16) & 0xffff;
  s.scale = ((t & 0x7ff) ^ 1024) - 1024;  // scale is an 11-bit signed field since PostgreSQL 15
  return s;
}

// Does numeric spec a hold every value numeric spec b can hold?
bool numeric_holds(const NumericSpec &a, const NumericSpec &b) {
  if (a.unconstrained) return true;
  if (b.unconstrained) return false;
  return a.scale >= b.scale && (a.precision - a.scale) >= (b.precision - b.scale);
}

class Collector {
 public:
  explicit Collector(const PairFacts &f) : f_(f) {}

  void add(Kind k, std::string sentence) { problems_.push_back(Problem{k, std::move(sentence)}); }

  Verdict finish() {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const Problem &a, const Problem &b) { return a.kind < b.kind; });
    Verdict v;
    v.problems = std::move(problems_);
    v.kind = v.problems.empty() ? Kind::None : v.problems.front().kind;
    return v;
  }

  bool any_base_problem() const { return !problems_.empty(); }

 private:
  const PairFacts &f_;
  std::vector<Problem> problems_;
};

std::string cannot_hold(const ColumnType &fk, const ColumnType &pk, const std::string &why) {
  return "The referencing type " + fk.base_display + " cannot hold every " + pk.base_display + " key: " + why;
}

std::string wider(const ColumnType &fk, const ColumnType &pk, const std::string &what) {
  return "The referencing type " + fk.base_display + " is wider than " + pk.base_display + ": it accepts " + what +
         ", which the foreign key then rejects row by row.";
}

// ---- Soft-kind rules, one per type family ----
//
// Each rule looks at the two base types (and their typmods) of an accepted,
// non-identical pair. A rule returns false when the pair is not of its family,
// and the next rule is tried; it returns true once it has added the pair's
// problems (possibly none), and no later rule runs. The engine walks
// kFamilyRules in order, first match wins, so a more specific family comes
// before a more general one (integers before "different types").

// The pair as the rules see it.
struct Pair {
  const PairFacts &facts;
  const ColumnType &fk;  // referencing side
  const ColumnType &pk;  // referenced side
  const std::string &a;  // referencing base type, e.g. "int4"
  const std::string &b;  // referenced base type
  bool same_base;        // same base type (both built-in, or both not)
};

using FamilyRuleFn = bool (*)(const Pair &, Collector &);

struct FamilyRule {
  const char *family;
  FamilyRuleFn rule;
};

// Integers of different widths.
bool integers(const Pair &p, Collector &out) {
  if (!(int_rank(p.a) && int_rank(p.b) && p.a != p.b)) return false;
  if (int_rank(p.a) < int_rank(p.b))
    out.add(Kind::Narrower,
            cannot_hold(p.fk, p.pk,
                        std::string("references to keys above ") + int_max(int_rank(p.a)) + " cannot be stored."));
  else
    out.add(Kind::Width, wider(p.fk, p.pk, "values no referenced key can have"));
  return true;
}

// Floating point of different widths.
bool floating_point(const Pair &p, Collector &out) {
  if (!is_pair(p.a, p.b, "float4", "float8")) return false;
  if (p.a == "float4")
    out.add(Kind::Narrower, cannot_hold(p.fk, p.pk,
                                        "real keeps about 6 significant digits, so keys that need "
                                        "more can never be matched exactly."));
  else
    out.add(Kind::Width, wider(p.fk, p.pk, "values no referenced key can have"));
  return true;
}

// Exact numbers compared as floating point.
bool exact_as_floating_point(const Pair &p, Collector &out) {
  if (!((int_rank(p.a) || p.a == "numeric") && in(p.b, {"float4", "float8"}))) return false;
  out.add(Kind::Lossy, "Equality converts " + p.fk.base_display + " to " + p.pk.base_display +
                           ", a floating-point type: large or fractional values compare inexactly, so a "
                           "reference can match a key it does not equal.");
  return true;
}

// Date and time types with and without a time zone.
bool time_zones(const Pair &p, Collector &out) {
  if (!(is_pair(p.a, p.b, "timestamp", "timestamptz") || is_pair(p.a, p.b, "date", "timestamptz") ||
        is_pair(p.a, p.b, "time", "timetz")))
    return false;
  out.add(Kind::TimezoneDependent,
          "Equality between " + p.fk.base_display + " and " + p.pk.base_display +
              " goes through the session TimeZone, so whether a row matches a key depends on the "
              "TimeZone setting of the session that writes it.");
  return true;
}

bool date_and_timestamp(const Pair &p, Collector &out) {
  if (!is_pair(p.a, p.b, "date", "timestamp")) return false;
  out.add(Kind::Semantic, "A date equals only the midnight timestamp of its day, so " +
                              std::string(p.a == "date" ? "keys with a time of day can never be referenced."
                                                        : "references with a time of day never match a key."));
  return true;
}

bool time_and_interval(const Pair &p, Collector &out) {
  if (!(p.a == "time" && p.b == "interval")) return false;
  out.add(Kind::Semantic,
          "Equality turns the time of day into an interval since midnight, so interval keys "
          "of a day or more, or with days or months, can never be referenced.");
  return true;
}

// Character types: text, varchar, bpchar, name.
bool character_types(const Pair &p, Collector &out) {
  if (!(text_like(p.a) && text_like(p.b))) return false;
  long long ca = text_capacity(p.fk), cb = text_capacity(p.pk);
  if (ca < cb)
    out.add(Kind::Narrower, cannot_hold(p.fk, p.pk,
                                        "references to keys longer than " + std::to_string(ca) +
                                            (p.a == "name" ? " bytes" : " characters") + " cannot be stored."));
  else if (ca > cb)
    out.add(Kind::Width, wider(p.fk, p.pk, "values longer than any referenced key"));
  if ((p.a == "bpchar") != (p.b == "bpchar"))
    out.add(Kind::Semantic,
            "A character(n) value pads with spaces and ignores trailing spaces in comparisons, "
            "while the other side does not, so 'a' and 'a ' match on one side only.");
  if ((p.a == "name") != (p.b == "name"))
    out.add(Kind::Semantic,
            "A name value is cut at 63 bytes and sorts with the \"C\" collation, so long keys "
            "compare differently than as text.");
  if (!out.any_base_problem() && !p.same_base)
    out.add(Kind::Semantic, "The types " + p.fk.base_display + " and " + p.pk.base_display +
                                " accept the same values and compare alike, but are declared differently, "
                                "which schema-diff tools and ORMs report as a pending change.");
  return true;
}

// The one-byte "char" against a character type.
bool one_byte_char(const Pair &p, Collector &out) {
  if (!((p.a == "char" && text_like(p.b)) || (p.b == "char" && text_like(p.a)))) return false;
  out.add(Kind::Semantic, "A \"char\" value holds a single byte, so only one-byte keys can ever match.");
  return true;
}

bool inet_and_cidr(const Pair &p, Collector &out) {
  if (!is_pair(p.a, p.b, "inet", "cidr")) return false;
  out.add(Kind::Semantic,
          "Values of inet and cidr compare as inet, where host bits and netmask both count: an address "
          "with host bits set never equals a network.");
  return true;
}

bool mac_addresses(const Pair &p, Collector &out) {
  if (!is_pair(p.a, p.b, "macaddr", "macaddr8")) return false;
  out.add(Kind::Semantic,
          "A 6-byte macaddr is compared as macaddr8 by inserting FF:FE in the middle, so only "
          "8-byte keys of that form can match.");
  return true;
}

// Bit strings: bit(n) and bit varying(n).
bool bit_strings(const Pair &p, Collector &out) {
  if (!(in(p.a, {"bit", "varbit"}) && in(p.b, {"bit", "varbit"}))) return false;
  bool fixed_fk = p.a == "bit", fixed_pk = p.b == "bit";
  if (fixed_fk || fixed_pk) {
    if (p.same_base && p.fk.typmod != p.pk.typmod)
      out.add(Kind::Semantic, "Bit strings of different lengths are never equal, so " + p.fk.base_display +
                                  " can never match a " + p.pk.base_display + " key.");
    else if (!p.same_base)
      out.add(Kind::Semantic,
              "A bit(n) value always has exactly n bits, so bit strings of any other length never "
              "match.");
  } else {
    long long ca = p.fk.typmod < 0 ? kUnlimited : p.fk.typmod, cb = p.pk.typmod < 0 ? kUnlimited : p.pk.typmod;
    if (ca < cb)
      out.add(Kind::Narrower, cannot_hold(p.fk, p.pk, "references to longer bit strings cannot be stored."));
    else if (ca > cb)
      out.add(Kind::Width, wider(p.fk, p.pk, "bit strings longer than any referenced key"));
  }
  return true;
}

// Exact conversions (an integer against numeric or oid): equality means the
// same, only how it is computed differs (which the index check reports).
bool exact_conversions(const Pair &p, Collector &) { return int_rank(p.a) && in(p.b, {"numeric", "oid"}); }

// Any other two different types.
bool different_types(const Pair &p, Collector &out) {
  if (p.same_base) return false;
  out.add(Kind::Semantic, "The types " + p.fk.base_display + " and " + p.pk.base_display +
                              " differ and are compared as " + p.facts.compared_as +
                              ", so equality may not mean the same on both sides.");
  return true;
}

// From here on the base type is the same on both sides.

// Same type and typmod: nothing here (a domain or collation is checked after).
bool same_typmod(const Pair &p, Collector &) { return p.fk.typmod == p.pk.typmod; }

// numeric(p,s) against numeric with another precision or scale.
bool numeric_typmods(const Pair &p, Collector &out) {
  if (p.a != "numeric") return false;
  NumericSpec sa = numeric_spec(p.fk.typmod), sb = numeric_spec(p.pk.typmod);
  if (!numeric_holds(sa, sb))
    out.add(Kind::Narrower, cannot_hold(p.fk, p.pk, "keys with more digits than it allows cannot be referenced."));
  else
    out.add(Kind::Width, wider(p.fk, p.pk, "values no referenced key can have"));
  return true;
}

// Times and timestamps with different fractional-second precision.
bool time_precisions(const Pair &p, Collector &out) {
  if (!in(p.a, {"timestamp", "timestamptz", "time", "timetz"})) return false;
  int pa = time_precision(p.fk.typmod), pb = time_precision(p.pk.typmod);
  if (pa < pb)
    out.add(Kind::Narrower, cannot_hold(p.fk, p.pk,
                                        "it keeps " + std::to_string(pa) +
                                            " fractional digits of a second, so keys with more are "
                                            "rounded and reference a different key or none."));
  else if (pa > pb)
    out.add(Kind::Width, wider(p.fk, p.pk, "fractional seconds no referenced key can have"));
  return true;
}

// Any other type with two different typmods.
bool other_typmods(const Pair &p, Collector &out) {
  out.add(Kind::Semantic, "The type modifiers differ (" + p.fk.base_display + " and " + p.pk.base_display +
                              "), so the two columns accept different values.");
  return true;
}

// The rules in the order the engine tries them: first match wins. A new type
// family is a new row (and function), placed before any more general family.
constexpr FamilyRule kFamilyRules[] = {
    {"integers of different widths", integers},
    {"floating point of different widths", floating_point},
    {"exact numbers compared as floating point", exact_as_floating_point},
    {"date/time with and without time zone", time_zones},
    {"date and timestamp", date_and_timestamp},
    {"time and interval", time_and_interval},
    {"character types", character_types},
    {"\"char\" and character types", one_byte_char},
    {"inet and cidr", inet_and_cidr},
    {"macaddr and macaddr8", mac_addresses},
    {"bit strings", bit_strings},
    {"integers as numeric or oid (exact)", exact_conversions},
    {"different types", different_types},
    {"same type and typmod", same_typmod},
    {"numeric precision and scale", numeric_typmods},
    {"fractional-second precision", time_precisions},
    {"other typmods", other_typmods},
};

// Problems that come from the two base types and their typmods.
void base_type_problems(const PairFacts &f, Collector &out) {
  const Pair p{f,
               f.referencing,
               f.referenced,
               f.referencing.base,
               f.referenced.base,
               f.referencing.base == f.referenced.base && f.referencing.builtin == f.referenced.builtin};
  for (const FamilyRule &r : kFamilyRules)
    if (r.rule(p, out)) return;
}

}  // namespace

Verdict classify(const PairFacts &f) {
  Collector out(f);
  const ColumnType &fk = f.referencing;
  const ColumnType &pk = f.referenced;

  if (!f.accepted) {
    std::string s;
    if (f.refusal == Refusal::NotBothCollatable) {
      s = (fk.collation.empty() ? fk.display + " has no collation and " + pk.display + " has one"
                                : fk.display + " has a collation and " + pk.display + " has none") +
          ": PostgreSQL refuses a foreign key whose key columns are not both collatable.";
      s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    } else if (f.refusal == Refusal::NondeterministicCollation) {
      s = "The columns use different collations (" + fk.collation + " and " + pk.collation +
          "), and PostgreSQL refuses different collations when either is nondeterministic: both must be the same.";
    } else if (f.refusal == Refusal::NoReferencingEquality) {
      s = "Operator family " + f.opfamily + " compares " + f.compared_as + " with " + fk.base_display +
          " but has no equality operator for " + fk.base_display + " with " + fk.base_display +
          ", which PostgreSQL also needs for the referencing values, and " + fk.base_display +
          " has no implicit cast to " + f.compared_as + ".";
    } else {
      s = "No equality operator of operator family " + f.opfamily + " compares " + fk.base_display + " with " +
          pk.base_display + ", and ";
      if (f.compared_as.rfind("any", 0) == 0)  // polymorphic: arrays, enums, ranges
        s += "the two types are not the same " + f.compared_as + " type.";
      else
        s += fk.base_display + " has no implicit cast to " + f.compared_as + ".";
    }
    out.add(Kind::Incompatible, std::move(s));
    return out.finish();
  }
  if (identical(fk, pk)) return out.finish();

  base_type_problems(f, out);

  if (!f.referencing_index_usable && f.comparison != Comparison::Operator)
    out.add(Kind::IndexUnusable,
            "Equality converts the referencing column to " + f.compared_as +
                ", so the lookups PostgreSQL runs on the referencing table when referenced rows are updated or "
                "deleted cannot use an index on it.");

  if (fk.type_oid != pk.type_oid && (!fk.domain.empty() || !pk.domain.empty())) {
    std::string s;
    if (!fk.domain.empty()) s += "The referencing type " + fk.domain + " is a domain over " + fk.base_display;
    if (!pk.domain.empty())
      s += (s.empty() ? "The referenced type " : ", and the referenced type ") + pk.domain + " is a domain over " +
           pk.base_display;
    s += ": a domain's constraints apply on one side only.";
    out.add(Kind::Domain, std::move(s));
  }

  if (fk.collation_oid != 0 && pk.collation_oid != 0 && fk.collation_oid != pk.collation_oid) {
    std::string s = "The columns use different collations (" + fk.collation + " and " + pk.collation + ")";
    if (!fk.collation_deterministic || !pk.collation_deterministic)
      s += ", and a nondeterministic collation can call keys equal that the other side keeps apart.";
    else
      s += "; equality agrees, but sorting and uniqueness on the two sides may not.";
    out.add(Kind::Collation, std::move(s));
  }
  return out.finish();
}

std::string whole_value_problem(const ColumnType &fk, const ColumnType &pk) {
  auto kind_of = [](const ColumnType &c) -> std::string {
    if (c.category == 'A') return "an array";
    if (c.category == 'C') return "a composite value";
    if (c.category == 'R') return "a range";
    if (c.base == "json" || c.base == "jsonb" || c.base == "xml") return "a " + c.base + " document";
    return "";
  };
  std::string what = kind_of(fk);
  if (what.empty() || !kind_of(pk).empty()) return "";
  const char *example = fk.category == 'A'   ? "{a,b}"
                        : fk.category == 'C' ? "(a,b)"
                        : fk.category == 'R' ? "[1,5)"
                                             : "{\"k\": 1}";
  std::string s = "A foreign key compares whole values, and each value of " + fk.display + " is " + what +
                  ", never one " + pk.display + " key: converting it would store its text form (such as " + example +
                  "), which references nothing. ";
  if (fk.category == 'A')
    s += "To reference the key once per element, keep the elements in a join table, one row each, with a column of "
         "type " +
         pk.display + " that references the key.";
  else
    s += "Store the key in a column of its own, of type " + pk.display + ", and reference the key from that column.";
  return s;
}

}  // namespace fkg
