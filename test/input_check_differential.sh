#!/usr/bin/env bash
# Differential check of src/core/input_check.cpp against PostgreSQL itself.
#
# Generates edge-case strings per type (systematic combinations + seeded random
# ones), then decides each one twice:
#   - by PostgreSQL's own input function (int2in, int4in, int8in, numeric_in,
#     uuid_in, boolin, textin, varcharin, bpcharin, called directly with the
#     typmod) in a throwaway cluster, one PL/pgSQL exception block per value;
#   - by the C++ checker, through a small test-only driver (build/input_check_cli).
# Compares acceptance and, for refused values, the error message.
# Reports the agreements per type and every disagreement; exits 1 on any.
#
#   test/input_check_differential.sh            (FKG_SEED=<n> for other random cases)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/build/input_check_differential"
mkdir -p "$OUT"
chmod 755 "$ROOT/build" "$OUT" 2>/dev/null || true
: "${FKG_SEED:=15}"
export FKG_SEED

# ---- 1. The C++ driver: reads "id<TAB>type<TAB>typmod<TAB>hex(value)" lines,
#         prints "id<TAB>1<TAB>" or "id<TAB>0<TAB>hex(error message)".
cat >"$OUT/input_check_cli.cpp" <<'CPP'
#include <iostream>
#include <string>

#include "input_check.hpp"

static std::string unhex(const std::string &h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

static std::string hex(const std::string &s) {
  static const char *d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    size_t a = line.find('\t'), b = line.find('\t', a + 1), c = line.find('\t', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return 2;
    std::string id = line.substr(0, a), type = line.substr(a + 1, b - a - 1);
    int typmod = std::stoi(line.substr(b + 1, c - b - 1));
    std::string value = unhex(line.substr(c + 1));
    std::optional<fkg::CheckType> t = fkg::check_type_for(type);
    if (!t) return 3;
    fkg::CheckResult r = fkg::check_input(*t, value, typmod);
    if (r.ok != fkg::input_ok(*t, value, typmod)) return 4;
    std::cout << id << '\t' << (r.ok ? "1" : "0") << '\t' << (r.ok ? "" : hex(r.error)) << '\n';
  }
  return 0;
}
CPP
g++ -std=c++17 -O2 -Wall -Wextra -Werror -I"$ROOT/src/core" "$OUT/input_check_cli.cpp" "$ROOT/src/core/input_check.cpp" \
  -o "$ROOT/build/input_check_cli"

# ---- 2. The cases.
python3 - "$OUT/cases.tsv" <<'PY'
import itertools, os, random, sys

rng = random.Random(int(os.environ["FKG_SEED"]))
cases = []  # (type, typmod, value)

def add(t, v, typmod=-1):
    if "\0" in v:
        return
    cases.append((t, typmod, v))

def numeric_typmod(p, s):
    return ((p << 16) | (s & 0x7FF)) + 4

WS = ["", " ", "\t", "\n ", "\r", "\v", "\f", "\u00a0", "  \t"]

# Integers.
bounds = ["0", "1", "9", "10", "00012", "32767", "32768", "-32768", "-32769", "65535",
          "2147483647", "2147483648", "2147483649", "4294967296",
          "9223372036854775807", "9223372036854775808", "9223372036854775809",
          "18446744073709551616", "99999999999999999999999", "0000000000000000000000002147483647",
          "1_000", "0x1F", "0o17", "0b101", "1e3", "1.0", "1.", ".5", "", "abc",
          "\u0661\u0662", "\uff11\uff12", "1 2", "12a"]
for t in ("int2", "int4", "int8"):
    for lead, sign, body, trail in itertools.product(
            ["", " ", "\t\n", "\u00a0", "\f\v\r"],
            ["", "+", "-", "--", "+-", "- "],
            bounds,
            ["", " ", "\t\n", "x", " 1", ".", "\u00a0"]):
        b = body
        if sign and b.startswith("-"):
            b = b[1:]
        add(t, lead + sign + b + trail)
    bits = {"int2": 16, "int4": 32, "int8": 64}[t]
    for _ in range(500):
        edge = rng.choice([2 ** (bits - 1), -(2 ** (bits - 1)), 0, 2 ** (bits - 1) // 10])
        n = edge + rng.randint(-12, 12)
        add(t, rng.choice(["", " ", "0000"]) + str(n) if n >= 0 else "-" + rng.choice(["", "000"]) + str(-n))
    for _ in range(1500):
        add(t, "".join(rng.choice("0123456789+- \t.eEx_9") for _ in range(rng.randint(0, 22))))

# Numerics.
mantissas = ["0", "1", "-1", "12.5", ".5", "5.", ".", "", "1.2.3", "00.000", "999.995", "99.995",
             "9.9999", "0.0001", "0.00099", "0.000995", "12345678901234567890", "99949", "99950",
             "49.9", "9.5", "9.4", "0.005", "0.004", "1" + "0" * 40, "0." + "0" * 30 + "1",
             "9" * 30 + "." + "9" * 30, "abc", "1_0", "0x10", "١"]
exponents = ["", "e5", "E-3", "e+2", "e", "e+", "e-", "e 3", "e -3", "e- 3", "e\t+3", "e3.5",
             "e1073741822", "e1073741823", "e-1073741822", "e-1073741823", "e2147483648",
             "e99999999999999999999", "e-99999999999999999999", "e16383", "e-16383", "e-16384",
             "e131068", "e131071", "e131072", "e-131072", "e0", "e-0", "e00000000000000000000005"]
typmods = [numeric_typmod(p, s) for p, s in
           [(5, 2), (3, 0), (1, 0), (10, 5), (2, 5), (3, -2), (4, 4), (1000, 0), (1000, 1000),
            (20, 10), (1, -5), (7, 0)]]
specials = ["NaN", "nan", "NAN", "-NaN", "+NaN", "Infinity", "infinity", "INFINITY", "-Infinity",
            "+Infinity", "inf", "INF", "-inf", "+inf", "infinit", "infinityx", "Infinit", "in", "na",
            "+-inf", "-+Infinity", "nanx", "naN"]
numeric_values = []
for m, e in itertools.product(mantissas, exponents):
    numeric_values.append(m + e)
for lead, sign, m, e, trail in itertools.product(["", " ", "\t\n"], ["", "-", "+", "- "], mantissas[:12],
                                                 ["", "e5", "E-3", "e 3", "e"], ["", " ", "x", " \n", "e"]):
    if m.startswith("-"):
        continue
    numeric_values.append(lead + sign + m + e + trail)
for lead, s, trail in itertools.product(["", " ", "\t"], specials, ["", " ", "x", "\n"]):
    numeric_values.append(lead + s + trail)
# Around each typmod's limits: 10^(p-s) minus one unit, plus fractions of a unit.
for tm in typmods:
    p = ((tm - 4) >> 16) & 0xFFFF
    s = (((tm - 4) & 0x7FF) ^ 1024) - 1024
    if p > 40:
        continue
    lim = p - s
    for sign in ["", "-"]:
        for extra in ["", "4", "49", "5", "50", "9"]:
            digits = "9" * p + extra  # p nines, then a digit beyond the scale
            exp = lim - len(digits)     # place the nines just below 10^lim
            numeric_values.append(sign + "0." + digits + "e" + str(lim))
            numeric_values.append(sign + digits + "e" + str(exp))
        numeric_values.append(sign + "1e" + str(lim))
        numeric_values.append(sign + "1e" + str(lim - 1))
        numeric_values.append(sign + "5e" + str(-s - 1))
        numeric_values.append(sign + "4e" + str(-s - 1))
        numeric_values.append(sign + "49e" + str(-s - 2))
        numeric_values.append(sign + "5e" + str(-s - 2))
# Storage limits with long literals.
numeric_values += ["1" + "0" * 131071, "1" + "0" * 131072, "0." + "0" * 16382 + "1", "0." + "0" * 16383 + "1",
                   "1." + "0" * 16383, "1." + "0" * 16384, "0" * 200000, "0." + "0" * 16384]
for _ in range(2500):
    numeric_values.append("".join(rng.choice("0123456789+-. \teEnNaAiIfx9") for _ in range(rng.randint(0, 16))))
# Random well-formed numbers against random typmods (PG 15 scales: -p..p+3 here).
for _ in range(3000):
    ip = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 12)))
    fp = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 12)))
    if rng.random() < 0.3:
        ip = "9" * len(ip)
        fp = "9" * len(fp) + rng.choice(["", "4", "5"])
    v = rng.choice(["", "-", "+"]) + ip + ("." if fp or rng.random() < 0.2 else "") + fp
    if rng.random() < 0.4:
        v += rng.choice("eE") + rng.choice(["", "-", "+"]) + str(rng.randint(0, 30))
    prec = rng.randint(1, 25)
    add("numeric", v, numeric_typmod(prec, rng.randint(-prec, prec + 3)))
for v in numeric_values:
    add("numeric", v)
    add("numeric", v, rng.choice(typmods))
for v in numeric_values[:400]:
    for tm in typmods:
        add("numeric", v, tm)

# Uuids.
base = "a0eebc999c0b4ef8bb6d6bb9bd380a11"
def hyphenate(h, positions):
    out, last = [], 0
    for p in sorted(positions):
        out.append(h[last:p]); out.append("-"); last = p
    out.append(h[last:])
    return "".join(out)
uuid_values = [base, base.upper(), "{" + base + "}", hyphenate(base, [8, 12, 16, 20]),
               hyphenate(base, range(4, 32, 4)), "", "{}", "{", "}", "-", base[:31], base + "1", base[:30]]
for p in range(0, 33):
    uuid_values.append(hyphenate(base, [p]))
    uuid_values.append(hyphenate(base, [p, p]))
    uuid_values.append("{" + hyphenate(base, [p]) + "}")
for p, q in itertools.combinations(range(0, 33, 2), 2):
    uuid_values.append(hyphenate(base, [p, q]))
for i in range(32):
    for c in ["g", "G", " ", "-", "{", "x", "\u00e9"]:
        uuid_values.append(base[:i] + c + base[i + 1:])
for lead, trail in itertools.product(["", "{", " ", "{ ", "\t", "{{"], ["", "}", " ", " }", "}}", "\n", "-", "}-"]):
    uuid_values.append(lead + hyphenate(base, [8, 12, 16, 20]) + trail)
for _ in range(1500):
    h = "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(rng.choice([30, 31, 32, 32, 32, 33, 34])))
    pos = [rng.randint(0, len(h)) for _ in range(rng.randint(0, 9))]
    v = hyphenate(h, pos)
    if rng.random() < 0.3:
        v = "{" + v
    if rng.random() < 0.3:
        v = v + "}"
    uuid_values.append(v)
# Random valid ones (hyphens only after groups of four), and one-character mutations of them.
for _ in range(1200):
    h = "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(32))
    v = hyphenate(h, [p for p in range(4, 32, 4) if rng.random() < 0.4])
    if rng.random() < 0.3:
        v = "{" + v + "}"
    uuid_values.append(v)
    k = rng.randrange(len(v) + 1)
    op = rng.choice(["del", "ins", "sub"])
    if op == "del" and k < len(v):
        uuid_values.append(v[:k] + v[k + 1:])
    elif op == "ins":
        uuid_values.append(v[:k] + rng.choice("-0aF{} g") + v[k:])
    elif k < len(v):
        uuid_values.append(v[:k] + rng.choice("-0aF{} g") + v[k + 1:])
for v in uuid_values:
    add("uuid", v)

# Booleans.
words = ["true", "false", "yes", "no", "on", "off", "1", "0"]
bool_values = set()
for w in words:
    for k in range(0, len(w) + 2):
        pre = (w + "x")[:k]
        for variant in {pre, pre.upper(), pre.capitalize(), pre.swapcase()}:
            for lead, trail in itertools.product(["", " ", "\t\n"], ["", " ", "\r\n", "x", " x"]):
                bool_values.add(lead + variant + trail)
alphabet = "tfynoe01rsuOaTl "
for n in range(0, 4):
    for t in itertools.product(alphabet, repeat=n):
        bool_values.add("".join(t))
for _ in range(800):
    bool_values.add("".join(rng.choice("truefalsyesnoof01TRUEFALSYESNOOF \t") for _ in range(rng.randint(0, 7))))
bool_values |= {"o", "oN", "Of", "onn", "offf", "of f", "t r", "tt", "11", "00", "2", "-1", "+1", "\u00a0t",
                "t\u00a0", "\u0074rue", "ｔrue"}
for v in sorted(bool_values):
    add("bool", v)

# Text: everything is accepted.
for _ in range(500):
    add("text", "".join(rng.choice(["a", " ", "\t", "\u00e9", "\u65e5", "\U0001F600", "\\", "'", '"', "\n"])
                        for _ in range(rng.randint(0, 12))))

# varchar(n) / char(n).
pieces = ["a", "b", "\u00e9", "\u65e5", "\U0001F600", " ", " ", "  ", "\t", "\n", "\u00a0", "\u3000"]
for t in ("varchar", "bpchar"):
    for n in (1, 2, 3, 5, 10):
        for k in range(0, 8):
            add(t, "abc" + " " * k, n + 4)
            add(t, "\u65e5\U0001F600\u00e9" + " " * k, n + 4)
            add(t, " " * k, n + 4)
            add(t, "abc" + " " * k + "d", n + 4)
            add(t, "abc" + " " * k + "\t", n + 4)
    for _ in range(2500):
        v = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        add(t, v, rng.choice([-1, 5, 6, 7, 8, 9, 14]))
        if rng.random() < 0.3:
            add(t, v.rstrip("\t\n") + " " * rng.randint(0, 6), rng.choice([5, 6, 7]))

with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i, (t, tm, v) in enumerate(cases, 1):
        f.write(f"{i}\t{t}\t{tm}\t{v.encode('utf-8').hex()}\n")
print(f"{len(cases)} cases generated", file=sys.stderr)
PY

# ---- 3. The C++ answers.
"$ROOT/build/input_check_cli" <"$OUT/cases.tsv" >"$OUT/cpp.tsv"

# ---- 4. PostgreSQL's answers.
export FKG_PORT=54371
# shellcheck disable=SC1091
source "$ROOT/test/lib/cluster.sh"
cluster_start
# The C++ rules are PostgreSQL 15's (16 added hex, octal, binary and underscores to integers).
server_version="$(cluster_psql -Atc 'SHOW server_version_num')"
if [ "${server_version:0:2}" != 15 ]; then
  echo "input_check mirrors PostgreSQL 15; PG_CONFIG points at server_version_num $server_version" >&2
  exit 2
fi
cluster_psql -q >/dev/null <<SQL
CREATE TABLE cases_raw (id int, typ text, typmod int, hex text);
\copy cases_raw FROM '$OUT/cases.tsv'
CREATE TABLE cases AS SELECT id, typ, typmod, convert_from(decode(hex, 'hex'), 'UTF8') AS val FROM cases_raw;
CREATE TABLE results (id int, ok bool, err text);
DO \$\$
DECLARE
  r record;
  msg text;
BEGIN
  FOR r IN SELECT * FROM cases ORDER BY id LOOP
    BEGIN
      CASE r.typ
        WHEN 'int2' THEN PERFORM int2in(textout(r.val));
        WHEN 'int4' THEN PERFORM int4in(textout(r.val));
        WHEN 'int8' THEN PERFORM int8in(textout(r.val));
        WHEN 'numeric' THEN PERFORM numeric_in(textout(r.val), 'numeric'::regtype, r.typmod);
        WHEN 'uuid' THEN PERFORM uuid_in(textout(r.val));
        WHEN 'bool' THEN PERFORM boolin(textout(r.val));
        WHEN 'text' THEN PERFORM textin(textout(r.val));
        WHEN 'varchar' THEN PERFORM varcharin(textout(r.val), 'varchar'::regtype, r.typmod);
        WHEN 'bpchar' THEN PERFORM bpcharin(textout(r.val), 'bpchar'::regtype, r.typmod);
      END CASE;
      INSERT INTO results VALUES (r.id, true, NULL);
    EXCEPTION WHEN others THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
      INSERT INTO results VALUES (r.id, false, msg);
    END;
  END LOOP;
END
\$\$;
\copy (SELECT id, CASE WHEN ok THEN 1 ELSE 0 END, encode(convert_to(coalesce(err, ''), 'UTF8'), 'hex') FROM results ORDER BY id) TO '$OUT/pg.tsv'
SQL
cluster_check_log
cluster_stop

# ---- 5. Compare.
python3 - "$OUT/cases.tsv" "$OUT/cpp.tsv" "$OUT/pg.tsv" <<'PY'
import collections, sys

def load(path, n):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            out[parts[0]] = parts[1:n]
    return out

cases = load(sys.argv[1], 4)
cpp = load(sys.argv[2], 3)
pg = load(sys.argv[3], 3)
if len(cpp) != len(cases) or len(pg) != len(cases):
    print(f"answer counts differ: {len(cases)} cases, {len(cpp)} from C++, {len(pg)} from PostgreSQL")
    sys.exit(1)

def text(h):
    return bytes.fromhex(h).decode("utf-8")

stats = collections.OrderedDict()
bad = []
for cid, (typ, typmod, hexval) in cases.items():
    s = stats.setdefault(typ, {"cases": 0, "accepted": 0, "agree": 0})
    s["cases"] += 1
    c_ok, c_err = cpp[cid]
    p_ok, p_err = pg[cid]
    if p_ok == "1":
        s["accepted"] += 1
    if c_ok == p_ok and c_err == p_err:
        s["agree"] += 1
    else:
        bad.append((cid, typ, typmod, text(hexval), p_ok, text(p_err), c_ok, text(c_err)))

print(f"{'type':<8} {'cases':>7} {'accepted':>9} {'agree':>7} {'disagree':>9}")
for typ, s in stats.items():
    print(f"{typ:<8} {s['cases']:>7} {s['accepted']:>9} {s['agree']:>7} {s['cases'] - s['agree']:>9}")
total = sum(s["cases"] for s in stats.values())
print(f"{'total':<8} {total:>7} {sum(s['accepted'] for s in stats.values()):>9} "
      f"{sum(s['agree'] for s in stats.values()):>7} {len(bad):>9}")
for cid, typ, typmod, val, p_ok, p_err, c_ok, c_err in bad:
    shown = val if len(val) <= 80 else val[:60] + f"...({len(val)} chars)"
    print(f"DISAGREE #{cid} {typ}({typmod}) {shown!r}: postgres={'ok' if p_ok == '1' else p_err!r} "
          f"c++={'ok' if c_ok == '1' else c_err!r}")
sys.exit(1 if bad else 0)
PY
