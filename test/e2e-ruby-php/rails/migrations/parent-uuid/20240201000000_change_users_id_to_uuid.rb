# users.id becomes a uuid; the referencing columns are left as they are.
class ChangeUsersIdToUuid < ActiveRecord::Migration[6.1]
  def up
    change_column :users, :id, :uuid
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
