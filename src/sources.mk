# The module's source files: the one list that both the Makefile (PGXS) and
# CMakeLists.txt read. Adding a source file is one line here, nothing else.
# One file per line, in the form "FKG_<LAYER>_SOURCES += path".
#
# src/core: pure logic, no PostgreSQL header (CMake builds it without
# PostgreSQL's include directories; the unit tests link it).
FKG_CORE_SOURCES += src/core/verdict.cpp
FKG_CORE_SOURCES += src/core/tool_notes.cpp
FKG_CORE_SOURCES += src/core/sql_writer.cpp
FKG_CORE_SOURCES += src/core/fix_writer.cpp
FKG_CORE_SOURCES += src/core/key_plan.cpp
FKG_CORE_SOURCES += src/core/key_plan_online.cpp
FKG_CORE_SOURCES += src/core/naming.cpp
FKG_CORE_SOURCES += src/core/hygiene.cpp
FKG_CORE_SOURCES += src/core/statement_rules.cpp
FKG_CORE_SOURCES += src/core/input_check.cpp
FKG_CORE_SOURCES += src/core/key_set.cpp
FKG_CORE_SOURCES += src/core/citus_rules.cpp
FKG_CORE_SOURCES += src/core/citus_plans.cpp
FKG_CORE_SOURCES += src/core/guard_text.cpp
FKG_CORE_SOURCES += src/core/pair_text.cpp
FKG_CORE_SOURCES += src/core/key_plan_rules.cpp
FKG_CORE_SOURCES += src/core/explain_text.cpp
FKG_CORE_SOURCES += src/core/trust_sql.cpp
#
# src/pg: the PostgreSQL side (catalog, executor, event triggers, SQL entry points).
FKG_PG_SOURCES += src/pg/boundary.cpp
FKG_PG_SOURCES += src/pg/citus.cpp
FKG_PG_SOURCES += src/pg/pair_facts.cpp
FKG_PG_SOURCES += src/pg/catalog_scan.cpp
FKG_PG_SOURCES += src/pg/catalog_cache.cpp
FKG_PG_SOURCES += src/pg/catalog_pairs.cpp
FKG_PG_SOURCES += src/pg/render.cpp
FKG_PG_SOURCES += src/pg/profile.cpp
FKG_PG_SOURCES += src/pg/trust.cpp
FKG_PG_SOURCES += src/pg/diagnose.cpp
FKG_PG_SOURCES += src/pg/fix_plan.cpp
FKG_PG_SOURCES += src/pg/key_plan.cpp
FKG_PG_SOURCES += src/pg/functions.cpp
FKG_PG_SOURCES += src/pg/explain.cpp
FKG_PG_SOURCES += src/pg/hygiene.cpp
FKG_PG_SOURCES += src/pg/ignore_list.cpp
FKG_PG_SOURCES += src/pg/guard_collect.cpp
FKG_PG_SOURCES += src/pg/guard_data.cpp
FKG_PG_SOURCES += src/pg/guard_cast.cpp
FKG_PG_SOURCES += src/pg/guard_dropped.cpp
FKG_PG_SOURCES += src/pg/guard_hygiene.cpp
FKG_PG_SOURCES += src/pg/guard.cpp
FKG_PG_SOURCES += src/pg/settings.cpp
FKG_PG_SOURCES += src/pg/module.cpp
