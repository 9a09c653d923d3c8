# The story: make sessions.user_id an integer that references users.id,
# the way the Rails guides write it for an existing column.
class SessionsUserIdReferencesUsers < ActiveRecord::Migration[6.1]
  def change
    change_column :sessions, :user_id, :integer
    add_foreign_key :sessions, :users
  end
end
