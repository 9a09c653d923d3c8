# accounts has uuid keys; sessions has three rows and no reference yet.
class CreateAccountsWithUuidKeys < ActiveRecord::Migration[6.1]
  def change
    create_table :accounts, id: :uuid do |t|
      t.text :name
    end
    create_table :account_sessions, id: false do |t|
      t.string :sid, primary_key: true
    end
    execute "INSERT INTO account_sessions (sid) VALUES ('s1'), ('s2'), ('s3')"
  end
end
