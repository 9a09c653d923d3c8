#include <gtest/gtest.h>

#include "../../src/core/citus_rules.hpp"

using namespace fkg::citus_rules;

namespace {

Side distributed(const std::string &table, const std::string &column, const std::string &type, unsigned coloc,
                 int position) {
  return Side{Table::Distributed, table, column, type, position, coloc};
}

Side of_kind(Table kind, const std::string &table) { return Side{kind, table, "", "", -1, 0}; }

}  // namespace

TEST(CitusRules, DistributedToReferenceIsAccepted) {
  Key k{distributed("orders", "tenant", "integer", 1, -1), of_kind(Table::Reference, "plans")};
  EXPECT_FALSE(check(k).has_value());
}

TEST(CitusRules, ColocatedOnTheDistributionColumnIsAccepted) {
  Key k{distributed("orders", "tenant", "integer", 1, 0), distributed("accounts", "tenant", "integer", 1, 0)};
  EXPECT_FALSE(check(k).has_value());
}

TEST(CitusRules, DistributionColumnTypesThatCanNeverBeColocated) {
  Key k{distributed("orders", "account_id", "integer", 1, 0), distributed("accounts", "id", "bigint", 2, 0)};
  auto r = check(k);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->message,
            "cannot create foreign key constraint since relations are not colocated or not referencing a reference "
            "table");
  EXPECT_NE(r->hint.find("orders.\"account_id\" is integer and accounts.\"id\" is bigint"), std::string::npos);
  EXPECT_NE(r->hint.find("SELECT undistribute_table('orders'); ALTER TABLE orders ALTER COLUMN \"account_id\" "
                         "TYPE bigint; SELECT create_distributed_table('orders', 'account_id', colocate_with => "
                         "'accounts')"),
            std::string::npos);
}

TEST(CitusRules, SameTypesNotColocatedProposesColocation) {
  Key k{distributed("orders", "account_id", "bigint", 1, 0), distributed("accounts", "id", "bigint", 2, 0)};
  auto r = check(k);
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->hint.find("alter_distributed_table('orders', colocate_with => 'accounts')"), std::string::npos);
}

TEST(CitusRules, KeyWithoutTheDistributionColumnInTheSamePosition) {
  Key k{distributed("orders", "tenant", "integer", 1, 1), distributed("accounts", "tenant", "integer", 1, 0)};
  auto r = check(k);
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->detail.find("partition column in the same ordinal"), std::string::npos);
  k.referencing.dist_position = -1;
  EXPECT_TRUE(check(k).has_value());
  k.referencing.dist_position = 0;
  EXPECT_FALSE(check(k).has_value());
}

TEST(CitusRules, ReferenceOrLocalToDistributedIsRefused) {
  for (Table t : {Table::Reference, Table::Local}) {
    Key k{of_kind(t, "plans"), distributed("accounts", "id", "bigint", 2, -1)};
    auto r = check(k);
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(r->message.find("from reference tables and local tables to distributed tables"), std::string::npos);
  }
  Key ok{of_kind(Table::Reference, "plans"), of_kind(Table::Local, "notes")};
  EXPECT_FALSE(check(ok).has_value());
}

TEST(CitusRules, DistributedToLocalIsRefused) {
  Key k{distributed("orders", "tenant", "integer", 1, -1), of_kind(Table::Local, "notes")};
  auto r = check(k);
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->hint.find("create_reference_table('notes')"), std::string::npos);
}

TEST(CitusRules, SetNullOrDefaultOnTheDistributionColumn) {
  Key k{distributed("orders", "tenant", "integer", 1, 0), distributed("accounts", "tenant", "integer", 1, 0)};
  for (char a : {'n', 'd'}) {
    k.on_delete = a;
    auto r = check(k);
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(r->detail.find("ON DELETE"), std::string::npos);
  }
  k.on_delete = 'c';
  EXPECT_FALSE(check(k).has_value());
  k.on_update = 'c';
  ASSERT_TRUE(check(k).has_value());
  EXPECT_NE(check(k)->detail.find("ON UPDATE"), std::string::npos);
  // Not on the distribution column: a reference table's key may set NULL.
  Key ref{distributed("orders", "tenant", "integer", 1, -1), of_kind(Table::Reference, "plans")};
  ref.on_delete = 'n';
  EXPECT_FALSE(check(ref).has_value());
}

TEST(CitusRules, PlainTables) {
  Key plain{of_kind(Table::Plain, "a"), distributed("accounts", "id", "bigint", 2, -1)};
  EXPECT_FALSE(check(plain).has_value());
  Key to_plain{distributed("orders", "tenant", "integer", 1, -1), of_kind(Table::Plain, "b")};
  auto r = check(to_plain);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->message, "referenced table \"b\" must be a distributed table or a reference table");
  Key self{distributed("orders", "tenant", "integer", 1, 0), distributed("orders", "tenant", "integer", 1, 0)};
  self.self = true;
  EXPECT_FALSE(check(self).has_value());
}

TEST(CitusRules, HostileNamesStayQuoted) {
  Key k{distributed("\"o'rders\"", "a\"b", "integer", 1, 0), distributed("accounts", "id", "bigint", 2, 0)};
  auto r = check(k);
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->hint.find("undistribute_table('\"o''rders\"')"), std::string::npos);
  EXPECT_NE(r->hint.find("ALTER COLUMN \"a\"\"b\" TYPE bigint"), std::string::npos);
  // Not a quoted identifier: no script.
  k.referencing.table = "bad name";
  EXPECT_EQ(check(k)->hint.find("undistribute_table"), std::string::npos);
}

TEST(CitusRules, ChangeDistributionColumn) {
  EXPECT_EQ(change_distribution_column("logs.\"Orders\"", "acc\"t",
                                       "ALTER TABLE logs.\"Orders\" ALTER COLUMN x TYPE bigint", "default"),
            "SELECT undistribute_table('logs.\"Orders\"'); ALTER TABLE logs.\"Orders\" ALTER COLUMN x TYPE bigint; "
            "SELECT create_distributed_table('logs.\"Orders\"', 'acc\"t', colocate_with => 'default')");
  EXPECT_EQ(change_distribution_column("not quoted", "a", "ALTER", "default"), "");
}

TEST(CitusRules, DistributeAgain) {
  Redistribution r;
  r.kind = Table::Distributed;
  r.table = "logs.\"Orders\"";
  r.column = "acc't";
  r.colocate_with = "default";
  r.shard_count = 8;
  EXPECT_EQ(undistribute_sql(r), "SELECT undistribute_table('logs.\"Orders\"')");
  EXPECT_EQ(
      distribute_again_sql(r),
      "SELECT create_distributed_table('logs.\"Orders\"', 'acc''t', colocate_with => 'default', shard_count => 8)");
  r.colocate_with = "logs.accounts";
  EXPECT_EQ(distribute_again_sql(r),
            "SELECT create_distributed_table('logs.\"Orders\"', 'acc''t', colocate_with => 'logs.accounts')");
  r.kind = Table::Reference;
  EXPECT_EQ(distribute_again_sql(r), "SELECT create_reference_table('logs.\"Orders\"')");
  r.kind = Table::Local;
  EXPECT_EQ(distribute_again_sql(r), "SELECT citus_add_local_table_to_metadata('logs.\"Orders\"')");
  r.kind = Table::Plain;
  EXPECT_THROW(distribute_again_sql(r), std::invalid_argument);
  r.kind = Table::Distributed;
  r.table = "not quoted";
  EXPECT_THROW(undistribute_sql(r), std::invalid_argument);
}

TEST(CitusRules, KindsForDiagnose) {
  Key types{distributed("orders", "account_id", "integer", 1, 0), distributed("accounts", "id", "bigint", 2, 0)};
  EXPECT_EQ(check(types)->kind, "citus_distribution_type");
  Key coloc{distributed("orders", "account_id", "bigint", 1, 0), distributed("accounts", "id", "bigint", 2, 0)};
  EXPECT_EQ(check(coloc)->kind, "citus_not_colocated");
  Key position{distributed("items", "tenant", "bigint", 1, 1), distributed("orders", "tenant", "bigint", 1, 0)};
  EXPECT_EQ(check(position)->kind, "citus_distribution_column");
  Key action{distributed("items", "tenant", "bigint", 1, 0), distributed("orders", "tenant", "bigint", 1, 0)};
  action.on_delete = 'n';
  EXPECT_EQ(check(action)->kind, "citus_referential_action");
  Key from_ref{of_kind(Table::Reference, "plans"), distributed("orders", "tenant", "bigint", 1, 0)};
  EXPECT_EQ(check(from_ref)->kind, "citus_reference_to_distributed");
  Key to_local{distributed("orders", "tenant", "bigint", 1, -1), of_kind(Table::Local, "notes")};
  EXPECT_EQ(check(to_local)->kind, "citus_distributed_to_local");
  Key to_plain{distributed("orders", "tenant", "bigint", 1, -1), of_kind(Table::Plain, "codes")};
  EXPECT_EQ(check(to_plain)->kind, "citus_referenced_not_distributed");
}

// Types are compared as Citus compares them, by oid: a domain over bigint is
// not bigint even if a name said so, varchar(10) and varchar(20) are one type.
TEST(CitusRules, DistributionTypesComparedByOid) {
  Side domain = distributed("usage", "tenant_id", "bigint", 1, 0);
  domain.dist_type_oid = 16400;  // a domain, whatever its name prints as
  Side base = distributed("tenants", "id", "bigint", 2, 0);
  base.dist_type_oid = 20;
  EXPECT_FALSE(same_distribution_type(domain, base));
  EXPECT_EQ(check(Key{domain, base})->kind, "citus_distribution_type");
  Side short_text = distributed("uses", "code", "character varying(10)", 1, 0);
  Side long_text = distributed("codes", "code", "character varying(20)", 2, 0);
  short_text.dist_type_oid = long_text.dist_type_oid = 1043;
  short_text.dist_collation_oid = long_text.dist_collation_oid = 100;
  EXPECT_TRUE(same_distribution_type(short_text, long_text));
  EXPECT_EQ(check(Key{short_text, long_text})->kind, "citus_not_colocated");
  long_text.dist_collation_oid = 950;  // "C"
  EXPECT_FALSE(same_distribution_type(short_text, long_text));
}
