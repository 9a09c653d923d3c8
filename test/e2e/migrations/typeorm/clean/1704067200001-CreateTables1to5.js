import { createTables, dropTables } from '../clean-schema.js';

export class CreateTables1to51704067200001 {
  up(queryRunner) { return createTables(queryRunner, 0, 5); }
  down(queryRunner) { return dropTables(queryRunner, 0, 5); }
}
