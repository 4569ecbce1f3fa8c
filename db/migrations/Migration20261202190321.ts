import { Migration } from '@mikro-orm/migrations';

export class Migration20261202190321 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "catalogue_rule" add column "over_limit" text check ("over_limit" in ('self_pay', 'refuse')) not null default 'self_pay';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "catalogue_rule" drop column "over_limit";`);
  }
}
