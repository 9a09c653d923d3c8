// Test-only wrapper around libpg_query (PostgreSQL 15's parser as a library).
#include "pg_parse.hpp"

#include <pg_query.h>

#include <cstdio>
#include <stdexcept>

// libpg_query keeps the scanner's GUC as a thread-local variable.
extern "C" __thread bool standard_conforming_strings;

namespace fkg::testing {

namespace {

const Json kNull;

struct JsonReader {
  const std::string &s;
  size_t i = 0;

  [[noreturn]] void fail(const char *what) {
    throw std::runtime_error(std::string("JSON: ") + what + " at " + std::to_string(i));
  }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
  }
  static void put_utf8(std::string &out, unsigned cp) {
    if (cp < 0x80) {
      out += (char)cp;
    } else if (cp < 0x800) {
      out += (char)(0xC0 | (cp >> 6));
      out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += (char)(0xE0 | (cp >> 12));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    } else {
      out += (char)(0xF0 | (cp >> 18));
      out += (char)(0x80 | ((cp >> 12) & 0x3F));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    }
  }
  unsigned hex4() {
    if (i + 4 > s.size()) fail("short \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
      char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        fail("bad \\u escape");
    }
    return v;
  }
  std::string str() {
    if (s[i] != '"') fail("expected string");
    i++;
    std::string out;
    while (true) {
      if (i >= s.size()) fail("unterminated string");
      char c = s[i++];
      if (c == '"') break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) fail("unterminated escape");
      char e = s[i++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            i += 2;
            unsigned lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default:
          fail("bad escape");
      }
    }
    return out;
  }
  Json value() {
    ws();
    if (i >= s.size()) fail("unexpected end");
    Json v;
    char c = s[i];
    if (c == '{') {
      v.kind = Json::Object;
      i++;
      ws();
      if (s[i] == '}') {
        i++;
        return v;
      }
      while (true) {
        ws();
        std::string k = str();
        ws();
        if (s[i] != ':') fail("expected :");
        i++;
        v.members.emplace_back(std::move(k), value());
        ws();
        if (s[i] == ',') {
          i++;
          continue;
        }
        if (s[i] == '}') {
          i++;
          return v;
        }
        fail("expected , or }");
      }
    }
    if (c == '[') {
      v.kind = Json::Array;
      i++;
      ws();
      if (s[i] == ']') {
        i++;
        return v;
      }
      while (true) {
        v.items.push_back(value());
        ws();
        if (s[i] == ',') {
          i++;
          continue;
        }
        if (s[i] == ']') {
          i++;
          return v;
        }
        fail("expected , or ]");
      }
    }
    if (c == '"') {
      v.kind = Json::String;
      v.text = str();
      return v;
    }
    if (s.compare(i, 4, "true") == 0) {
      v.kind = Json::Bool;
      v.b = true;
      i += 4;
      return v;
    }
    if (s.compare(i, 5, "false") == 0) {
      v.kind = Json::Bool;
      i += 5;
      return v;
    }
    if (s.compare(i, 4, "null") == 0) {
      i += 4;
      return v;
    }
    size_t start = i;
    while (i < s.size() &&
           (isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
      i++;
    if (i == start) fail("unexpected character");
    v.kind = Json::Number;
    v.text = s.substr(start, i - start);
    return v;
  }
};

void quote_json(std::string &out, const std::string &t) {
  out += '"';
  for (unsigned char c : t) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += (char)c;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += (char)c;
    }
  }
  out += '"';
}

void shape_into(const Json &v, std::string &out) {
  switch (v.kind) {
    case Json::Null:
      out += "null";
      break;
    case Json::Bool:
      out += v.b ? "true" : "false";
      break;
    case Json::Number:
      out += v.text;
      break;
    case Json::String:
      quote_json(out, v.text);
      break;
    case Json::Array:
      out += '[';
      for (size_t k = 0; k < v.items.size(); k++) {
        if (k) out += ',';
        shape_into(v.items[k], out);
      }
      out += ']';
      break;
    case Json::Object: {
      out += '{';
      bool first = true;
      for (const auto &[k, m] : v.members) {
        if (k == "location" || k == "stmt_location" || k == "stmt_len") continue;
        if (!first) out += ',';
        first = false;
        quote_json(out, k);
        out += ':';
        shape_into(m, out);
      }
      out += '}';
      break;
    }
  }
}

std::string enum_at(const Json &tree, const char *key) { return tree.at(key).text; }

// AlterObjectTypeCommandTag() of utility.c, for the object types that occur.
std::string alter_tag(const std::string &objtype) {
  static const std::map<std::string, std::string> tags = {
      {"OBJECT_TABLE", "ALTER TABLE"},
      {"OBJECT_COLUMN", "ALTER TABLE"},
      {"OBJECT_TABCONSTRAINT", "ALTER TABLE"},
      {"OBJECT_INDEX", "ALTER INDEX"},
      {"OBJECT_SEQUENCE", "ALTER SEQUENCE"},
      {"OBJECT_VIEW", "ALTER VIEW"},
      {"OBJECT_MATVIEW", "ALTER MATERIALIZED VIEW"},
      {"OBJECT_FOREIGN_TABLE", "ALTER FOREIGN TABLE"},
      {"OBJECT_TYPE", "ALTER TYPE"},
      {"OBJECT_ATTRIBUTE", "ALTER TYPE"},
      {"OBJECT_DOMAIN", "ALTER DOMAIN"},
      {"OBJECT_DOMCONSTRAINT", "ALTER DOMAIN"},
      {"OBJECT_FUNCTION", "ALTER FUNCTION"},
      {"OBJECT_PROCEDURE", "ALTER PROCEDURE"},
      {"OBJECT_ROUTINE", "ALTER ROUTINE"},
      {"OBJECT_SCHEMA", "ALTER SCHEMA"},
      {"OBJECT_ROLE", "ALTER ROLE"},
      {"OBJECT_TRIGGER", "ALTER TRIGGER"},
      {"OBJECT_RULE", "ALTER RULE"},
      {"OBJECT_DATABASE", "ALTER DATABASE"},
      {"OBJECT_EXTENSION", "ALTER EXTENSION"},
      {"OBJECT_STATISTIC_EXT", "ALTER STATISTICS"},
      {"OBJECT_POLICY", "ALTER POLICY"},
      {"OBJECT_EVENT_TRIGGER", "ALTER EVENT TRIGGER"},
      {"OBJECT_COLLATION", "ALTER COLLATION"},
      {"OBJECT_CONVERSION", "ALTER CONVERSION"},
      {"OBJECT_OPERATOR", "ALTER OPERATOR"},
      {"OBJECT_AGGREGATE", "ALTER AGGREGATE"},
      {"OBJECT_TABLESPACE", "ALTER TABLESPACE"},
      {"OBJECT_LANGUAGE", "ALTER LANGUAGE"},
  };
  auto it = tags.find(objtype);
  return it == tags.end() ? "?ALTER " + objtype : it->second;
}

std::string drop_tag(const std::string &objtype) {
  static const std::map<std::string, std::string> tags = {
      {"OBJECT_TABLE", "DROP TABLE"},
      {"OBJECT_SEQUENCE", "DROP SEQUENCE"},
      {"OBJECT_VIEW", "DROP VIEW"},
      {"OBJECT_MATVIEW", "DROP MATERIALIZED VIEW"},
      {"OBJECT_INDEX", "DROP INDEX"},
      {"OBJECT_TYPE", "DROP TYPE"},
      {"OBJECT_DOMAIN", "DROP DOMAIN"},
      {"OBJECT_COLLATION", "DROP COLLATION"},
      {"OBJECT_SCHEMA", "DROP SCHEMA"},
      {"OBJECT_FOREIGN_TABLE", "DROP FOREIGN TABLE"},
      {"OBJECT_FUNCTION", "DROP FUNCTION"},
      {"OBJECT_PROCEDURE", "DROP PROCEDURE"},
      {"OBJECT_ROUTINE", "DROP ROUTINE"},
      {"OBJECT_AGGREGATE", "DROP AGGREGATE"},
      {"OBJECT_OPERATOR", "DROP OPERATOR"},
      {"OBJECT_TRIGGER", "DROP TRIGGER"},
      {"OBJECT_RULE", "DROP RULE"},
      {"OBJECT_CAST", "DROP CAST"},
      {"OBJECT_EXTENSION", "DROP EXTENSION"},
      {"OBJECT_POLICY", "DROP POLICY"},
      {"OBJECT_STATISTIC_EXT", "DROP STATISTICS"},
      {"OBJECT_EVENT_TRIGGER", "DROP EVENT TRIGGER"},
  };
  auto it = tags.find(objtype);
  return it == tags.end() ? "?DROP " + objtype : it->second;
}

}  // namespace

const Json *Json::get(const std::string &key) const {
  for (const auto &[k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

const Json &Json::at(const std::string &key) const {
  const Json *v = get(key);
  return v ? *v : kNull;
}

std::string Json::shape() const {
  std::string out;
  shape_into(*this, out);
  return out;
}

Json parse_json(const std::string &text) {
  JsonReader r{text};
  Json v = r.value();
  r.ws();
  if (r.i != text.size()) r.fail("trailing text");
  return v;
}

std::string command_tag(const std::string &node, const Json &t) {
  if (node == "VariableSetStmt") {
    std::string k = enum_at(t, "kind");
    return (k == "VAR_RESET" || k == "VAR_RESET_ALL") ? "RESET" : "SET";
  }
  if (node == "TransactionStmt") {
    static const std::map<std::string, std::string> tags = {{"TRANS_STMT_BEGIN", "BEGIN"},
                                                            {"TRANS_STMT_START", "START TRANSACTION"},
                                                            {"TRANS_STMT_COMMIT", "COMMIT"},
                                                            {"TRANS_STMT_ROLLBACK", "ROLLBACK"},
                                                            {"TRANS_STMT_SAVEPOINT", "SAVEPOINT"},
                                                            {"TRANS_STMT_RELEASE", "RELEASE"},
                                                            {"TRANS_STMT_ROLLBACK_TO", "ROLLBACK"},
                                                            {"TRANS_STMT_PREPARE", "PREPARE TRANSACTION"},
                                                            {"TRANS_STMT_COMMIT_PREPARED", "COMMIT PREPARED"},
                                                            {"TRANS_STMT_ROLLBACK_PREPARED", "ROLLBACK PREPARED"}};
    auto it = tags.find(enum_at(t, "kind"));
    return it == tags.end() ? "?TransactionStmt" : it->second;
  }
  if (node == "AlterTableStmt") return alter_tag(enum_at(t, "objtype"));
  if (node == "RenameStmt") return alter_tag(enum_at(t, "renameType"));
  if (node == "AlterOwnerStmt") return alter_tag(enum_at(t, "objectType"));
  if (node == "AlterObjectSchemaStmt") return alter_tag(enum_at(t, "objectType"));
  if (node == "DropStmt") return drop_tag(enum_at(t, "removeType"));
  if (node == "CreateFunctionStmt") return t.at("is_procedure").b ? "CREATE PROCEDURE" : "CREATE FUNCTION";
  if (node == "GrantStmt") return t.at("is_grant").b ? "GRANT" : "REVOKE";
  if (node == "GrantRoleStmt") return t.at("is_grant").b ? "GRANT ROLE" : "REVOKE ROLE";
  if (node == "VacuumStmt") return t.at("is_vacuumcmd").b ? "VACUUM" : "ANALYZE";
  if (node == "CreateTableAsStmt") {
    std::string k = enum_at(t, "objtype");
    if (k == "OBJECT_MATVIEW") return "CREATE MATERIALIZED VIEW";
    return t.at("is_select_into").b ? "SELECT INTO" : "CREATE TABLE AS";
  }
  if (node == "SelectStmt") return t.get("intoClause") ? "SELECT INTO" : "SELECT";
  if (node == "DiscardStmt") {
    std::string k = enum_at(t, "target");
    if (k == "DISCARD_PLANS") return "DISCARD PLANS";
    if (k == "DISCARD_TEMP") return "DISCARD TEMP";
    if (k == "DISCARD_SEQUENCES") return "DISCARD SEQUENCES";
    return "DISCARD ALL";
  }
  static const std::map<std::string, std::string> simple = {
      {"InsertStmt", "INSERT"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"MergeStmt", "MERGE"},
      {"DoStmt", "DO"},
      {"VariableShowStmt", "SHOW"},
      {"CreateStmt", "CREATE TABLE"},
      {"CreateSchemaStmt", "CREATE SCHEMA"},
      {"IndexStmt", "CREATE INDEX"},
      {"ViewStmt", "CREATE VIEW"},
      {"CreateRoleStmt", "CREATE ROLE"},
      {"AlterRoleStmt", "ALTER ROLE"},
      {"AlterRoleSetStmt", "ALTER ROLE"},
      {"DropRoleStmt", "DROP ROLE"},
      {"CommentStmt", "COMMENT"},
      {"LockStmt", "LOCK TABLE"},
      {"CopyStmt", "COPY"},
      {"TruncateStmt", "TRUNCATE TABLE"},
      {"CreateTrigStmt", "CREATE TRIGGER"},
      {"ExecuteStmt", "EXECUTE"},
      {"PrepareStmt", "PREPARE"},
      {"DeallocateStmt", "DEALLOCATE"},
      {"CallStmt", "CALL"},
      {"ExplainStmt", "EXPLAIN"},
      {"NotifyStmt", "NOTIFY"},
      {"ListenStmt", "LISTEN"},
      {"CreateSeqStmt", "CREATE SEQUENCE"},
      {"AlterSeqStmt", "ALTER SEQUENCE"},
      {"CreateDomainStmt", "CREATE DOMAIN"},
      {"CreateCastStmt", "CREATE CAST"},
      {"CreateExtensionStmt", "CREATE EXTENSION"},
      {"AlterFunctionStmt", "ALTER FUNCTION"},
      {"CheckPointStmt", "CHECKPOINT"},
      {"LoadStmt", "LOAD"},
      {"ClusterStmt", "CLUSTER"},
      {"ReindexStmt", "REINDEX"},
      {"CreateStatsStmt", "CREATE STATISTICS"},
      {"CreatePolicyStmt", "CREATE POLICY"},
      {"RuleStmt", "CREATE RULE"},
      {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
      {"AlterSystemStmt", "ALTER SYSTEM"},
      {"ConstraintsSetStmt", "SET CONSTRAINTS"},
  };
  auto it = simple.find(node);
  return it == simple.end() ? "?" + node : it->second;
}

Parsed parse(const std::string &sql, bool scs) {
  Parsed out;
  bool saved = standard_conforming_strings;
  standard_conforming_strings = scs;
  PgQueryParseResult r = pg_query_parse(sql.c_str());
  standard_conforming_strings = saved;
  if (r.error) {
    out.error = r.error->message ? r.error->message : "error";
    out.cursor = r.error->cursorpos;
    pg_query_free_parse_result(r);
    return out;
  }
  Json tree = parse_json(r.parse_tree);
  pg_query_free_parse_result(r);
  out.ok = true;
  const Json *stmts = tree.get("stmts");
  if (!stmts) return out;
  for (const Json &raw : stmts->items) {
    const Json &node = raw.at("stmt");
    if (node.members.size() != 1) throw std::runtime_error("unexpected statement shape");
    Statement s;
    s.node = node.members[0].first;
    s.tree = node.members[0].second;
    s.tag = command_tag(s.node, s.tree);
    if (s.node == "DoStmt") {
      s.is_do = true;
      const Json *args = s.tree.get("args");
      for (const Json &a : args ? args->items : std::vector<Json>{}) {
        const Json &d = a.at("DefElem");
        if (d.at("defname").text == "as") s.do_body = d.at("arg").at("String").at("sval").text;
        if (d.at("defname").text == "language") s.do_language = d.at("arg").at("String").at("sval").text;
      }
    }
    out.statements.push_back(std::move(s));
  }
  return out;
}

std::string plpgsql_error(const std::string &body) {
  // Dollar-quote the body with a tag that does not occur in it.
  std::string tag = "$b$";
  for (int n = 0; body.find(tag) != std::string::npos || (!body.empty() && body.back() == '$'); n++)
    tag = "$b" + std::to_string(n) + "$";
  std::string sql = "CREATE FUNCTION pg_temp.fkg_check() RETURNS void LANGUAGE plpgsql AS " + tag + body + tag;
  PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(sql.c_str());
  std::string err;
  if (r.error) err = r.error->message ? r.error->message : "error";
  pg_query_free_plpgsql_parse_result(r);
  return err;
}

std::vector<std::string> announced_tags(const std::string &script, int *lines) {
  static const std::string prefix = "-- Statements: ";
  std::vector<std::string> tags;
  *lines = 0;
  size_t pos = 0;
  while (pos <= script.size()) {
    size_t end = script.find('\n', pos);
    if (end == std::string::npos) end = script.size();
    std::string line = script.substr(pos, end - pos);
    if (line.compare(0, prefix.size(), prefix) == 0) {
      (*lines)++;
      std::string list = line.substr(prefix.size());
      if (list != "(none)") {
        size_t p = 0;
        while (true) {
          size_t c = list.find(", ", p);
          tags.push_back(list.substr(p, c == std::string::npos ? std::string::npos : c - p));
          if (c == std::string::npos) break;
          p = c + 2;
        }
      }
    }
    pos = end + 1;
  }
  return tags;
}

std::string check_script(const std::string &script, const std::vector<std::string> *expected, Parsed *parsed) {
  int lines = 0;
  std::vector<std::string> announced = announced_tags(script, &lines);
  if (lines != 1) return std::to_string(lines) + " \"-- Statements:\" lines";
  for (bool scs : {true, false}) {
    Parsed p = parse(script, scs);
    if (!p.ok) return "does not parse: " + p.error + " at " + std::to_string(p.cursor);
    std::vector<std::string> tags;
    for (const auto &s : p.statements) tags.push_back(s.tag);
    if (tags != announced) {
      std::string a, b;
      for (auto &x : announced) a += x + "|";
      for (auto &x : tags) b += x + "|";
      return "announces " + a + " but parses to " + b + (scs ? "" : " (standard_conforming_strings off)");
    }
    if (expected) {
      if (expected->size() != p.statements.size()) return "statement count differs from the statements added";
      for (size_t i = 0; i < expected->size(); i++) {
        Parsed alone = parse((*expected)[i], scs);
        if (!alone.ok || alone.statements.size() != 1)
          return "statement " + std::to_string(i + 1) + " alone does not parse";
        if (alone.statements[0].tree.shape() != p.statements[i].tree.shape())
          return "statement " + std::to_string(i + 1) + " differs from what was added";
      }
    }
    for (const auto &s : p.statements) {
      if (!s.is_do || s.do_language != "plpgsql") continue;
      std::string err = plpgsql_error(s.do_body);
      if (!err.empty()) return "DO body does not compile: " + err;
    }
    if (scs && parsed) *parsed = p;
  }
  return "";
}

}  // namespace fkg::testing
