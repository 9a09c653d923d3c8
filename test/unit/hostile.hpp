// Test-only: names and text drawn from a hostile alphabet, deterministic for
// a seed. Quotes, backslashes, line breaks, dollar quotes, comment openers
// and closers, RAISE format characters, invisible and right-to-left Unicode,
// reserved words, names differing only in case, injection payloads, and
// names of exactly 63 bytes (the longest PostgreSQL keeps).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace fkg::testing {

class Hostile {
 public:
  explicit Hostile(uint64_t seed) : rng_(seed) {}

  static const std::vector<std::string> &pieces() {
    static const std::vector<std::string> p = {
        "'",
        "''",
        "\"",
        "\"\"",
        "\\",
        "\\'",
        "\\\\",
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\v",
        "\f",
        "\x01",
        "\x1b",
        "\x7f",
        "$",
        "$$",
        "$fk_guard$",
        "$fk_guard",
        "fk_guard$",
        "$fk_guard_1$",
        "$fk_guard_2$",
        "$b$",
        "$1",
        "--",
        "/*",
        "*/",
        "/* x /* y */",
        ";",
        "%",
        "%s",
        "%%",
        "E'",
        "U&\"",
        "\\u0041",
        "${x}",
        "\\n",
        "\u200b",
        "\u200d",
        "\u202e",
        "\u200f",
        "\u202a",
        "\u2066",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\u00ad",
        "\u0085",
        "\u00e9",
        "\u65e5\u672c",
        "\U0001F600",
        "\u0130",
        "\u00df",
        "select",
        "user",
        "order",
        "table",
        "from",
        "where",
        "end",
        "begin",
        "do",
        "null",
        "current_user",
        "Users",
        "USERS",
        "users",
        "userId",
        "UserID",
        "id",
        " ",
        "  ",
        ".",
        ",",
        "(",
        ")",
        "=",
        "::",
        "[",
        "]",
        "'; ALTER ROLE fkg_tester SUPERUSER; --",
        "\nALTER ROLE fkg_tester SUPERUSER;\n",
        "$fk_guard$; ALTER ROLE fkg_tester SUPERUSER; DO $fk_guard$BEGIN",
        "*/ ALTER ROLE fkg_tester SUPERUSER; /*",
        "'); DROP TABLE t; --",
        "\\'; SELECT 1; --",
        "\"; DROP TABLE t; --",
        "END; $$; ALTER ROLE fkg_tester SUPERUSER; DO $$ BEGIN",
    };
    return p;
  }

  uint64_t next(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return (int)next(100) < percent; }

  // Valid UTF-8, no NUL, 1..max_bytes bytes (often exactly max_bytes).
  std::string name(size_t max_bytes = 63) {
    std::string s;
    int parts = 1 + (int)next(5);
    for (int k = 0; k < parts; k++) s += piece();
    if (chance(15))
      while (s.size() < max_bytes) s += piece();
    return fit(s, max_bytes);
  }

  // Longer text (bodies, comments): pieces, random ASCII and random bytes
  // when `bytes` (then it need not be valid UTF-8).
  std::string text(size_t max_bytes = 400, bool bytes = false) {
    std::string s;
    int parts = (int)next(30);
    for (int k = 0; k < parts && s.size() < max_bytes; k++) {
      uint64_t r = next(10);
      if (r < 6)
        s += piece();
      else if (r < 9)
        s += (char)(0x20 + next(0x5f));
      else if (bytes)
        s += (char)(1 + next(255));
      else
        s += (char)(0x20 + next(0x5f));
    }
    return bytes ? s.substr(0, max_bytes) : fit(s, max_bytes);
  }

  std::string piece() { return pieces()[next(pieces().size())]; }

  // Cuts to at most max_bytes on a UTF-8 boundary; never empty.
  static std::string fit(std::string s, size_t max_bytes) {
    if (s.size() > max_bytes) {
      size_t n = max_bytes;
      while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
      s.resize(n);
    }
    if (s.empty()) s = "x";
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace fkg::testing
