# users.id is an integer (serial); three tables reference it with integer
# columns.
class CreateUsersAndReferencingTables < ActiveRecord::Migration[6.1]
  def change
    create_table :users, id: :serial do |t|
      t.text :email, null: false
    end
    create_table :posts do |t|
      t.references :author, type: :integer, foreign_key: { to_table: :users }
    end
    create_table :comments do |t|
      t.references :post, foreign_key: true
      t.references :user, type: :integer, foreign_key: true
    end
    create_table :sessions, id: false do |t|
      t.string :sid, primary_key: true
      t.references :user, type: :integer, foreign_key: true
    end
    reversible do |dir|
      dir.up do
        execute <<~SQL
          INSERT INTO users (email) VALUES ('ada@example.com'), ('bob@example.com');
          INSERT INTO posts (author_id) VALUES (1), (2);
          INSERT INTO comments (post_id, user_id) VALUES (1, 2);
          INSERT INTO sessions VALUES ('s1', 1), ('s2', NULL);
        SQL
      end
    end
  end
end
