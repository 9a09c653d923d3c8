# add_reference makes a bigint column unless told otherwise: here the key
# it references is a uuid.
class AddAccountToAccountSessions < ActiveRecord::Migration[6.1]
  def change
    add_reference :account_sessions, :account, foreign_key: true
  end
end
