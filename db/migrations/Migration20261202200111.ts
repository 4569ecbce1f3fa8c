import { Migration } from '@mikro-orm/migrations';

export class Migration20261202200111 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "compensation" drop constraint if exists "compensation_status_check";`);

    this.addSql(
      `alter table "compensation" add column "acc_year" int null, add column "accumulator_effect" jsonb null;`,
    );
    this.addSql(
      `alter table "compensation" add constraint "compensation_status_check" check("status" in ('DETECTED', 'APPLIED', 'UNDER_REVIEW', 'RECOMPUTED', 'PAID', 'REJECTED', 'NOT_ELIGIBLE', 'WITHDRAWN', 'RECOVERED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "compensation" drop constraint if exists "compensation_status_check";`);

    this.addSql(`alter table "compensation" drop column "acc_year", drop column "accumulator_effect";`);

    this.addSql(
      `alter table "compensation" add constraint "compensation_status_check" check("status" in ('DETECTED', 'APPLIED', 'UNDER_REVIEW', 'RECOMPUTED', 'PAID', 'REJECTED', 'NOT_ELIGIBLE'));`,
    );
  }
}
