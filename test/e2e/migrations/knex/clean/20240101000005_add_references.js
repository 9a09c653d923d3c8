import { addReferences } from '../clean-schema.js';

export const up = (knex) => addReferences(knex);
export const down = () => { throw new Error('irreversible'); };
