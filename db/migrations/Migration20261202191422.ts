import { Migration } from '@mikro-orm/migrations';

export class Migration20261202191422 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "clearing_statement" add column "released" bigint not null default 0;`);

    this.addSql(
      `alter table "fee_check" add column "held_in" varchar(7) null, add column "recovered_in" varchar(7) null;`,
    );

    // Checks already in a clearing went into their settlement's month (the rule before these columns):
    // recovered there if confirmed before that statement was generated, else held there (a check
    // confirmed later was held by it, so its hold is released and its recovery deducted next month).
    this.addSql(`update "fee_check" c set
      "held_in" = case when c."status" <> 'CONFIRMED' or coalesce(c."confirmed_at" > st."generated_at", false)
        then m.clr_month end,
      "recovered_in" = case when c."status" = 'CONFIRMED' and not coalesce(c."confirmed_at" > st."generated_at", false)
        then m.clr_month end
      from (select s."setl_id", to_char(s."setl_time" at time zone 'Asia/Shanghai', 'YYYY-MM') as clr_month
            from "settlement" s) m, "clearing_statement" st
      where m."setl_id" = c."setl_id" and st."clr_month" = m.clr_month
        and st."pair_id" = c."insured_prov" || '-' || c."treatment_prov";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "clearing_statement" drop column "released";`);

    this.addSql(`alter table "fee_check" drop column "held_in", drop column "recovered_in";`);
  }
}
