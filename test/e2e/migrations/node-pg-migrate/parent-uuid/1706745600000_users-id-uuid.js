// users.id becomes a uuid; the referencing columns are left as they are.
export const up = (pgm) => {
  pgm.alterColumn('users', 'id', {
    type: 'uuid',
    using: 'gen_random_uuid()',
    default: pgm.func('gen_random_uuid()'),
  });
};

export const down = () => {
  throw new Error('irreversible');
};
