// Recreate sessions.userId as a uuid and make it reference users.id, which
// is an integer.
import { TableColumn, TableForeignKey } from 'typeorm';

export class SessionsUserIdUuidReferencesUsers1706745600000 {
  async up(queryRunner) {
    await queryRunner.dropColumn('sessions', 'userId');
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'userId', type: 'uuid', isNullable: true }));
    await queryRunner.createForeignKey('sessions', new TableForeignKey({
      columnNames: ['userId'],
      referencedTableName: 'users',
      referencedColumnNames: ['id'],
    }));
  }

  async down(queryRunner) {
    const table = await queryRunner.getTable('sessions');
    const fk = table.foreignKeys.find((k) => k.columnNames.includes('userId'));
    await queryRunner.dropForeignKey('sessions', fk);
  }
}
