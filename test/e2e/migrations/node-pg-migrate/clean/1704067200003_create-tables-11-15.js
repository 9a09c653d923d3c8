import { createTables, dropTables } from '../clean-schema.js';

export const up = (pgm) => createTables(pgm, 10, 15);
export const down = (pgm) => dropTables(pgm, 10, 15);
