# users.id is an integer (serial); sessions.user_id was created as a uuid
# back when users had uuid keys (users.legacy_uuid still holds them).
class CreateUsersAndSessions < ActiveRecord::Migration[6.1]
  def change
    create_table :users, id: :serial do |t|
      t.text :email, null: false
      t.uuid :legacy_uuid, index: { unique: true }
    end
    create_table :sessions, id: false do |t|
      t.string :sid, primary_key: true
      t.uuid :user_id
      t.datetime :expires_at
    end
  end
end
