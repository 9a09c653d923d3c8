import { addReferences } from '../clean-schema.js';

export class AddReferences1704067200005 {
  up(queryRunner) { return addReferences(queryRunner); }
  down() { throw new Error('irreversible'); }
}
