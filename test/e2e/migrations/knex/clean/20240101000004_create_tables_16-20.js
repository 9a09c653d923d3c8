import { createTables, dropTables } from '../clean-schema.js';

export const up = (knex) => createTables(knex, 15, 20);
export const down = (knex) => dropTables(knex, 15, 20);
