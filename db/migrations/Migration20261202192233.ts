import { Migration } from '@mikro-orm/migrations';

export class Migration20261202192233 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "clearing_statement" add column "reconcile_problem" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "clearing_statement" drop column "reconcile_problem";`);
  }
}
