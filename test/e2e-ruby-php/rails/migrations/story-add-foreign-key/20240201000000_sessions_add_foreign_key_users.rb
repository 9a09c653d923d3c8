# The story with the type change forgotten: only the foreign key.
class SessionsAddForeignKeyUsers < ActiveRecord::Migration[6.1]
  def change
    add_foreign_key :sessions, :users
  end
end
