import { createTables, dropTables } from '../clean-schema.js';

export const up = (pgm) => createTables(pgm, 15, 20);
export const down = (pgm) => dropTables(pgm, 15, 20);
