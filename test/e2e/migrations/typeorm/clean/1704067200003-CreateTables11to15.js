import { createTables, dropTables } from '../clean-schema.js';

export class CreateTables11to151704067200003 {
  up(queryRunner) { return createTables(queryRunner, 10, 15); }
  down(queryRunner) { return dropTables(queryRunner, 10, 15); }
}
