import { createTables, dropTables } from '../clean-schema.js';

export class CreateTables16to201704067200004 {
  up(queryRunner) { return createTables(queryRunner, 15, 20); }
  down(queryRunner) { return dropTables(queryRunner, 15, 20); }
}
