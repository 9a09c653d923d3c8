import { addReferences } from '../clean-schema.js';

export const up = (pgm) => addReferences(pgm);
export const down = () => { throw new Error('irreversible'); };
