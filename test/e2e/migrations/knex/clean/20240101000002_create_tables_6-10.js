import { createTables, dropTables } from '../clean-schema.js';

export const up = (knex) => createTables(knex, 5, 10);
export const down = (knex) => dropTables(knex, 5, 10);
