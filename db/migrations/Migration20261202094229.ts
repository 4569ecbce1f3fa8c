import { Migration } from '@mikro-orm/migrations';

export class Migration20261202094229 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "human_task" drop constraint if exists "human_task_case_type_check";`);

    this.addSql(`alter table "stay" drop constraint if exists "stay_status_check";`);

    this.addSql(
      `alter table "human_task" add constraint "human_task_case_type_check" check("case_type" in ('filing', 'referral', 'hospitalization', 'compensation', 'settlement_error', 'manual_claim', 'fee_check', 'clearing'));`,
    );

    this.addSql(
      `alter table "stay" add constraint "stay_status_check" check("status" in ('ADMITTED', 'FEES_UPLOADED', 'PRESETTLED', 'DISCHARGED', 'SETTLED', 'CANCELLED', 'SETTLEMENT_ERROR', 'MANUAL_CLAIM'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "human_task" drop constraint if exists "human_task_case_type_check";`);

    this.addSql(`alter table "stay" drop constraint if exists "stay_status_check";`);

    this.addSql(
      `alter table "human_task" add constraint "human_task_case_type_check" check("case_type" in ('filing', 'referral', 'hospitalization', 'compensation'));`,
    );

    this.addSql(
      `alter table "stay" add constraint "stay_status_check" check("status" in ('ADMITTED', 'FEES_UPLOADED', 'PRESETTLED', 'DISCHARGED', 'SETTLED', 'CANCELLED'));`,
    );
  }
}
