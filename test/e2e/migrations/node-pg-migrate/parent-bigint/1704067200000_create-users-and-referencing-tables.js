// users.id is an integer (serial); four tables reference it with integer
// columns.
export const up = (pgm) => {
  pgm.createTable('users', { id: 'id', email: { type: 'text', notNull: true } });
  pgm.createTable('posts', {
    id: 'id',
    author_id: { type: 'integer', references: 'users' },
  });
  pgm.createTable('comments', {
    id: 'id',
    post_id: { type: 'integer', references: 'posts' },
    user_id: { type: 'integer', references: 'users' },
  });
  pgm.createTable('sessions', {
    sid: { type: 'text', primaryKey: true },
    userId: { type: 'integer', references: 'users' },
  });
  pgm.createTable('follows', {
    follower_id: { type: 'integer', references: 'users', primaryKey: true },
    followed_id: { type: 'integer', references: 'users', primaryKey: true },
  });
  pgm.sql(`INSERT INTO users (email) VALUES ('ada@example.com'), ('bob@example.com')`);
  pgm.sql('INSERT INTO posts (author_id) VALUES (1), (2)');
  pgm.sql('INSERT INTO comments (post_id, user_id) VALUES (1, 2)');
  pgm.sql(`INSERT INTO sessions VALUES ('s1', 1), ('s2', NULL)`);
  pgm.sql('INSERT INTO follows VALUES (1, 2)');
};

export const down = (pgm) => {
  pgm.dropTable(['follows', 'sessions', 'comments', 'posts', 'users']);
};
