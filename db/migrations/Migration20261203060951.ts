import { Migration } from '@mikro-orm/migrations';

export class Migration20261203060951 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "manual_claim" drop constraint if exists "manual_claim_status_check";`);

    this.addSql(`alter table "manual_claim" add column "paid_amount" bigint null;`);
    // Before the payment recorded its amount, a payment paid the whole claim.
    this.addSql(`update "manual_claim" set "paid_amount" = "fund_pay_sumamt" where "status" = 'PAID';`);
    this.addSql(
      `alter table "manual_claim" add constraint "manual_claim_status_check" check("status" in ('UNDER_REVIEW', 'PAID', 'REJECTED', 'CAP_EXHAUSTED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "manual_claim" drop constraint if exists "manual_claim_status_check";`);

    this.addSql(`alter table "manual_claim" drop column "paid_amount";`);
    this.addSql(`update "manual_claim" set "status" = 'REJECTED' where "status" = 'CAP_EXHAUSTED';`);

    this.addSql(
      `alter table "manual_claim" add constraint "manual_claim_status_check" check("status" in ('UNDER_REVIEW', 'PAID', 'REJECTED'));`,
    );
  }
}
