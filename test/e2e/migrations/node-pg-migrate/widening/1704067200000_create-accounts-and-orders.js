// accounts.id is bigint (bigserial); orders.account_id an integer.
export const up = (pgm) => {
  pgm.createTable('accounts', {
    id: { type: 'bigserial', primaryKey: true },
    name: { type: 'text' },
  });
  pgm.createTable('orders', {
    id: 'id',
    account_id: { type: 'integer' },
  });
  pgm.sql(`INSERT INTO accounts (name) VALUES ('first'), ('second')`);
  pgm.sql('INSERT INTO orders (account_id) VALUES (1), (2), (NULL)');
};

export const down = (pgm) => {
  pgm.dropTable('orders');
  pgm.dropTable('accounts');
};
