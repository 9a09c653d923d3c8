# accounts gets Rails' default key, bigint (bigserial); orders.account_id
# was declared an integer.
class CreateAccountsAndOrders < ActiveRecord::Migration[6.1]
  def change
    create_table :accounts do |t|
      t.text :name
    end
    create_table :orders do |t|
      t.integer :account_id
    end
  end
end
