# A soft mismatch PostgreSQL accepts: integer referencing bigint.
class OrdersAddForeignKeyAccounts < ActiveRecord::Migration[6.1]
  def change
    add_foreign_key :orders, :accounts
  end
end
