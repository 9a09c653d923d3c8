#include "guard_data.hpp"

#include "catalog_scan.hpp"
#include "citus.hpp"
#include "settings.hpp"
#include "../core/sql_writer.hpp"
#include "../core/tool_notes.hpp"

namespace fkg {

namespace {

double estimated_rows(Oid rel) {
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (!HeapTupleIsValid(tup)) return -1;
  Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
  double est = c->reltuples >= 0 ? c->reltuples : (double)c->relpages * 100;
  ReleaseSysCache(tup);
  return est;
}

}  // namespace

std::string unquoted(const char *quoted) {
  std::string q = quoted ? quoted : "";
  if (q.size() < 2 || q.front() != '"') return q;
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); i++) {
    out += q[i];
    if (q[i] == '"') i++;  // a doubled quote stands for one
  }
  return out;
}

namespace {

struct Subtransaction {
  MemoryContext context;
  ResourceOwner owner;
};

// One profile inside a subtransaction; false when it failed (no privilege,
// a value PostgreSQL refused ...), with PostgreSQL's error state flushed.
bool try_profile(const ProfileRequest &r, bool with_keys, ColumnProfile *out) {
  Oid rel = r.rel, keys_rel = r.keys_rel;
  const char *attname = r.attname.c_str(), *keys_attname = r.keys_attname.c_str();
  Subtransaction sub = pg_guard([]() {
    Subtransaction st{CurrentMemoryContext, CurrentResourceOwner};
    BeginInternalSubTransaction(NULL);
    MemoryContextSwitchTo(st.context);
    return st;
  });
  try {
    AttrNumber att = pg_guard([rel, attname]() { return get_attnum(rel, attname); });
    AttrNumber keys_att = with_keys
                              ? pg_guard([keys_rel, keys_attname]() { return get_attnum(keys_rel, keys_attname); })
                              : InvalidAttrNumber;
    // Only code built into PostgreSQL or a superuser's: never a table or type
    // owner's cast, domain CHECK or I/O function, not even the caller's own,
    // for a statement PostgreSQL refuses without running any of it.
    *out = profile_column(rel, att, r.target, r.typmod, keys_att != InvalidAttrNumber ? keys_rel : InvalidOid, keys_att,
                          2, TrustCaller::No);
    pg_guard([sub]() {
      ReleaseCurrentSubTransaction();
      MemoryContextSwitchTo(sub.context);
      CurrentResourceOwner = sub.owner;
    });
    return true;
  } catch (const PgError &e) {
    // PostgreSQL's error state was already flushed by pg_guard.
    pg_guard([sub]() {
      RollbackAndReleaseCurrentSubTransaction();
      MemoryContextSwitchTo(sub.context);
      CurrentResourceOwner = sub.owner;
    });
    // A cancel, timeout or deadlock is the statement's, not a missing profile.
    if (must_propagate(e.edata()->sqlerrcode)) throw;
    return false;
  }
}

}  // namespace

// The same profile as fk_guard.profile_column(): if the caller may not read
// the table, or anything else fails, the message simply has no data part; if
// only the keys cannot be read, it has no orphan count.
Profile profile_of(const ProfileRequest &r) {
  Profile prof;
  if (!OidIsValid(r.rel) || profile_row_limit <= 0) return prof;
  Oid rel = r.rel, keys_rel = r.keys_rel;
  // Citus shows a check that runs inside ALTER TABLE no rows of its tables
  // (the coordinator's shell table is empty; the rows are in the shards): an
  // empty read would be a false "is empty", so such data is not read at all.
  citus::TableKind kind = pg_guard([rel]() { return citus::kind_of(rel); });
  if (kind != citus::TableKind::None) {
    prof.not_read = std::string("it is a Citus ") + citus::kind_name(kind) +
                    ", whose rows a check cannot see while Citus runs the statement";
    return prof;
  }
  prof.estimated = pg_guard([rel]() { return estimated_rows(rel); });
  if (prof.estimated > profile_row_limit) return prof;
  bool with_keys = OidIsValid(keys_rel);
  citus::TableKind keys_kind =
      with_keys ? pg_guard([keys_rel]() { return citus::kind_of(keys_rel); }) : citus::TableKind::None;
  if (keys_kind != citus::TableKind::None) {
    with_keys = false;
    prof.keys_not_read = r.keys_display.substr(0, r.keys_display.rfind('.')) + " is a Citus " +
                         citus::kind_name(keys_kind) + ", whose keys a check cannot see while Citus runs the statement";
  }
  if (with_keys) {
    double keys = pg_guard([keys_rel]() { return estimated_rows(keys_rel); });
    if (keys > profile_row_limit) {
      with_keys = false;
      prof.keys_not_read = r.keys_display.substr(0, r.keys_display.rfind('.')) + " has about " +
                           std::to_string((long long)keys) + " rows, more than pg_fk_guard.profile_row_limit";
    }
  }
  bool ok = try_profile(r, with_keys, &prof.data);
  if (!ok && with_keys) {
    with_keys = false;
    prof.keys_not_read = "the keys of " + r.keys_display + " could not be read";
    ok = try_profile(r, false, &prof.data);
  }
  if (!ok) return prof;
  prof.read = prof.data.profiled;
  prof.not_read = prof.data.not_profiled_reason;
  prof.user_code = !prof.not_read.empty();
  if (prof.data.orphans_checked) prof.keys = r.keys_display;
  return prof;
}

DataFacts data_facts(const Profile &prof) {
  DataFacts d;
  d.read = prof.read;
  d.estimated = prof.estimated;
  d.row_limit = profile_row_limit;
  d.not_read = prof.not_read;
  d.user_code = prof.user_code;
  d.keys = prof.keys;
  d.keys_not_read = prof.keys_not_read;
  const ColumnProfile &c = prof.data;
  d.rows_total = c.rows_total;
  d.rows_null = c.rows_null;
  d.rows_convertible = c.rows_convertible;
  d.rows_unconvertible = c.rows_unconvertible;
  d.rows_orphaned = c.rows_orphaned;
  d.orphans_checked = c.orphans_checked;
  d.sample_unconvertible = c.sample_unconvertible;
  d.sample_orphaned = c.sample_orphaned;
  return d;
}

std::string data_sentence(const std::string &table, const std::string &column, const std::string &source,
                          const std::string &target, const Profile &prof) {
  return data_sentence(table, column, source, target, data_facts(prof));
}

namespace {

struct RawShape {
  const char *query;
  const char *app;
};

StatementShape current_shape(const char *constraint) {
  RawShape raw = pg_guard([]() {
    RawShape r;
    r.query = debug_query_string ? debug_query_string : "";
    r.app = GetConfigOption("application_name", true, false);
    if (r.app == NULL) r.app = "";
    return r;
  });
  return StatementShape{raw.query, constraint ? constraint : "", raw.app, {}, {}};
}

// The relation's own name, as stored, from the way the user names it
// (quote_identifier or quote_qualified_identifier form).
std::string unqualified(const char *display) {
  std::string d = display ? display : "";
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i < d.size(); i++) {
    if (d[i] == '"')
      quoted = !quoted;  // a doubled quote toggles twice
    else if (d[i] == '.' && !quoted)
      start = i + 1;
  }
  return unquoted(d.c_str() + start);
}

}  // namespace

std::string tool_note(const char *constraint, const char *table, const std::vector<std::string> &columns,
                      const char *column, const char *referenced_table, const char *referenced_column,
                      const std::string &key_type) {
  StatementShape shape = current_shape(constraint);
  std::string relname = unqualified(table), refname = unqualified(referenced_table);
  shape.table = relname;
  shape.columns = columns;
  shape.column = column ? column : "";
  shape.referenced_table = refname;
  shape.referenced_column = referenced_column ? referenced_column : "";
  return tool_note_for(shape, key_type);
}

std::string cast_tool_note() {
  StatementShape shape = current_shape(nullptr);
  const ToolNote *note = recognise_cast_tool(shape);
  return note ? note->note(shape, "") : std::string();
}

std::string explain_call(Oid rel, const std::string &column) {
  const char *q = pg_guard(
      [rel]() { return quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel)); });
  return explain_call(std::string(q), column);
}

static const char *kContext = "pg_fk_guard: checked before PostgreSQL ran the statement";

void raise(const Report &r) {
  const Report *rp = &r;
  pg_guard([rp]() {
    ereport(rp->elevel, (errcode(rp->sqlstate), errmsg_internal("%s", rp->message.c_str()),
                         errdetail_internal("%s", rp->detail.c_str()), errhint("%s", rp->hint.c_str()),
                         errcontext("%s", kContext)));
  });
}

}  // namespace fkg
