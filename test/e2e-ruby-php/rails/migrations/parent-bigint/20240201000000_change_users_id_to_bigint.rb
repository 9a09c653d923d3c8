# users.id becomes a bigint; the referencing columns are left as they are.
class ChangeUsersIdToBigint < ActiveRecord::Migration[6.1]
  def up
    change_column :users, :id, :bigint
  end

  def down
    change_column :users, :id, :integer
  end
end
