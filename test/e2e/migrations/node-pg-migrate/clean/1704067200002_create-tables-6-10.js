import { createTables, dropTables } from '../clean-schema.js';

export const up = (pgm) => createTables(pgm, 5, 10);
export const down = (pgm) => dropTables(pgm, 5, 10);
