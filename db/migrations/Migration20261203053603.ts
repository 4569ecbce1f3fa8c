import { Migration } from '@mikro-orm/migrations';

export class Migration20261203053603 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "compensation" drop constraint if exists "compensation_status_check";`);

    this.addSql(`alter table "compensation" add column "paid_amount" bigint null;`);
    // Before the payment recorded its amount, a payment paid the whole gap.
    this.addSql(`update "compensation" set "paid_amount" = "gap" where "status" in ('PAID', 'RECOVERED');`);
    this.addSql(
      `alter table "compensation" add constraint "compensation_status_check" check("status" in ('DETECTED', 'APPLIED', 'UNDER_REVIEW', 'RECOMPUTED', 'PAID', 'REJECTED', 'NOT_ELIGIBLE', 'WITHDRAWN', 'RECOVERED', 'CAP_EXHAUSTED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "compensation" drop constraint if exists "compensation_status_check";`);

    this.addSql(`alter table "compensation" drop column "paid_amount";`);
    this.addSql(`update "compensation" set "status" = 'RECOMPUTED' where "status" = 'CAP_EXHAUSTED';`);

    this.addSql(
      `alter table "compensation" add constraint "compensation_status_check" check("status" in ('DETECTED', 'APPLIED', 'UNDER_REVIEW', 'RECOMPUTED', 'PAID', 'REJECTED', 'NOT_ELIGIBLE', 'WITHDRAWN', 'RECOVERED'));`,
    );
  }
}
