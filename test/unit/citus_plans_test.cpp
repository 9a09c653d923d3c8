// The diagnostic functions' decisions for Citus tables (citus_plans.hpp),
// which the extension and pg-fk-guard both take from here.
#include <gtest/gtest.h>

#include <string>

#include "citus_plans.hpp"
#include "pair_text.hpp"

namespace fkg {
namespace {

FixPlanFacts text_to_integer() {
  FixPlanFacts f;
  f.table_q = "public.named";
  f.column_q = "tenant_id";
  f.referenced_table_q = "public.tenants";
  f.referenced_column_q = "id";
  f.source_type = "text";
  f.target_type = "integer";
  f.source_base = "text";
  f.target_base = "integer";
  f.source_category = 'S';
  f.target_category = 'N';
  f.add = "named_tenant_id_fkey";
  f.conversion = "tenant_id::integer";
  f.guarded_conversion = "tenant_id::integer";
  return f;
}

citus_plans::FixFacts distributed(bool distribution_column) {
  citus_plans::FixFacts c;
  c.kind = citus_rules::Table::Distributed;
  c.distribution_column = distribution_column;
  c.dist_column = "tenant_id";
  c.colocate_with = distribution_column ? "public.tenants" : "";
  c.referenced_distributed = true;
  c.shard_count = 4;
  c.keys.push_back({"public.named", "named_other_fkey", "FOREIGN KEY (tenant_c) REFERENCES public.c_tenants(id)"});
  return c;
}

TEST(CitusPlans, RefusalRowOfDiagnose) {
  citus_rules::Refusal r{0, "cannot create foreign key constraint", "Citus's detail.", "Do this.",
                         "citus_not_colocated"};
  EXPECT_EQ(citus_plans::refusal_detail(r), "Citus: cannot create foreign key constraint. Citus's detail.");
  EXPECT_EQ(citus_plans::refusal_fix(r), "-- Do this.\n-- Statements: (none)\n");
}

TEST(CitusPlans, AColumnOtherThanTheDistributionColumnIsConvertedInPlace) {
  PlanInput in = fix_plan_input(text_to_integer());
  citus_plans::plan_fix(distributed(false), false, &in);
  EXPECT_EQ(in.citus.kind, citus_rules::Table::Distributed);
  EXPECT_FALSE(in.citus.redistribute);
  EXPECT_TRUE(in.citus.keys.empty());
}

TEST(CitusPlans, TheDistributionColumnIsConvertedOnAPostgreSQLTable) {
  FixPlanFacts f = text_to_integer();
  f.kept = "named_tenant_id_fkey";
  PlanInput in = fix_plan_input(f);
  citus_plans::FixFacts c = distributed(true);
  c.keys.push_back(
      {"public.named", "named_tenant_id_fkey", "FOREIGN KEY (tenant_id) REFERENCES public.tenants(id)", true, false});
  citus_plans::plan_fix(c, false, &in);
  ASSERT_TRUE(in.citus.redistribute);
  EXPECT_EQ(in.citus.reason, "Citus cannot change the type of its distribution column tenant_id");
  EXPECT_EQ(citus_rules::distribute_again_sql(*in.citus.redistribute),
            "SELECT create_distributed_table('public.named', 'tenant_id', colocate_with => 'public.tenants')");
  ASSERT_EQ(in.citus.keys.size(), 2u);
  EXPECT_FALSE(in.kept_constraint) << "the key on the pair is dropped and added again, not rebuilt";
  const std::string plan = write_fix_plan(in);
  EXPECT_NE(plan.find("SELECT undistribute_table('public.named');"), std::string::npos) << plan;
  EXPECT_NE(plan.find("ALTER TABLE public.named DROP CONSTRAINT named_other_fkey;"), std::string::npos) << plan;
}

TEST(CitusPlans, RefusalsWithTheirSqlstates) {
  PlanInput in = fix_plan_input(text_to_integer());
  citus_plans::FixFacts c = distributed(true);
  c.keys.push_back(
      {"public.tasks", "tasks_named_fkey", "FOREIGN KEY (x) REFERENCES public.named(tenant_id)", false, true});
  try {
    citus_plans::plan_fix(c, false, &in);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.sqlstate, "0A000");
    EXPECT_STREQ(e.what(), "no fix plan can convert public.named.tenant_id while other foreign keys reference it");
  }
  c = distributed(true);
  c.too_many = true;
  PlanInput again = fix_plan_input(text_to_integer());
  try {
    citus_plans::plan_fix(c, false, &again);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.sqlstate, "54000");
  }
}

TEST(CitusPlans, TheStandInForConvertsIsSaidNotToRunOnTheOtherNodes) {
  FixPlanFacts f = text_to_integer();
  f.converts_helper = true;
  PlanInput in = fix_plan_input(f);
  citus_plans::plan_fix(distributed(false), false, &in);
  const std::string note = "On Citus without pg_fk_guard this script cannot run as written";
  EXPECT_NE(write_fix_plan(in).find(note), std::string::npos);
  // distributed again with the keys copied: every step that calls it reads a PostgreSQL table
  PlanInput local = fix_plan_input(f);
  citus_plans::plan_fix(distributed(true), false, &local);
  EXPECT_EQ(write_fix_plan(local).find(note), std::string::npos);
  // the extension's own function exists on every node
  PlanInput ext = fix_plan_input(text_to_integer());
  citus_plans::plan_fix(distributed(false), false, &ext);
  EXPECT_EQ(write_fix_plan(ext).find(note), std::string::npos);
}

TEST(CitusPlans, KeyPlanDistributesAgainWhatChangesADistributionColumn) {
  KeyPlanInput in;
  in.table = sql::Ident::checked("public.tenants");
  in.column = sql::Ident::checked("id");
  std::vector<citus_plans::KeyTable> tables(3);
  tables[0] = {citus_rules::Table::Distributed, "public.tenants", "id", true, 7, 4, 100};
  tables[1] = {citus_rules::Table::Distributed, "public.tasks", "tenant_id", true, 9, 4, 101};
  tables[2] = {citus_rules::Table::Reference, "public.ref_items", "", false, 0, 1, 102};
  std::vector<size_t> done = citus_plans::plan_key(tables, false, &in);
  ASSERT_EQ(done, (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(in.citus.involved);
  ASSERT_EQ(in.citus.redistribute.size(), 2u);
  EXPECT_EQ(in.citus.redistribute[0].colocate_with, "default");
  EXPECT_EQ(in.citus.redistribute[1].colocate_with, "public.tenants");
  citus_plans::add_other_keys(
      {{"public.tasks", "tasks_plan_id_fkey", "FOREIGN KEY (plan_id) REFERENCES public.plans(id)"}}, false, &in);
  ASSERT_EQ(in.citus.other_keys.size(), 1u);
  EXPECT_THROW(citus_plans::add_other_keys({}, true, &in), PlanRefused);
  // no distribution column changes and no map: Citus converts in place
  KeyPlanInput in_place;
  tables[0].column_is_distribution = tables[1].column_is_distribution = false;
  EXPECT_TRUE(citus_plans::plan_key(tables, false, &in_place).empty());
  EXPECT_TRUE(in_place.citus.involved);
  EXPECT_TRUE(in_place.citus.redistribute.empty());
  // the map function exists on the coordinator only: every Citus table, once
  KeyPlanInput mapped;
  tables.push_back(tables[1]);
  EXPECT_EQ(citus_plans::plan_key(tables, true, &mapped), (std::vector<size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace fkg
