#include "tool_notes.hpp"

#include <cctype>
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

// Each shape, tested in order; the first that matches speaks.
struct Row {
  ToolNote note;
  bool (*shape)(const StatementShape &);
};

const Row kTools[] = {
    {{"Sequelize",
      "Sequelize v6 queryInterface.changeColumn() drops the type change when `references` is given and sends only "
      "ADD FOREIGN KEY: call changeColumn() with the new type and no `references` first, then "
      "queryInterface.addConstraint() with type 'foreign key'."},
     [](const StatementShape &s) {
       return app_is(s, "sequelize") || matches(s.query, R"(^\s*ALTER TABLE "[^"]+"  ADD (FOREIGN KEY|CONSTRAINT))");
     }},
    {{"TypeORM",
      "TypeORM gives the join column the type of its @Column: declare it with the referenced primary key's type "
      "(for example @Column({ type: 'uuid' }) next to @ManyToOne/@JoinColumn), then generate the migration again."},
     [](const StatementShape &s) { return app_is(s, "typeorm") || matches(s.constraint, R"(^FK_[0-9a-f]{27}$)"); }},
    {{"Rails",
      "Rails: give the reference the key's type, for example add_reference :sessions, :user, type: :uuid, "
      "foreign_key: true (or t.references ... type: :uuid), or change_column before add_foreign_key."},
     [](const StatementShape &s) { return app_is(s, "rails") || matches(s.constraint, R"(^fk_rails_[0-9a-f]{10}$)"); }},
    {{"Django",
      "Django gives a ForeignKey column the type of the target's primary key: change that primary key's field (or "
      "DEFAULT_AUTO_FIELD), or point to_field at a column of the right type, then run makemigrations again."},
     [](const StatementShape &s) {
       return app_is(s, "django") || matches(s.constraint, R"(^[a-z0-9_]+_[0-9a-f]{8}_fk_[a-z0-9_]+$)");
     }},
    {{"Prisma",
      "Prisma: give the relation scalar field the native type of the referenced id on both models, for example "
      "@db.Uuid, then run prisma migrate dev again."},
     [](const StatementShape &s) {
       return app_is(s, "prisma") ||
              (matches(s.query,
                       R"(ADD CONSTRAINT "[^"]+_fkey" FOREIGN KEY \("[^"]+"\) REFERENCES "[^"]+"\("[^"]+"\))") &&
               matches(s.query, R"(ON DELETE (RESTRICT|SET NULL|CASCADE) ON UPDATE CASCADE)"));
     }},
    {{"Hibernate",
      "Hibernate: map the join column with the referenced id's type (the id field's Java type, or "
      "@JoinColumn(columnDefinition = ...)) before the schema is generated again."},
     [](const StatementShape &s) { return app_is(s, "hibernate") || matches(s.constraint, R"(^FK[0-9a-z]{25}$)"); }},
    {{"knex or Laravel",
      "knex: declare the column with the key's type (table.uuid('userId') or table.integer('userId'), .alter() "
      "for an existing one) before .foreign(); Laravel: use foreignUuid() or foreignId() to match the key."},
     [](const StatementShape &s) {
       return app_is(s, "knex") || app_is(s, "laravel") || matches(s.constraint, R"(^[A-Za-z0-9_]+_foreign$)");
     }},
    {{"node-pg-migrate",
      "node-pg-migrate: declare the column with the key's type in pgm.addColumns()/pgm.alterColumn() (for example "
      "type: 'uuid') before pgm.addConstraint() or references."},
     [](const StatementShape &s) {
       return app_is(s, "node-pg-migrate") || matches(s.constraint, R"(^[A-Za-z0-9_]+_fk_[A-Za-z0-9_]+$)");
     }},
};

// How each tool converts a column's type, for conversions no cast can do.
const Row kCastTools[] = {
    {{"knex",
      "knex's .alter() converts with USING (\"column\"::type), and no cast can do this one: write the migration "
      "with knex.raw() running the statements fix_plan() writes, or drop the column and add it again if its data "
      "can go."},
     [](const StatementShape &s) {
       return app_is(s, "knex") ||
              matches_case(s.query, R"re(alter table "[^"]+" alter column "([^"]+)" type [^;]+ using \("\1"::)re");
     }},
    {{"Django",
      "Django's AlterField converts with USING column::type, and no cast can do this one: add a field of the new "
      "type, fill it in a data migration (migrations.RunSQL with the statements fix_plan() writes, or RunPython), "
      "then remove the old field and rename the new one."},
     [](const StatementShape &s) {
       return app_is(s, "django") ||
              matches_case(s.query, R"re(ALTER TABLE "[^"]+" ALTER COLUMN "([^"]+)" TYPE [^;]+ USING "\1"::)re");
     }},
    {{"Sequelize",
      "Sequelize's changeColumn() converts without USING, and no cast can do this one: run the statements "
      "fix_plan() writes with queryInterface.sequelize.query() in the migration instead."},
     [](const StatementShape &s) {
       return app_is(s, "sequelize") ||
              matches_case(
                  s.query,
                  R"(ALTER COLUMN "[^"]+" (DROP|SET) DEFAULT[^;]*;ALTER TABLE [^;]+ ALTER COLUMN "[^"]+" TYPE )");
     }},
    {{"Rails",
      "Rails: run the statements fix_plan() writes with execute in the migration; change_column ..., using: "
      "cannot look values up in another table."},
     [](const StatementShape &s) { return app_is(s, "rails"); }},
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

const char *generic_tool_note() {
  return "Some migration tools' change-column helpers drop the type change when a reference is given and send "
         "only ADD FOREIGN KEY: change the column's type in a step of its own first.";
}

}  // namespace fkg
