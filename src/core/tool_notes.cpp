#include "tool_notes.hpp"

#include <cctype>
#include <cstring>
#include <regex>

#include "no_postgres.hpp"

namespace fkg {

namespace {

bool matches(std::string_view text, const char *pattern) {
  static thread_local std::string buf;
  buf.assign(text.data(), text.size());
  return std::regex_search(buf, std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
}

// Case matters: tools differ in how they write keywords.
bool matches_case(std::string_view text, const char *pattern) {
  static thread_local std::string buf;
  buf.assign(text.data(), text.size());
  return std::regex_search(buf, std::regex(pattern, std::regex::ECMAScript));
}

bool app_is(const StatementShape &s, const char *name) {
  if (s.application_name.empty()) return false;
  std::string app(s.application_name);
  for (char &c : app) c = (char)std::tolower((unsigned char)c);
  return app.find(name) != std::string::npos;
}

// PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes, at a character
// boundary (so up to 3 bytes fewer for UTF-8).
constexpr size_t kMaxIdentifier = 63;

// name is what PostgreSQL makes of the identifier wanted.
bool same_identifier(std::string_view name, const std::string &wanted) {
  if (wanted.size() <= kMaxIdentifier) return name == wanted;
  return name.size() <= kMaxIdentifier && name.size() + 3 >= kMaxIdentifier &&
         std::string_view(wanted).substr(0, name.size()) == name;
}

// node-pg-migrate's default name for a foreign key it is given no name for:
// `${tableName}_fk_${columns.join('_')}` (addConstraint, createTable's
// constraints.foreignKeys; a column's references with
// referencesConstraintComment, for its one column).
bool node_pg_migrate_default_name(const StatementShape &s) {
  if (s.table.empty() || s.columns.empty()) return false;
  std::string name = std::string(s.table) + "_fk_";
  for (size_t i = 0; i < s.columns.size(); i++) name += (i ? "_" : "") + s.columns[i];
  return same_identifier(s.constraint, name);
}

// The referenced key's type, as the notes tell types apart.
struct KeyType {
  enum Kind { Integer, Bigint, Smallint, Uuid, Text, Varchar, Other } kind = Other;
  std::string sql;     // as given: "integer", "character varying(36)", ...
  std::string length;  // varchar(n): "n"; "" for varchar without a length
  // Safe to quote inside a '...' or "..." string of any tool's language.
  bool plain = true;
};

KeyType key_type_of(const std::string &sql) {
  KeyType k;
  k.sql = sql;
  for (char c : sql)
    if (!(std::isalnum((unsigned char)c) || c == ' ' || c == '_' || c == '(' || c == ')' || c == ',' || c == '.' ||
          c == '[' || c == ']'))
      k.plain = false;
  static const char kVarchar[] = "character varying";
  if (sql == "integer")
    k.kind = KeyType::Integer;
  else if (sql == "bigint")
    k.kind = KeyType::Bigint;
  else if (sql == "smallint")
    k.kind = KeyType::Smallint;
  else if (sql == "uuid")
    k.kind = KeyType::Uuid;
  else if (sql == "text")
    k.kind = KeyType::Text;
  else if (sql == kVarchar)
    k.kind = KeyType::Varchar;
  else if (sql.size() > sizeof kVarchar + 1 && sql.compare(0, sizeof kVarchar, "character varying(") == 0 &&
           sql.back() == ')') {
    std::string n = sql.substr(sizeof kVarchar, sql.size() - sizeof kVarchar - 1);
    bool digits = !n.empty() && n.find_first_not_of("0123456789") == std::string::npos;
    if (digits) {
      k.kind = KeyType::Varchar;
      k.length = n;
    }
  }
  return k;
}

// How a tool spells each kind; nullptr where it has no spelling of its own.
// "%n" stands for a varchar's length.
struct Spellings {
  const char *integer, *bigint, *smallint, *uuid, *text, *varchar_n, *varchar;
};

std::string spelled(const Spellings &sp, const KeyType &k) {
  const char *s = nullptr;
  switch (k.kind) {
    case KeyType::Integer:
      s = sp.integer;
      break;
    case KeyType::Bigint:
      s = sp.bigint;
      break;
    case KeyType::Smallint:
      s = sp.smallint;
      break;
    case KeyType::Uuid:
      s = sp.uuid;
      break;
    case KeyType::Text:
      s = sp.text;
      break;
    case KeyType::Varchar:
      s = k.length.empty() ? sp.varchar : sp.varchar_n;
      break;
    case KeyType::Other:
      break;
  }
  if (s == nullptr) return "";
  std::string out = s;
  size_t at = out.find("%n");
  if (at != std::string::npos) out.replace(at, 2, k.length);
  return out;
}

// ---- Names as string literals ----------------------------------------------

const char kHex[] = "0123456789abcdef";

void hex_escape(std::string &out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

bool has_control(std::string_view name) {
  for (char c : name)
    if ((unsigned char)c < 0x20 || c == 0x7f) return true;
  return false;
}

// Backslash escapes for a double-quoted string (or JS's '...'): the quote,
// the backslash, what else starts something (`also`), control characters.
std::string escaped(std::string_view name, char quote, const char *also) {
  std::string out(1, quote);
  for (size_t i = 0; i < name.size(); i++) {
    unsigned char c = (unsigned char)name[i];
    if (c == (unsigned char)quote || c == '\\' || (c != 0 && std::strchr(also, c) != nullptr)) {
      out += '\\';
      out += (char)c;
    } else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      hex_escape(out, c);
    else
      out += (char)c;
  }
  return out + quote;
}

// '...' with only \\ and \' escaped: Ruby's and PHP's single-quoted strings,
// which interpolate nothing but would hold a newline as it is.
std::string single_quoted(std::string_view name) {
  std::string out = "'";
  for (char c : name) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

bool plain_identifier(std::string_view name) {
  if (name.empty() || !(std::isalpha((unsigned char)name[0]) || name[0] == '_')) return false;
  for (char c : name)
    if (!(std::isalnum((unsigned char)c) || c == '_')) return false;
  return true;
}

}  // namespace

std::string js_string(std::string_view name) {
  if (name.empty()) return "...";
  std::string out = escaped(name, '\'', "");
  // U+2028 and U+2029 end a line in JavaScript before ES2019.
  for (size_t at; (at = out.find("\xe2\x80\xa8")) != std::string::npos;) out.replace(at, 3, "\\u2028");
  for (size_t at; (at = out.find("\xe2\x80\xa9")) != std::string::npos;) out.replace(at, 3, "\\u2029");
  return out;
}

std::string php_string(std::string_view name) {
  if (name.empty()) return "...";
  return has_control(name) ? escaped(name, '"', "$") : single_quoted(name);
}

std::string ruby_name(std::string_view name) {
  if (name.empty()) return "...";
  if (plain_identifier(name)) return ":" + std::string(name);
  return has_control(name) ? escaped(name, '"', "#") : single_quoted(name);
}

namespace {

// ---- The notes, one per tool ----------------------------------------------

std::string sequelize_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string t = spelled({"DataTypes.INTEGER", "DataTypes.BIGINT", "DataTypes.SMALLINT", "DataTypes.UUID",
                           "DataTypes.TEXT", "DataTypes.STRING(%n)", nullptr},
                          k);
  std::string with_type = t.empty() ? "a type that maps to " + k.sql : "type " + t;
  return "Sequelize v6 queryInterface.changeColumn() drops the type change when `references` is given and sends "
         "only ADD FOREIGN KEY. Where PostgreSQL converts the column without USING, call changeColumn() with " +
         with_type +
         " and no `references` first, then queryInterface.addConstraint() with type 'foreign key'; where it cannot "
         "(uuid to integer, text to integer), changeColumn() is refused even on an empty table: run the statements "
         "fix_plan() writes, which add the foreign key too, with queryInterface.sequelize.query().";
}

std::string typeorm_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string t = spelled({"{ type: 'integer' }", "{ type: 'bigint' }", "{ type: 'smallint' }", "{ type: 'uuid' }",
                           "{ type: 'text' }", "{ type: 'varchar', length: %n }", "{ type: 'varchar' }"},
                          k);
  std::string how = t.empty() ? "in its @Column" : "@Column(" + t + ")";
  return "TypeORM gives the join column the type of its @Column: declare it with the referenced primary key's "
         "type, " +
         k.sql + " (" + how + " next to @ManyToOne/@JoinColumn), then generate the migration again.";
}

std::string rails_note(const StatementShape &s, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string t =
      spelled({":integer", ":bigint", ":integer, limit: 2", ":uuid", ":text", ":string, limit: %n", ":string"}, k);
  std::string give = "Rails: give the reference the key's type, " + k.sql;
  std::string_view col = s.column;
  bool named = !s.table.empty() && !col.empty() && !s.referenced_table.empty() && !s.referenced_column.empty();
  if (t.empty())
    give += " (add_reference ... type:)";
  else if (!named)
    give += ": add_reference ..., type: " + t + ", foreign_key: true (or t.references ... type: " + t + ")";
  else if (col.size() > 3 && col.substr(col.size() - 3) == "_id" && s.referenced_column == "id") {
    // add_reference names the column <reference>_id and, given
    // foreign_key: true, the table after the reference's plural.
    std::string_view ref = col.substr(0, col.size() - 3);
    bool plural = s.referenced_table == std::string(ref) + "s";
    give += ": add_reference " + ruby_name(s.table) + ", " + ruby_name(ref) + ", type: " + t +
            ", foreign_key: " + (plural ? std::string("true") : "{ to_table: " + ruby_name(s.referenced_table) + " }") +
            " (or t.references ... type: " + t + ")";
  } else
    give += ": add_column " + ruby_name(s.table) + ", " + ruby_name(col) + ", " + t + ", then add_foreign_key " +
            ruby_name(s.table) + ", " + ruby_name(s.referenced_table) + ", column: " + ruby_name(col) +
            (s.referenced_column == "id" ? "" : ", primary_key: " + ruby_name(s.referenced_column));
  return give +
         "; for an existing column, change_column (with using: where the cast needs it) before add_foreign_key, or, "
         "where no cast exists, execute the statements fix_plan() writes.";
}

std::string django_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string field =
      spelled({"AutoField (DEFAULT_AUTO_FIELD = 'django.db.models.AutoField' for models that declare none)",
               "BigAutoField (DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField' for models that declare none)",
               "SmallAutoField", "UUIDField(primary_key=True)", "TextField(primary_key=True)",
               "CharField(max_length=%n, primary_key=True)", nullptr},
              k);
  if (field.empty()) field = "a field whose column is " + k.sql;
  return "Django gives a ForeignKey column the type of the field it points at, and the key is " + k.sql +
         ": declare the target model's primary key as " + field +
         ", or point to_field at a field of that type, then run makemigrations again.";
}

std::string alembic_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string t = spelled({"sa.Integer()", "sa.BigInteger()", "sa.SmallInteger()", "postgresql.UUID()", "sa.Text()",
                           "sa.String(%n)", "sa.String()"},
                          k);
  std::string type = t.empty() ? "a type that compiles to " + k.sql : t + " (" + k.sql + ")";
  return "Alembic (SQLAlchemy): give the column the key's type, " + type +
         ", in an op.alter_column(..., type_=...) before op.create_foreign_key() (with postgresql_using= where "
         "the cast needs it), and declare it so in the model before autogenerating; where no cast exists, run the "
         "statements fix_plan() writes with op.get_bind().exec_driver_sql() in the revision.";
}

std::string prisma_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string t = spelled({"Int", "BigInt", "Int @db.SmallInt", "String @db.Uuid", "String", "String @db.VarChar(%n)",
                           "String @db.VarChar"},
                          k);
  std::string type = t.empty() ? "a type that maps to " + k.sql : t + " (" + k.sql + ")";
  return "Prisma: declare the relation scalar field and the id it references with the same type, " + type +
         ", then run prisma migrate dev again.";
}

std::string hibernate_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string java = spelled({"an Integer", "a Long", "a Short", "a java.util.UUID", nullptr, nullptr, nullptr}, k);
  std::string how;
  if (!java.empty()) how = java + " id field, or ";
  how += k.plain ? "@JoinColumn(columnDefinition = \"" + k.sql + "\")" : "@JoinColumn(columnDefinition = ...)";
  return "Hibernate: map the join column with the referenced id's type, " + k.sql + " (" + how +
         "), before the schema is generated again.";
}

std::string knex_laravel_note(const StatementShape &s, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string js = js_string(s.column), php = php_string(s.column);
  std::string knex = spelled({"table.integer(%c)", "table.bigInteger(%c)", "table.smallint(%c)", "table.uuid(%c)",
                              "table.text(%c)", "table.string(%c, %n)", nullptr},
                             k);
  if (knex.empty() && k.plain) knex = "table.specificType(%c, '" + k.sql + "')";
  // After %n: a name may hold "%n".
  size_t at = knex.find("%c");
  if (at != std::string::npos) knex.replace(at, 2, js);
  std::string on = php_string(s.referenced_table);
  std::string laravel;
  if (k.kind == KeyType::Bigint || k.kind == KeyType::Uuid)
    laravel = std::string(k.kind == KeyType::Bigint ? "$table->foreignId(" : "$table->foreignUuid(") + php +
              ")->constrained(" + on +
              (s.referenced_column.empty() || s.referenced_column == "id" ? std::string()
                                                                          : ", " + php_string(s.referenced_column)) +
              ")";
  else {
    std::string column =
        spelled({"$table->integer(%c) (foreignId() would make bigint)", nullptr, "$table->smallInteger(%c)", nullptr,
                 "$table->text(%c)", "$table->string(%c, %n)", nullptr},
                k);
    at = column.find("%c");
    if (at != std::string::npos) column.replace(at, 2, php);
    laravel = (column.empty() ? "declare the column as " + k.sql : column) + ", then $table->foreign(" + php +
              ")->references(" + php_string(s.referenced_column) + ")->on(" + on + ")";
  }
  return "knex: declare the column as " + k.sql + (knex.empty() ? "" : " (" + knex + ")") +
         " before .foreign(); .alter() converts an existing one only where a cast exists, otherwise run the "
         "statements fix_plan() writes with knex.raw(). Laravel: " +
         laravel + ".";
}

std::string node_pg_migrate_note(const StatementShape &, const std::string &key_type) {
  KeyType k = key_type_of(key_type);
  std::string t = k.plain ? " (type: '" + k.sql + "')" : "";
  return "node-pg-migrate: declare the column as " + k.sql + t +
         " in pgm.addColumns() before pgm.addConstraint() or references; pgm.alterColumn() converts an existing "
         "one only where a cast exists (with using: where the cast needs it), otherwise run the statements "
         "fix_plan() writes with pgm.sql().";
}

// Each shape, tested in order; the first that matches speaks.
struct Row {
  ToolNote note;
  bool (*shape)(const StatementShape &);
};

const Row kTools[] = {
    {{"Sequelize", sequelize_note},
     [](const StatementShape &s) {
       return app_is(s, "sequelize") || matches(s.query, R"(^\s*ALTER TABLE "[^"]+"  ADD (FOREIGN KEY|CONSTRAINT))");
     }},
    {{"TypeORM", typeorm_note},
     [](const StatementShape &s) { return app_is(s, "typeorm") || matches(s.constraint, R"(^FK_[0-9a-f]{27}$)"); }},
    {{"Rails", rails_note},
     [](const StatementShape &s) { return app_is(s, "rails") || matches(s.constraint, R"(^fk_rails_[0-9a-f]{10}$)"); }},
    {{"Django", django_note},
     [](const StatementShape &s) {
       // <table>_<column>_<hash>_fk_<target table>_<target column>; when
       // AlterField adds a key back after changing the type of the key it
       // points at, only <table>_<column>_<hash>_fk.
       return app_is(s, "django") || matches(s.constraint, R"(^[a-z0-9_]+_[0-9a-f]{8}_fk(_[a-z0-9_]+)?$)");
     }},
    // SQLAlchemy's DDL compiler: "FOREIGN KEY(" with no space, names quoted
    // only where they must be, a space before the referenced columns:
    // ADD [CONSTRAINT name ]FOREIGN KEY(user_id) REFERENCES users (id).
    {{"Alembic", alembic_note},
     [](const StatementShape &s) {
       return app_is(s, "alembic") ||
              matches_case(s.query, R"(^ALTER TABLE \S+ ADD (CONSTRAINT \S+ )?FOREIGN KEY\([^)]+\) REFERENCES \S+ \()");
     }},
    {{"Prisma", prisma_note},
     [](const StatementShape &s) {
       return app_is(s, "prisma") ||
              (matches(s.query,
                       R"(ADD CONSTRAINT "[^"]+_fkey" FOREIGN KEY \("[^"]+"\) REFERENCES "[^"]+"\("[^"]+"\))") &&
               matches(s.query, R"(ON DELETE (RESTRICT|SET NULL|CASCADE) ON UPDATE CASCADE)"));
     }},
    // "FK" + an MD5 in base 35 (NamingHelper.hashedName: BigInteger.toString(35),
    // digits 0-9a-y, no leading zeros): 25 digits for 96.6% of names, 24 for
    // 3.3%, fewer below 20 for 1 in 1.5 billion.
    {{"Hibernate", hibernate_note},
     [](const StatementShape &s) {
       return app_is(s, "hibernate") || matches(s.constraint, R"(^FK[1-9a-y][0-9a-y]{19,24}$)");
     }},
    {{"knex or Laravel", knex_laravel_note},
     [](const StatementShape &s) {
       return app_is(s, "knex") || app_is(s, "laravel") || matches(s.constraint, R"(^[A-Za-z0-9_]+_foreign$)");
     }},
    {{"node-pg-migrate", node_pg_migrate_note},
     [](const StatementShape &s) { return app_is(s, "node-pg-migrate") || node_pg_migrate_default_name(s); }},
};

// How each tool converts a column's type, for conversions no cast can do.
std::string knex_cast_note(const StatementShape &, const std::string &) {
  return "knex's .alter() converts with USING (\"column\"::type), and no cast can do this one: write the migration "
         "with knex.raw() running the statements fix_plan() writes, or drop the column and add it again if its data "
         "can go.";
}

std::string django_cast_note(const StatementShape &, const std::string &) {
  return "Django's AlterField converts with USING column::type, and no cast can do this one: add a field of the new "
         "type, fill it in a data migration (migrations.RunSQL with the statements fix_plan() writes, or RunPython), "
         "then remove the old field and rename the new one.";
}

std::string sequelize_cast_note(const StatementShape &, const std::string &) {
  return "Sequelize's changeColumn() converts without USING, and no cast can do this one: run the statements "
         "fix_plan() writes with queryInterface.sequelize.query() in the migration instead.";
}

std::string rails_cast_note(const StatementShape &, const std::string &) {
  return "Rails: run the statements fix_plan() writes with execute in the migration; change_column ..., using: "
         "cannot look values up in another table.";
}

std::string alembic_cast_note(const StatementShape &, const std::string &) {
  return "Alembic's op.alter_column() converts with USING only when given postgresql_using=, and no cast can do "
         "this one: run the statements fix_plan() writes with op.get_bind().exec_driver_sql() in the revision "
         "instead.";
}

std::string doctrine_cast_note(const StatementShape &, const std::string &) {
  return "Laravel's ->change() and Doctrine Migrations convert through Doctrine DBAL without USING, and no cast can "
         "do this one: run the statements fix_plan() writes in the migration instead, with DB::unprepared() "
         "(Doctrine Migrations: $this->addSql()).";
}

const Row kCastTools[] = {
    {{"knex", knex_cast_note},
     [](const StatementShape &s) {
       return app_is(s, "knex") ||
              matches_case(s.query, R"re(alter table "[^"]+" alter column "([^"]+)" type [^;]+ using \("\1"::)re");
     }},
    {{"Django", django_cast_note},
     [](const StatementShape &s) {
       return app_is(s, "django") ||
              matches_case(s.query, R"re(ALTER TABLE "[^"]+" ALTER COLUMN "([^"]+)" TYPE [^;]+ USING "\1"::)re");
     }},
    // Doctrine DBAL's PostgreSQL platform (Laravel's ->change(), Doctrine
    // Migrations): ALTER without COLUMN, names quoted only when reserved,
    // the type in upper case, no USING.
    {{"Laravel or Doctrine", doctrine_cast_note},
     [](const StatementShape &s) {
       return app_is(s, "laravel") || app_is(s, "doctrine") ||
              matches_case(
                  s.query,
                  R"re(^ALTER TABLE ("[^"]+"|\w+)(\.("[^"]+"|\w+))? ALTER ("[^"]+"|\w+) TYPE [A-Z][A-Z0-9_ ]*(\([0-9, ]+\))?\s*;?\s*$)re");
     }},
    {{"Sequelize", sequelize_cast_note},
     [](const StatementShape &s) {
       return app_is(s, "sequelize") ||
              matches_case(
                  s.query,
                  R"(ALTER COLUMN "[^"]+" (DROP|SET) DEFAULT[^;]*;ALTER TABLE [^;]+ ALTER COLUMN "[^"]+" TYPE )");
     }},
    // Active Record's change_column (6.1, 7): every name quoted, the type as
    // the adapter writes it (lower case), no USING unless the migration gives
    // using:, other changes to the column after a comma.
    {{"Rails", rails_cast_note},
     [](const StatementShape &s) {
       return app_is(s, "rails") ||
              matches_case(
                  s.query,
                  R"re(^ALTER TABLE "[^"]+"(\."[^"]+")? ALTER COLUMN "[^"]+" TYPE [a-z][a-z0-9_ ]*(\([0-9, ]+\))?(\[\])?(, ALTER COLUMN "[^"]+" (SET|DROP) [^;]*)?\s*;?\s*$)re");
     }},
    // SQLAlchemy's ALTER COLUMN: the type in capitals, then a space at the end
    // or its postgresql_using expression: TYPE INTEGER , TYPE INTEGER USING ...
    {{"Alembic", alembic_cast_note},
     [](const StatementShape &s) {
       return app_is(s, "alembic") ||
              matches_case(s.query,
                           R"(^ALTER TABLE \S+ ALTER COLUMN \S+ TYPE [A-Z][A-Z0-9_ ]*(\([0-9, ]+\))?( $| USING ))");
     }},
};

}  // namespace

const ToolNote *recognise_cast_tool(const StatementShape &s) {
  for (const Row &r : kCastTools)
    if (r.shape(s)) return &r.note;
  return nullptr;
}

const ToolNote *recognise_tool(const StatementShape &s) {
  for (const Row &r : kTools)
    if (r.shape(s)) return &r.note;
  return nullptr;
}

std::string tool_note_for(const StatementShape &s, const std::string &key_type) {
  const ToolNote *note = recognise_tool(s);
  return note ? note->note(s, key_type) : std::string(generic_tool_note());
}

const char *generic_tool_note() {
  return "Some migration tools' change-column helpers drop the type change when a reference is given and send "
         "only ADD FOREIGN KEY: change the column's type in a step of its own first.";
}

}  // namespace fkg
