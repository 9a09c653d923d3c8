#include "profile.hpp"

#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "../core/input_check.hpp"
#include "../core/key_set.hpp"
#include "catalog_scan.hpp"
#include "compat.hpp"

namespace fkg {

namespace {

bool text_like(Oid t) { return t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID; }
bool int_like(Oid t) { return t == INT2OID || t == INT4OID || t == INT8OID; }

enum class Method {
  Identical,  // same type: every value converts as it is
  Validate,   // decided per value in C++ on the value's text, with PostgreSQL's input rules
  Cast,       // decided by PostgreSQL: the whole column at once, then value by value if that fails
};

// A target whose type modifier limits its values' length. An explicit cast
// to it cuts a longer value (character varying(3): '12345' becomes '123';
// bit(n) also pads a shorter one), where assignment -- ALTER COLUMN ... TYPE
// without USING -- refuses it ("value too long for type character
// varying(3)"), except for trailing spaces of a character type, which both
// cut. Conversions to such a target cast to the unconstrained type and
// decide the length per value the way assignment does.
enum class Limit {
  None,
  Characters,  // character varying(n), character(n): the excess must be spaces
  ExactBits,   // bit(n): exactly n bits
  MaxBits,     // bit varying(n): at most n bits
};

struct Plan {
  Method method;
  bool via_text;  // the conversion goes through the value's text form
  std::optional<CheckType> check;
  // Not None: the conversion casts to the unconstrained type (type_sql(target,
  // -1)) and the length is decided per value, as assignment decides it.
  Limit limit = Limit::None;
};

Limit limit_of(Oid target, int32 target_typmod) {
  if (target_typmod < 0) return Limit::None;
  switch (target) {
    case VARCHAROID:
    case BPCHAROID:
      return Limit::Characters;
    case BITOID:
      return Limit::ExactBits;
    case VARBITOID:
      return Limit::MaxBits;
    default:
      return Limit::None;
  }
}

const char *type_name_of(Oid type) {
  return pg_guard([type]() {
    HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for type %u", type);
    char *name = pstrdup(NameStr(((Form_pg_type)GETSTRUCT(tup))->typname));
    ReleaseSysCache(tup);
    return name;
  });
}

// Is equality of this type the equality of its bytes (and so of its output
// text)? Then the orphan check compares the values themselves (BinaryKeySet),
// converting nothing to text. All of fixed length, at most
// BinaryKeySet::kMaxWidth.
bool binary_identity_is_equality(Oid type) {
  switch (type) {
    case INT2OID:
    case INT4OID:
    case INT8OID:
    case OIDOID:
    case UUIDOID:
    case BOOLOID:
    case CHAROID:
    case DATEOID:
    case TIMEOID:
    case TIMESTAMPOID:
    case TIMESTAMPTZOID:
    case MACADDROID:
    case MACADDR8OID:
      return true;
    default:
      return type_is_enum(type);
  }
}

// Is equality of this type (under this collation) the same as equality of
// the output text? Then the orphan check may compare texts.
bool text_identity_is_equality(Oid type, Oid collation) {
  switch (type) {
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID:
    case NAMEOID:
      return !OidIsValid(collation) || get_collation_isdeterministic(collation);
    default:
      return binary_identity_is_equality(type);
  }
}

// What the cast from character to `target` does to a value's trailing
// spaces. PostgreSQL casts character to text and character varying with
// rtrim1(), to name with bpchar_name() (which cuts the value to a name's
// length first); to a domain over one of them, through that cast. Every other
// cast keeps them: to character(n), and through the value's text (an I/O
// conversion) to any other type, whose input function sees the padded text.
enum class Trim {
  None,
  Spaces,      // rtrim1()
  NameSpaces,  // bpchar_name(): cut to NAMEDATALEN - 1 bytes, then the trailing spaces
};

// Under pg_guard.
Trim trim_of(Oid source, Oid target) {
  if (source != BPCHAROID) return Trim::None;
  Oid funcid = InvalidOid;
  if (find_coercion_pathway(getBaseType(target), BPCHAROID, COERCION_EXPLICIT, &funcid) != COERCION_PATH_FUNC)
    return Trim::None;
  if (funcid == F_TEXT_BPCHAR) return Trim::Spaces;
  if (funcid == F_NAME_BPCHAR) return Trim::NameSpaces;
  return Trim::None;
}

// The length of a character value's text (s, len bytes) as the cast leaves
// it. Calls no code that raises an error.
size_t trimmed_length(Trim t, const char *s, size_t len) {
  if (t == Trim::NameSpaces && len >= NAMEDATALEN) len = pg_mbcliplen(s, (int)len, NAMEDATALEN - 1);
  while (len > 0 && s[len - 1] == ' ') len--;
  return len;
}

Oid get_attnum_collation(Oid rel, AttrNumber att) {
  Oid type, coll;
  int32 typmod;
  get_atttypetypmodcoll(rel, att, &type, &typmod, &coll);
  return coll;
}

Plan plan_for(Oid source, Oid target, int32 target_typmod) {
  Plan p{Method::Cast, false, std::nullopt, Limit::None};
  if (source == target && target_typmod < 0) return Plan{Method::Identical, false, std::nullopt, Limit::None};
  bool has_cast = pg_guard([source, target]() {
    Oid s = source, t = target;
    return can_coerce_type(1, &s, &t, COERCION_EXPLICIT);
  });
  p.via_text = !has_cast && !text_like(source);
  // integer to bit(n) is a cast function that takes the modifier itself
  // (it keeps the low n bits): no unconstrained form, left as it is.
  if (limit_of(target, target_typmod) != Limit::None &&
      !(has_cast && pg_guard([source, target]() { return cast_applies_typmod(source, target); })))
    p.limit = limit_of(target, target_typmod);
  // Before 16 an input error can only be caught with a subtransaction:
  // decide in C++ with PostgreSQL 15's rules, for the types that have them
  // (also the length of a value cast to an unconstrained character type).
  if (!compat::has_soft_input_errors) p.check = check_type_for(type_name_of(target));
  // A cast from a character type is an I/O conversion, and so is an integer
  // widening/narrowing or an integer to numeric: the target's input rules on
  // the value's text decide exactly what the cast decides. With a length
  // limit, the input function with the modifier decides what the cast to the
  // unconstrained type and then assignment's length check decide.
  bool io_equivalent =
      p.via_text || text_like(source) || (int_like(source) && (int_like(target) || target == NUMERICOID));
  // Except for a domain over a length-limited type (character varying(n) ...):
  // the cast to it applies the modifier as an explicit cast does, cutting a
  // longer value, where the domain's input function refuses it. The cast
  // decides.
  if (io_equivalent && pg_guard([target]() {
        int32 base_typmod = -1;
        Oid base = getBaseTypeAndTypmod(target, &base_typmod);
        return base != target && limit_of(base, base_typmod) != Limit::None;
      }))
    io_equivalent = false;
  // PostgreSQL 16+ reports input errors softly: its own input function
  // decides, for any type, still without a subtransaction.
  if (io_equivalent && (compat::has_soft_input_errors || p.check)) p.method = Method::Validate;
  return p;
}

std::string type_sql(Oid target, int32 typmod) {
  return pg_guard([target, typmod]() { return format_type_with_typemod(target, typmod); });
}

// The type the conversion casts to: the unconstrained type for a length limit.
std::string cast_type_sql(const Plan &p, Oid target, int32 typmod) {
  return type_sql(target, p.limit == Limit::None ? typmod : -1);
}

// PostgreSQL 15 and older: does a value of the unconstrained type, by its
// output text, fit the limit? Characters by PostgreSQL 15's varchar/bpchar
// input rules (src/core/input_check); bits by their count (the output of a
// bit string is one digit per bit). noexcept.
bool fits_limit(const Plan &p, std::string_view text, int32 typmod) noexcept {
  switch (p.limit) {
    case Limit::Characters:
      return p.check && input_ok(*p.check, text, typmod);
    case Limit::ExactBits:
      return text.size() == (size_t)typmod;
    case Limit::MaxBits:
      return text.size() <= (size_t)typmod;
    case Limit::None:
      break;
  }
  return true;
}

// ---- The one-pass receiver ----

struct Tally;

// State of one pass, shared between the executor callback (C) and the C++
// bookkeeping. The callback never holds a C++ object while it calls
// PostgreSQL; the C++ side is noexcept and records failures instead.
struct PassState {
  DestReceiver pub;  // must be first
  // set up by the caller
  Oid source;
  bool source_is_name;
  bool source_is_text;
  // What the cast does to the value's trailing spaces (character to text,
  // character varying, name or a domain over one of them): the verdict, and
  // the key compared, are those of the value as the cast leaves it.
  Trim source_trim;
  FmgrInfo source_out;
  bool canonicalise;  // compute the target's output text of convertible values (orphan check)
  // Instead of the text: the target's value itself, as the key of a binary
  // key set (a type of binary_identity_is_equality).
  bool binary_keys;
  int16 target_typlen;
  bool target_byval;
  // An integer to an integer type at least as wide, or to numeric without a
  // modifier: every value converts, to the same number (read without text).
  bool widening;
  bool target_identical;
  FmgrInfo target_in, target_out;
  Oid target_ioparam;
  int32 target_typmod;
  // The query's second column holds the original value, for samples (a
  // cast to the unconstrained type with a limit: the first is the cast's).
  bool has_original;
  bool original_is_name, original_is_text;
  FmgrInfo original_out;
  MemoryContext row_context;
  Tally *tally;
  bool failed;
  // receive_plain_text() decides every row (see there).
  bool plain_text;
};

struct Tally {
  const Plan *plan;
  int32 typmod;
  ColumnProfile *profile;
  int samples;
  const std::unordered_set<std::string> *keys;  // referenced keys, or null
  std::unordered_set<std::string> *collect;     // when collecting referenced keys
  std::string failure;
  // The same for keys compared by their bytes (PassState::binary_keys).
  const BinaryKeySet *bin_keys = nullptr;
  BinaryKeySet *bin_collect = nullptr;
};

// Is the converted value (its text, or its bytes with a binary key set) not
// among the referenced keys? noexcept where find() does not throw: a text
// lookup may allocate; callers catch.
bool is_orphan(const Tally *t, const char *canonical, const unsigned char *binary) {
  if (t->bin_keys) return binary && !t->bin_keys->contains(binary);
  return t->keys && canonical && t->keys->find(canonical) == t->keys->end();
}

// PostgreSQL 15 and older (no soft input errors): the C++ side, called from
// the callback. noexcept: a failure is recorded and the callback stops the
// scan; the caller raises it after the executor returns.
int check_value(Tally *t, const char *s, size_t len) noexcept {
  try {
    if (t->plan->method == Method::Identical) return 1;
    // A cast to the unconstrained type: the value against the limit.
    if (t->plan->method == Method::Cast) return fits_limit(*t->plan, std::string_view(s, len), t->typmod) ? 1 : 0;
    return input_ok(*t->plan->check, std::string_view(s, len), t->typmod) ? 1 : 0;
  } catch (const std::exception &e) {
    t->failure = e.what();
  } catch (...) {
    t->failure = "unknown C++ exception";
  }
  return -1;
}

// Will record_value() keep this value as a sample? noexcept.
bool wants_sample(Tally *t, int verdict, const char *canonical, const unsigned char *binary) noexcept {
  try {
    if (t->collect || t->bin_collect) return false;
    const ColumnProfile &p = *t->profile;
    if (verdict == 0) return (int)p.sample_unconvertible.size() < t->samples;
    return (int)p.sample_orphaned.size() < t->samples && is_orphan(t, canonical, binary);
  } catch (const std::exception &e) {
    t->failure = e.what();
  } catch (...) {
    t->failure = "unknown C++ exception";
  }
  return false;
}

// `sample` (sample_len bytes) is the text a sample shows: the value's, or the
// original value's.
bool record_value(Tally *t, int verdict, const char *s, size_t len, const char *canonical, const unsigned char *binary,
                  const char *sample, size_t sample_len) noexcept {
  try {
    if (t->bin_collect) {
      t->bin_collect->insert(binary);
      return true;
    }
    if (t->collect) {
      t->collect->emplace(canonical ? canonical : std::string(s, len));
      return true;
    }
    ColumnProfile &p = *t->profile;
    if (verdict == 0) {
      p.rows_unconvertible++;
      if ((int)p.sample_unconvertible.size() < t->samples) p.sample_unconvertible.emplace_back(sample, sample_len);
      return true;
    }
    p.rows_convertible++;
    if (is_orphan(t, canonical, binary)) {
      p.rows_orphaned++;
      if ((int)p.sample_orphaned.size() < t->samples) p.sample_orphaned.emplace_back(sample, sample_len);
    }
    return true;
  } catch (const std::exception &e) {
    t->failure = e.what();
  } catch (...) {
    t->failure = "unknown C++ exception";
  }
  return false;
}

void count_row(Tally *t, bool is_null) noexcept {
  if (t->collect || t->bin_collect) return;
  t->profile->rows_total++;
  if (is_null) t->profile->rows_null++;
}

// The bytes of a value of the target type, as BinaryKeySet keys them: as a
// tuple stores them (target_typlen bytes, at most BinaryKeySet::kMaxWidth).
void binary_key(const PassState *st, Datum v, unsigned char *key) {
  if (!st->target_byval) {
    memcpy(key, DatumGetPointer(v), st->target_typlen);
    return;
  }
  switch (st->target_typlen) {
    case 1: {
      char c = DatumGetChar(v);
      memcpy(key, &c, 1);
      break;
    }
    case 2: {
      int16 i = DatumGetInt16(v);
      memcpy(key, &i, 2);
      break;
    }
    case 4: {
      int32 i = DatumGetInt32(v);
      memcpy(key, &i, 4);
      break;
    }
    default: {
      int64 i = DatumGetInt64(v);
      memcpy(key, &i, 8);
      break;
    }
  }
}

// An integer of type `source` as an integer of `typlen` bytes, at least as wide.
Datum widen(Oid source, int16 typlen, Datum d) {
  int64 n = source == INT2OID ? DatumGetInt16(d) : source == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d);
  return typlen == 2 ? Int16GetDatum((int16)n) : typlen == 4 ? Int32GetDatum((int32)n) : Int64GetDatum(n);
}

// The keys pass with a binary key set: the referenced key's value (of the
// target type) goes into the set as it is.
bool collect_binary_key(PassState *st, TupleTableSlot *slot) {
  slot_getsomeattrs(slot, 1);
  if (slot->tts_isnull[0]) return true;
  unsigned char key[BinaryKeySet::kMaxWidth];
  binary_key(st, slot->tts_values[0], key);
  if (record_value(st->tally, 1, NULL, 0, NULL, key, NULL, 0)) return true;
  st->failed = true;
  return false;
}

// The usual profile on PostgreSQL 15: a character column whose values are
// judged by the C++ input rules (or already of the target type), with no keys
// to compare or collect and no second column. The same counts and samples as
// the general path of receive_slot(), with less work per row: the text is
// read in place (only a compressed or out-of-line value is detoasted, in the
// row context), and nothing else is allocated.
bool receive_plain_text(PassState *st, TupleTableSlot *slot) {
  slot_getsomeattrs(slot, 1);
  ColumnProfile *p = st->tally->profile;
  p->rows_total++;
  if (slot->tts_isnull[0]) {
    p->rows_null++;
    return true;
  }
  struct varlena *v = (struct varlena *)DatumGetPointer(slot->tts_values[0]);
  bool detoasted = VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v);
  if (detoasted) {
    MemoryContext old = MemoryContextSwitchTo(st->row_context);
    v = pg_detoast_datum_packed(v);
    MemoryContextSwitchTo(old);
  }
  const char *s = VARDATA_ANY(v);
  size_t len = VARSIZE_ANY_EXHDR(v);
  const Plan *plan = st->tally->plan;
  size_t cut = st->source_trim == Trim::None ? len : trimmed_length(st->source_trim, s, len);
  bool ok = true;
  if (plan->method == Method::Identical || input_ok(*plan->check, std::string_view(s, cut), st->target_typmod)) {
    p->rows_convertible++;
  } else {
    ok = record_value(st->tally, 0, s, len, NULL, NULL, s, len);
    if (!ok) st->failed = true;
  }
  if (detoasted) MemoryContextReset(st->row_context);
  return ok;
}

extern "C" bool receive_slot(TupleTableSlot *slot, DestReceiver *self) {
  PassState *st = (PassState *)self;
  if (st->plain_text) return receive_plain_text(st, slot);
  if (st->tally->bin_collect) return collect_binary_key(st, slot);
  slot_getsomeattrs(slot, st->has_original ? 2 : 1);
  count_row(st->tally, slot->tts_isnull[0]);
  if (slot->tts_isnull[0]) return true;
  MemoryContext old = MemoryContextSwitchTo(st->row_context);
  Datum d = slot->tts_values[0];
  const Plan *plan = st->tally->plan;
  // Validate: the target's input rules on the value's text. A cast with a
  // limit: the value, of the unconstrained type, against the limit.
  bool checked = !st->tally->collect && !st->widening &&
                 (plan->method == Method::Validate || (plan->method == Method::Cast && plan->limit != Limit::None));
  const char *s;
  size_t len;
  // Nothing reads the value's text but a sample (of an orphan): made then.
  bool text_deferred = false;
  if (st->source_is_name) {
    s = NameStr(*DatumGetName(d));
    len = strlen(s);
  } else if (st->source_is_text) {
    text *txt = DatumGetTextPP(d);
    s = VARDATA_ANY(txt);
    len = VARSIZE_ANY_EXHDR(txt);
  } else if (!checked && !st->canonicalise && !st->tally->collect) {
    s = "";
    len = 0;
    text_deferred = true;
  } else {
    s = OutputFunctionCall(&st->source_out, d);
    len = strlen(s);
  }
  // A sample shows the value as it is (or the original value, below).
  const char *sample = s;
  size_t sample_len = len;
  if (st->source_trim != Trim::None) len = trimmed_length(st->source_trim, s, len);
  int verdict = 1;
  const char *canonical = NULL;
  // With a binary key set: the value of the target type, and its key.
  bool have_value = false;
  Datum value = (Datum)0;
  unsigned char key[BinaryKeySet::kMaxWidth];
  const unsigned char *binary = NULL;
  // The value's text as the target's input function takes it (NUL-terminated),
  // where it is called: short values are copied to the stack, not allocated.
  char small[64];
  char *input = NULL;
  if (checked && (compat::has_soft_input_errors || st->canonicalise || st->binary_keys)) {
    if (len < sizeof(small)) {
      memcpy(small, s, len);
      small[len] = '\0';
      input = small;
    } else {
      input = pnstrdup(s, len);
    }
  }
  if (checked) {
    if (compat::has_soft_input_errors) {
      Datum v;
      verdict = compat::input_accepts(&st->target_in, input, st->target_ioparam, st->target_typmod, &v) ? 1 : 0;
      if (verdict == 1 && st->binary_keys) {
        value = v;
        have_value = true;
      } else if (verdict == 1 && st->canonicalise) {
        canonical = OutputFunctionCall(&st->target_out, v);
      }
    } else {
      verdict = check_value(st->tally, s, len);
    }
  }
  if (verdict == 1 && st->binary_keys) {
    if (!have_value) {
      // Of the target type already (the same type, or the cast's result), or
      // safe to read: the value passed the target's input rules just now.
      if (st->widening)
        value = widen(st->source, st->target_typlen, d);
      else if (st->target_identical && !checked)
        value = d;
      else
        value = InputFunctionCall(&st->target_in, input, st->target_ioparam, st->target_typmod);
    }
    binary_key(st, value, key);
    binary = key;
  } else if (verdict == 1 && st->canonicalise && canonical == NULL) {
    if (st->target_identical && !checked) {
      canonical = st->source_is_text || st->source_is_name ? pnstrdup(s, len) : s;
    } else {
      // Safe: the value passed the target's input rules just now.
      Datum v = InputFunctionCall(&st->target_in, input, st->target_ioparam, st->target_typmod);
      canonical = OutputFunctionCall(&st->target_out, v);
    }
  }
  if (verdict >= 0 && (st->has_original || text_deferred) && wants_sample(st->tally, verdict, canonical, binary)) {
    if (st->has_original && !slot->tts_isnull[1]) {
      Datum o = slot->tts_values[1];
      if (st->original_is_name) {
        sample = NameStr(*DatumGetName(o));
      } else if (st->original_is_text) {
        sample = text_to_cstring(DatumGetTextPP(o));
      } else {
        sample = OutputFunctionCall(&st->original_out, o);
      }
      sample_len = strlen(sample);
    } else if (text_deferred) {
      sample = OutputFunctionCall(&st->source_out, d);
      sample_len = strlen(sample);
    }
  }
  bool ok = verdict >= 0 && st->tally->failure.empty() &&
            record_value(st->tally, verdict, s, len, canonical, binary, sample, sample_len);
  MemoryContextSwitchTo(old);
  // Most rows allocate nothing (no text made, the input on the stack).
  if (!st->row_context->isReset) MemoryContextReset(st->row_context);
  if (!ok) st->failed = true;
  return ok;
}

extern "C" void receiver_startup(DestReceiver *, int, TupleDesc) {}
extern "C" void receiver_shutdown(DestReceiver *) {}
extern "C" void receiver_destroy(DestReceiver *) {}

// Runs `query` (one output column) through the executor, feeding every row
// to the receiver. Under pg_guard.
void run_pass(const char *query, PassState *st) {
  st->pub.receiveSlot = receive_slot;
  st->pub.rStartup = receiver_startup;
  st->pub.rShutdown = receiver_shutdown;
  st->pub.rDestroy = receiver_destroy;
  st->pub.mydest = DestNone;
  st->row_context = AllocSetContextCreate(CurrentMemoryContext, "pg_fk_guard profile row", ALLOCSET_SMALL_SIZES);
  SPIExecuteOptions options;
  memset(&options, 0, sizeof(options));
  // Not read-only: each query takes a fresh snapshot, so data changed by a
  // transaction the caller waited for (a lock the guard took) is seen.
  options.read_only = false;
  options.dest = (DestReceiver *)st;
  int rc = SPI_execute_extended(query, &options);
  // With a receiver of our own, SPI reports a SELECT as SPI_OK_UTILITY.
  if (rc < 0 && !st->failed) elog(ERROR, "profile query failed: %s", SPI_result_code_string(rc));
  MemoryContextDelete(st->row_context);
}

// canonicalise: the values are compared with the referenced keys (by their
// bytes with tally->bin_keys or bin_collect, else by their text).
void init_pass(PassState *st, Oid source, Oid target, int32 typmod, bool canonicalise, Tally *tally) {
  memset(st, 0, sizeof(PassState));
  bool binary = tally->bin_keys || tally->bin_collect;
  st->source = source;
  st->source_is_name = source == NAMEOID;
  st->source_is_text = source == TEXTOID || source == VARCHAROID || source == BPCHAROID;
  st->source_trim = trim_of(source, target);
  st->tally = tally;
  st->canonicalise = canonicalise && !binary;
  st->binary_keys = canonicalise && binary;
  if (st->binary_keys) get_typlenbyval(target, &st->target_typlen, &st->target_byval);
  st->target_identical = source == target;
  st->target_typmod = typmod;
  st->widening =
      tally->plan->method == Method::Validate && !st->canonicalise && int_like(source) &&
      ((int_like(target) && get_typlen(target) >= get_typlen(source)) || (target == NUMERICOID && typmod < 0));
  Oid out;
  bool varlena;
  if (!st->source_is_name && !st->source_is_text) {
    getTypeOutputInfo(source, &out, &varlena);
    fmgr_info(out, &st->source_out);
  }
  Oid in;
  getTypeInputInfo(target, &in, &st->target_ioparam);
  fmgr_info(in, &st->target_in);
  getTypeOutputInfo(target, &out, &varlena);
  fmgr_info(out, &st->target_out);
  const Plan *plan = tally->plan;
  st->plain_text = st->source_is_text && !canonicalise && !tally->keys && !tally->collect && !tally->bin_keys &&
                   !tally->bin_collect &&
                   (plan->method == Method::Identical ||
                    (plan->method == Method::Validate && !compat::has_soft_input_errors && plan->check));
}

// The pass's query has the original value (of type `source`) as its second
// column, for samples. Under pg_guard.
void init_original(PassState *st, Oid source) {
  st->has_original = true;
  st->plain_text = false;
  st->original_is_name = source == NAMEOID;
  st->original_is_text = source == TEXTOID || source == VARCHAROID || source == BPCHAROID;
  if (!st->original_is_name && !st->original_is_text) {
    Oid out;
    bool varlena;
    getTypeOutputInfo(source, &out, &varlena);
    fmgr_info(out, &st->original_out);
  }
}

struct Names {
  const char *table;
  const char *column;
  Oid type;  // base type of the column
};

Names names_of(Oid rel, AttrNumber att) {
  return pg_guard([rel, att]() {
    Names n;
    n.table = quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
    n.column = quote_identifier(get_attname(rel, att, false));
    n.type = getBaseType(get_atttype(rel, att));
    return n;
  });
}

void raise_if_failed(const Tally &t) {
  if (!t.failure.empty()) throw std::runtime_error("profile: " + t.failure);
}

struct RawValues {
  char **items;  // NULL entries are NULL values
  uint64 count;
};

// Every value of the column as text, through a cursor. Under pg_guard.
RawValues *fetch_values(const char *query) {
  RawValues *out = (RawValues *)palloc0(sizeof(RawValues));
  uint64 cap = 0;
  MemoryContext caller = CurrentMemoryContext;
  Portal portal = SPI_cursor_open_with_args(NULL, query, 0, NULL, NULL, NULL, false, 0);
  for (;;) {
    SPI_cursor_fetch(portal, true, 10000);
    if (SPI_processed == 0) break;
    if (out->count + SPI_processed > cap) {
      cap = (out->count + SPI_processed) * 2;
      out->items = out->items ? (char **)repalloc_huge(out->items, sizeof(char *) * cap)
                              : (char **)MemoryContextAllocHuge(caller, sizeof(char *) * cap);
    }
    for (uint64 i = 0; i < SPI_processed; i++) {
      char *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
      out->items[out->count++] = v ? MemoryContextStrdup(caller, v) : NULL;
    }
    SPI_freetuptable(SPI_tuptable);
  }
  SPI_cursor_close(portal);
  return out;
}

struct ConvertOne {
  const char *query;
  const char *value;
  MemoryContext result_context;
  const char *result;
};

void convert_one_body(void *arg) {
  ConvertOne *c = (ConvertOne *)arg;
  Oid argtype = TEXTOID;
  Datum value = CStringGetTextDatum(c->value);
  if (SPI_execute_with_args(c->query, 1, &argtype, &value, NULL, false, 1) == SPI_OK_SELECT && SPI_processed == 1) {
    char *out = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    c->result = MemoryContextStrdup(c->result_context, out ? out : "");
  }
}

// Converts one value with `query` ($1 is the value's text) in its own
// subtransaction; returns the converted value's text, or NULL if it fails.
const char *convert_one(const char *query, const char *value) {
  ConvertOne c{query, value, CurrentMemoryContext, NULL};
  return try_in_subtransaction(convert_one_body, &c) ? c.result : NULL;
}

struct PassArgs {
  const char *query;
  PassState *state;
};

void run_pass_body(void *arg) { run_pass(((PassArgs *)arg)->query, ((PassArgs *)arg)->state); }

// Runs a pass in a subtransaction; false if PostgreSQL raised an error.
bool run_pass_in_subtransaction(const char *query, PassState *st) {
  PassArgs a{query, st};
  return try_in_subtransaction(run_pass_body, &a);
}

// What a profile or a conversion may run: the source type's output, the
// target's input and output, and the queries (one of which may take the value's
// text as $1). NULL if all of it is trusted, else why not.
struct TrustCheck {
  Oid types[2];
  const char *queries[4];
  int nqueries;
  const char *param_query;  // NULL, or a query whose $1 is text
  TrustCaller caller;
};

const char *untrusted_code(const TrustCheck *c) {
  for (Oid type : c->types) {
    const char *r = untrusted_code_in_type_io(type, c->caller);
    if (r) return r;
  }
  for (int i = 0; i < c->nqueries; i++) {
    const char *r = untrusted_code_in_query(c->queries[i], 0, NULL, c->caller);
    if (r) return r;
  }
  if (c->param_query) {
    Oid text = TEXTOID;
    return untrusted_code_in_query(c->param_query, 1, &text, c->caller);
  }
  return NULL;
}

std::string one_value_query(Oid source, bool via_text, const std::string &type) {
  return "SELECT (($1::text)::" + type_sql(source, -1) + (via_text ? ")::text::" : ")::") + type + "::text";
}

// A value converted to the unconstrained type (its text) against the plan's
// limit, as assignment decides: its text in the target type, or NULL if it
// does not fit. Under pg_guard.
const char *within_limit(const Plan *p, Oid target, int32 typmod, const char *text) {
  Oid in, ioparam, out;
  bool varlena;
  getTypeInputInfo(target, &in, &ioparam);
  getTypeOutputInfo(target, &out, &varlena);
  if (compat::has_soft_input_errors) {
    FmgrInfo finfo;
    fmgr_info(in, &finfo);
    Datum v;
    if (!compat::input_accepts(&finfo, pstrdup(text), ioparam, typmod, &v)) return NULL;
    return OidOutputFunctionCall(out, v);
  }
  if (!fits_limit(*p, text, typmod)) return NULL;
  // Safe: the value fits, so the input function accepts it.
  return OidOutputFunctionCall(out, OidInputFunctionCall(in, pstrdup(text), ioparam, typmod));
}

// The conversion of `column` as profile_column() judges it. with_limit: cast
// to the target's own type, modifier included, also where the plan casts to
// the unconstrained type; such an explicit cast may cut a value, so it is only
// for values that fk_guard.converts() accepts, where it cuts at most the
// trailing spaces that assignment cuts too.
std::string conversion_of(const Plan &p, Oid target, int32 typmod, const std::string &column, bool with_limit) {
  if (p.method == Method::Identical) return column;
  std::string type = with_limit ? type_sql(target, typmod) : cast_type_sql(p, target, typmod);
  return column + (p.via_text ? "::text::" : "::") + type;
}

}  // namespace

bool value_converts(Oid source, Datum value, Oid target, int32 target_typmod) {
  Plan plan = plan_for(source, target, target_typmod);
  if (plan.method == Method::Identical) return true;
  std::string one = one_value_query(source, plan.via_text, cast_type_sql(plan, target, target_typmod));
  TrustCheck check{{source, target}, {}, 0, one.c_str(), TrustCaller::Yes};
  const TrustCheck *cp = &check;
  const char *why = pg_guard([cp]() { return untrusted_code(cp); });
  if (why)
    throw UserError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                    "converting " + std::string(type_sql(source, -1)) + " to " + type_sql(target, target_typmod) +
                        " would run code owned by another role",
                    "Converting " + std::string(type_sql(source, -1)) + " to " + type_sql(target, target_typmod) +
                        " is not tried: " + why +
                        ". pg_fk_guard runs only code built into PostgreSQL or owned by a superuser or by the "
                        "calling role.",
                    "Run it as the role that owns that code (SET ROLE), which then runs with its own privileges.");
  const char *value_text = pg_guard([source, value]() {
    if (source == NAMEOID) return (const char *)pstrdup(NameStr(*DatumGetName(value)));
    if (source == TEXTOID || source == VARCHAROID || source == BPCHAROID)
      return (const char *)TextDatumGetCString(value);
    Oid out;
    bool varlena;
    getTypeOutputInfo(source, &out, &varlena);
    return (const char *)OidOutputFunctionCall(out, value);
  });
  if (plan.method == Method::Validate) {
    // The value as the cast leaves it (a character value's trailing spaces).
    Trim trim = pg_guard([source, target]() { return trim_of(source, target); });
    if (trim != Trim::None)
      value_text = pg_guard([trim, value_text]() {
        return (const char *)pnstrdup(value_text, trimmed_length(trim, value_text, strlen(value_text)));
      });
    if (!compat::has_soft_input_errors) return input_ok(*plan.check, value_text, target_typmod);
    return pg_guard([target, target_typmod, value_text]() {
      Oid in, ioparam;
      getTypeInputInfo(target, &in, &ioparam);
      FmgrInfo finfo;
      fmgr_info(in, &finfo);
      Datum v;
      return compat::input_accepts(&finfo, pstrdup(value_text), ioparam, target_typmod, &v);
    });
  }
  const char *oq = one.c_str();
  const Plan *pp = &plan;
  return pg_guard([oq, value_text, pp, target, target_typmod]() {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    const char *converted = convert_one(oq, value_text);
    if (converted != NULL && pp->limit != Limit::None) converted = within_limit(pp, target, target_typmod, converted);
    bool ok = converted != NULL;
    SPI_finish();
    return ok;
  });
}

std::string conversion_expression(Oid source, Oid target, int32 target_typmod, const std::string &column) {
  return conversion_of(plan_for(getBaseType(source), target, target_typmod), target, target_typmod, column, false);
}

std::string guarded_conversion_expression(Oid source, Oid target, int32 target_typmod, const std::string &column) {
  return conversion_of(plan_for(getBaseType(source), target, target_typmod), target, target_typmod, column, true);
}

bool cast_applies_typmod(Oid source, Oid target) {
  Oid funcid = InvalidOid;
  CoercionPathType path = find_coercion_pathway(getBaseType(target), getBaseType(source), COERCION_EXPLICIT, &funcid);
  return path == COERCION_PATH_FUNC && OidIsValid(funcid) && get_func_nargs(funcid) > 1;
}

ColumnProfile profile_column(Oid rel, AttrNumber att, Oid target, int32 target_typmod, Oid referenced_rel,
                             AttrNumber referenced_att, int samples, TrustCaller caller) {
  ColumnProfile prof;
  Names n = names_of(rel, att);
  Plan plan = plan_for(n.type, target, target_typmod);
  std::string type = type_sql(target, target_typmod);
  prof.conversion = conversion_of(plan, target, target_typmod, n.column, false);
  // Values are compared with the keys by their text in the target type: only
  // where equal values have equal text (not numeric 1.0 = 1, not a
  // nondeterministic collation's 'a' = 'A').
  bool check_orphans = OidIsValid(referenced_rel) && pg_guard([target, referenced_rel, referenced_att]() {
                         return text_identity_is_equality(target, get_attnum_collation(referenced_rel, referenced_att));
                       });

  // Every query this profile may run, checked before any of them runs.
  std::string keys_query;
  if (check_orphans) {
    Names r = names_of(referenced_rel, referenced_att);
    keys_query =
        "SELECT (" + std::string(r.column) + ")::" + type + " FROM " + r.table + " WHERE " + r.column + " IS NOT NULL";
  }
  std::string values_query = std::string("SELECT ") + n.column + " FROM " + n.table;
  // With a limit the original value comes along: a sample shows it, not its
  // cast to the unconstrained type.
  std::string cast_query = "SELECT (" + prof.conversion + ")" +
                           (plan.limit != Limit::None ? std::string(", ") + n.column : std::string()) + " FROM " +
                           n.table;
  std::string text_query = std::string("SELECT ") + n.column + "::text FROM " + n.table;
  std::string one_query = one_value_query(n.type, plan.via_text, cast_type_sql(plan, target, target_typmod));
  TrustCheck check{{n.type, target},
                   {values_query.c_str(), cast_query.c_str(), text_query.c_str(), keys_query.c_str()},
                   check_orphans ? 4 : 3,
                   one_query.c_str(),
                   caller};
  const TrustCheck *cp = &check;
  const char *why = pg_guard([cp]() { return untrusted_code(cp); });
  if (why) {
    prof.not_profiled_reason = why;
    return prof;
  }

  pg_guard([]() {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
  });

  // The referenced keys: the values themselves where equality is that of
  // their bytes, else as the target type prints them.
  int16 binary_width = check_orphans ? pg_guard([target]() -> int16 {
    if (!binary_identity_is_equality(target)) return 0;
    int16 len = get_typlen(target);
    return len > 0 && len <= (int16)BinaryKeySet::kMaxWidth ? len : 0;
  })
                                     : 0;
  std::unordered_set<std::string> keys;
  std::optional<BinaryKeySet> bin_keys;
  if (binary_width > 0) bin_keys.emplace(binary_width);
  const BinaryKeySet *bin_lookup = bin_keys ? &*bin_keys : nullptr;
  if (check_orphans) {
    const std::string &q = keys_query;
    Tally t{&plan, target_typmod, &prof, samples, nullptr, bin_keys ? nullptr : &keys, {}};
    if (bin_keys) t.bin_collect = &*bin_keys;
    PassState *st = (PassState *)palloc0(sizeof(PassState));
    Tally *tp = &t;
    const char *qs = q.c_str();
    pg_guard([st, target, target_typmod, tp, qs]() {
      init_pass(st, target, target, target_typmod, true, tp);
      run_pass(qs, st);
    });
    raise_if_failed(t);
    if (bin_keys) bin_keys->finish();
    prof.orphans_checked = true;
  }

  if (plan.method != Method::Cast) {
    const std::string &q = values_query;
    Tally t{&plan, target_typmod, &prof, samples, check_orphans ? &keys : nullptr, nullptr, {}};
    t.bin_keys = bin_lookup;
    PassState *st = (PassState *)palloc0(sizeof(PassState));
    Tally *tp = &t;
    const char *qs = q.c_str();
    Oid source = n.type;
    pg_guard([st, source, target, target_typmod, check_orphans, tp, qs]() {
      init_pass(st, source, target, target_typmod, check_orphans, tp);
      run_pass(qs, st);
    });
    raise_if_failed(t);
    prof.method = plan.method == Method::Identical ? "identical" : "validate";
  } else {
    prof.method = "cast";
    // One statement converts the whole column; if it succeeds, every value
    // converts (to the unconstrained type, with a limit: then each value is
    // checked against it), and the same pass collects the converted values.
    const std::string &q = cast_query;
    Plan identical{Method::Identical, false, std::nullopt, Limit::None};
    const Plan *pass_plan = plan.limit != Limit::None ? &plan : &identical;
    Tally t{pass_plan, target_typmod, &prof, samples, check_orphans ? &keys : nullptr, nullptr, {}};
    t.bin_keys = bin_lookup;
    PassState *st = (PassState *)palloc0(sizeof(PassState));
    Tally *tp = &t;
    const char *qs = q.c_str();
    ColumnProfile before = prof;
    Oid source = n.type;
    bool original = plan.limit != Limit::None;
    bool whole = pg_guard([st, source, target, target_typmod, check_orphans, original, tp, qs]() {
      init_pass(st, target, target, target_typmod, check_orphans, tp);
      if (original) init_original(st, source);
      return run_pass_in_subtransaction(qs, st);
    });
    raise_if_failed(t);
    if (!whole) {
      // Value by value, each in its own subtransaction.
      prof = before;
      prof.method = "cast, value by value";
      const char *aq = text_query.c_str();
      const char *oq = one_query.c_str();
      RawValues *values = pg_guard([aq]() { return fetch_values(aq); });
      for (uint64 i = 0; i < values->count; i++) {
        const char *val = values->items[i];
        prof.rows_total++;
        if (val == NULL) {
          prof.rows_null++;
          continue;
        }
        const Plan *pp = &plan;
        const char *canonical = pg_guard([oq, val, pp, target, target_typmod]() {
          const char *converted = convert_one(oq, val);
          if (converted != NULL && pp->limit != Limit::None)
            converted = within_limit(pp, target, target_typmod, converted);
          return converted;
        });
        if (canonical == NULL) {
          prof.rows_unconvertible++;
          if ((int)prof.sample_unconvertible.size() < samples) prof.sample_unconvertible.emplace_back(val);
          continue;
        }
        prof.rows_convertible++;
        bool orphan;
        if (!bin_lookup) {
          orphan = check_orphans && keys.find(canonical) == keys.end();
        } else {
          // The converted value's text read back as the target type: its key.
          unsigned char key[BinaryKeySet::kMaxWidth];
          unsigned char *kp = key;
          pg_guard([target, target_typmod, canonical, kp]() {
            PassState one;
            memset(&one, 0, sizeof(one));
            get_typlenbyval(target, &one.target_typlen, &one.target_byval);
            Oid in, ioparam;
            getTypeInputInfo(target, &in, &ioparam);
            binary_key(&one, OidInputFunctionCall(in, pstrdup(canonical), ioparam, target_typmod), kp);
          });
          orphan = !bin_lookup->contains(key);
        }
        if (orphan) {
          prof.rows_orphaned++;
          if ((int)prof.sample_orphaned.size() < samples) prof.sample_orphaned.emplace_back(val);
        }
      }
    }
  }
  pg_guard([]() { SPI_finish(); });
  prof.profiled = true;
  return prof;
}

}  // namespace fkg
