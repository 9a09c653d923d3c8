// orders.account_id references accounts.id (integer -> bigint).
export const up = (pgm) => {
  pgm.addConstraint('orders', 'orders_account_id_fkey', {
    foreignKeys: { columns: 'account_id', references: 'accounts(id)' },
  });
};

export const down = (pgm) => {
  pgm.dropConstraint('orders', 'orders_account_id_fkey');
};
