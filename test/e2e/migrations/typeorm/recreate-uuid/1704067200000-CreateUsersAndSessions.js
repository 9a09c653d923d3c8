// users.id is an integer (SERIAL); sessions.userId a varchar that holds user
// ids as strings.
import { Table } from 'typeorm';

export class CreateUsersAndSessions1704067200000 {
  async up(queryRunner) {
    await queryRunner.createTable(new Table({
      name: 'users',
      columns: [
        { name: 'id', type: 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'email', type: 'text' },
      ],
    }));
    await queryRunner.createTable(new Table({
      name: 'sessions',
      columns: [
        { name: 'sid', type: 'varchar', isPrimary: true },
        { name: 'userId', type: 'varchar', isNullable: true },
      ],
    }));
    await queryRunner.query(`INSERT INTO users (email) VALUES ('ada@example.com'), ('bob@example.com')`);
    await queryRunner.query(`INSERT INTO sessions (sid, "userId") VALUES ('s1', '1'), ('s2', '2'), ('s3', NULL)`);
  }

  async down(queryRunner) {
    await queryRunner.dropTable('sessions');
    await queryRunner.dropTable('users');
  }
}
