import { createTables, dropTables } from '../clean-schema.js';

export class CreateTables6to101704067200002 {
  up(queryRunner) { return createTables(queryRunner, 5, 10); }
  down(queryRunner) { return dropTables(queryRunner, 5, 10); }
}
