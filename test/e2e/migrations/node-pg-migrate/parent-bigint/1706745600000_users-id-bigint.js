// users.id becomes bigint; the referencing columns are left as they are.
export const up = (pgm) => {
  pgm.alterColumn('users', 'id', { type: 'bigint' });
};

export const down = (pgm) => {
  pgm.alterColumn('users', 'id', { type: 'integer' });
};
