import { createTables, dropTables } from '../clean-schema.js';

export const up = (pgm) => createTables(pgm, 0, 5);
export const down = (pgm) => dropTables(pgm, 0, 5);
