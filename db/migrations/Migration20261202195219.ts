import { Migration } from '@mikro-orm/migrations';

export class Migration20261202195219 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "stay" drop constraint if exists "stay_status_check";`);

    this.addSql(
      `alter table "stay" add constraint "stay_status_check" check("status" in ('ADMITTED', 'FEES_UPLOADED', 'PRESETTLED', 'DISCHARGED', 'SETTLED', 'CANCELLED', 'SETTLEMENT_ERROR', 'MANUAL_CLAIM', 'MANUAL_PAID'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "stay" drop constraint if exists "stay_status_check";`);

    this.addSql(
      `alter table "stay" add constraint "stay_status_check" check("status" in ('ADMITTED', 'FEES_UPLOADED', 'PRESETTLED', 'DISCHARGED', 'SETTLED', 'CANCELLED', 'SETTLEMENT_ERROR', 'MANUAL_CLAIM'));`,
    );
  }
}
