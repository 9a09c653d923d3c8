#include "trust_sql.hpp"

#include "no_postgres.hpp"

namespace fkg::trust_sql {

namespace {

// After the seeds: the walk's recursion and the code each type runs.
constexpr const char *kWalkAndCode = R"fkg(    UNION ALL
    SELECT c.t, w.ord || c.n, w.depth + 1
      FROM walk w JOIN pg_catalog.pg_type y ON y.oid = w.t
     CROSS JOIN LATERAL (
           SELECT y.typbasetype, 3::pg_catalog.int8 WHERE y.typtype = 'd'
           UNION ALL
           SELECT y.typelem, 3 WHERE y.typtype <> 'd' AND y.typelem <> 0 AND y.typlen = -1
           UNION ALL
           SELECT a.atttypid, 2 + a.attnum FROM pg_catalog.pg_attribute a
            WHERE y.typtype <> 'd' AND NOT (y.typelem <> 0 AND y.typlen = -1) AND y.typrelid <> 0
              AND a.attrelid = y.typrelid AND a.attnum > 0 AND NOT a.attisdropped
           UNION ALL
           SELECT g.rngsubtype, 3 FROM pg_catalog.pg_range g WHERE y.typtype = 'r' AND g.rngtypid = y.oid
           UNION ALL
           SELECT g.rngtypid, 3 FROM pg_catalog.pg_range g WHERE y.typtype = 'm' AND g.rngmultitypid = y.oid) c(t, n)
     WHERE w.depth < 16),
  code(ord, fn, what) AS (
    SELECT w.ord || 0::pg_catalog.int8, y.typinput::pg_catalog.oid,
           pg_catalog.format('the input function of type %s is user-defined', pg_catalog.format_type(w.t, NULL))
      FROM walk w JOIN pg_catalog.pg_type y ON y.oid = w.t
    UNION ALL
    SELECT w.ord || 1::pg_catalog.int8, y.typoutput::pg_catalog.oid,
           pg_catalog.format('the output function of type %s is user-defined', pg_catalog.format_type(w.t, NULL))
      FROM walk w JOIN pg_catalog.pg_type y ON y.oid = w.t
    UNION ALL
    SELECT w.ord || 2::pg_catalog.int8, g.rngcanonical::pg_catalog.oid,
           pg_catalog.format('the canonical function of range type %s is user-defined', pg_catalog.format_type(w.t, NULL))
      FROM walk w JOIN pg_catalog.pg_range g ON g.rngtypid = w.t
    UNION ALL
    SELECT w.ord || 2::pg_catalog.int8 || k.oid::pg_catalog.int8,
           CASE WHEN d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN d.refobjid
                ELSE (SELECT o.oprcode::pg_catalog.oid FROM pg_catalog.pg_operator o WHERE o.oid = d.refobjid) END,
           pg_catalog.format('the CHECK constraint %s of domain %s calls user-defined code',
                             pg_catalog.quote_ident(k.conname), pg_catalog.format_type(w.t, NULL))
      FROM walk w JOIN pg_catalog.pg_constraint k ON k.contypid = w.t AND k.contype = 'c'
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.objid = k.oid
           AND d.refclassid IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_operator'::pg_catalog.regclass))fkg";

// The sentence of a row of code, with its function's name and owner.
constexpr const char *kSentence =
    R"fkg(  SELECT pg_catalog.format('%s (function %s.%s(%s), owned by %s)', k.what, pg_catalog.quote_ident(n.nspname),
                           pg_catalog.quote_ident(p.proname),
                           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(a.t, NULL)
                                                              FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[])
                                                                   WITH ORDINALITY a(t, i) ORDER BY a.i), ', '),
                           pg_catalog.quote_ident(r.rolname)))fkg";

// Its function, untrusted: neither built in nor owned by a superuser (nor,
// when the caller's own code is trusted, by the calling role).
constexpr const char *kUntrusted = R"fkg(    FROM code k JOIN pg_catalog.pg_proc p ON p.oid = k.fn
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_catalog.pg_roles r ON r.oid = p.proowner
   WHERE k.fn >= 16384 AND NOT r.rolsuper)fkg";
constexpr const char *kNotCaller = " AND r.rolname <> CURRENT_USER";
constexpr const char *kFirst = "\n   ORDER BY k.ord LIMIT 1";

// The cast functions between the base types of $1 and $2.
constexpr const char *kCastCode = R"fkg(  WITH RECURSIVE b(t, root, d) AS (
    SELECT x.t, x.t, 0 FROM (VALUES ($1::pg_catalog.oid), ($2::pg_catalog.oid)) x(t)
    UNION ALL
    SELECT y.typbasetype, b.root, b.d + 1 FROM b JOIN pg_catalog.pg_type y ON y.oid = b.t WHERE y.typtype = 'd' AND b.d < 64),
  base(root, t) AS (SELECT DISTINCT ON (b.root) b.root, b.t FROM b ORDER BY b.root, b.d DESC),
  code(ord, fn, what) AS (
    SELECT ARRAY[]::pg_catalog.int8[], c.castfunc::pg_catalog.oid,
           pg_catalog.format('the cast from %s to %s is user-defined', pg_catalog.format_type($1, NULL),
                             pg_catalog.format_type(c.casttarget, NULL))
      FROM base f JOIN base t ON f.root = $1 AND t.root = $2
      JOIN pg_catalog.pg_cast c ON c.castsource = f.t AND c.casttarget = t.t AND c.castmethod = 'f'
     WHERE f.t <> t.t)
)fkg";

}  // namespace

std::string code_ctes(const std::string &seeds, const std::string &more_code) {
  return "walk(t, ord, depth) AS (\n    SELECT s.t, ARRAY[s.n]::pg_catalog.int8[], 0 FROM (VALUES " + seeds +
         ") s(t, n)\n" + kWalkAndCode + (more_code.empty() ? std::string() : "\n" + more_code) + ")\n";
}

std::string first_untrusted(const std::string &into, bool trust_caller) {
  return std::string(kSentence) + (into.empty() ? std::string(" AS why\n") : "\n    INTO " + into + "\n") + kUntrusted +
         (trust_caller ? kNotCaller : "") + kFirst;
}

std::string type_io_reason(bool trust_caller) {
  return "  WITH RECURSIVE " + code_ctes("($1::pg_catalog.oid, 1)", "") + first_untrusted("", trust_caller);
}

std::string cast_reason(bool trust_caller) { return kCastCode + first_untrusted("", trust_caller); }

}  // namespace fkg::trust_sql
