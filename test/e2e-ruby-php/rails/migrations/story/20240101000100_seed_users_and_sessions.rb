# Three users; six sessions: four hold a user's legacy uuid, two are NULL.
class SeedUsersAndSessions < ActiveRecord::Migration[6.1]
  def up
    execute <<~SQL
      INSERT INTO users (email, legacy_uuid) VALUES
        ('ada@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
        ('bob@example.com', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'),
        ('cy@example.com', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33');
      INSERT INTO sessions (sid, user_id, expires_at) VALUES
        ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2030-01-01'),
        ('s2', NULL, '2030-01-01'),
        ('s3', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22', '2030-01-01'),
        ('s4', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22', '2030-01-01'),
        ('s5', NULL, '2030-01-01'),
        ('s6', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33', '2030-01-01');
    SQL
  end

  def down
    execute 'DELETE FROM sessions; DELETE FROM users'
  end
end
