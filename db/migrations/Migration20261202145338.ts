import { Migration } from '@mikro-orm/migrations';

export class Migration20261202145338 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "fee_check" ("check_id" varchar(64) not null, "setl_id" varchar(40) not null, "mdtrt_id" varchar(40) not null, "insured_prov" varchar(6) not null, "treatment_prov" varchar(6) not null, "insuplc_admdvs" varchar(6) not null, "mdtrtarea_admvs" varchar(6) not null, "fixmedins_code" varchar(30) not null, "fixmedins_name" varchar(128) not null, "insutype" varchar(6) not null, "medfee_sumamt" bigint not null, "reason" text not null, "status" text check ("status" in ('REQUESTED', 'BATCHED', 'ANSWERED', 'CONFIRMED', 'ROLLED_OVER')) not null, "batch_id" varchar(40) not null, "rolled_over" boolean not null, "requested_by" varchar(64) not null, "requested_at" timestamptz not null, "answer_due" timestamptz null, "confirm_due" timestamptz null, "recovered" bigint not null, "confirmed_by" varchar(64) null, "confirmed_at" timestamptz null, "updated_at" timestamptz not null, constraint "fee_check_pkey" primary key ("check_id"));`,
    );
    this.addSql(`alter table "fee_check" add constraint "fee_check_setl_id_unique" unique ("setl_id");`);
    this.addSql(`create index "fee_check_mdtrt_id_index" on "fee_check" ("mdtrt_id");`);
    this.addSql(`create index "fee_check_batch_id_index" on "fee_check" ("batch_id");`);
    this.addSql(
      `create index "fee_check_insured_prov_treatment_prov_index" on "fee_check" ("insured_prov", "treatment_prov");`,
    );

    this.addSql(
      `create table "fee_check_batch" ("batch_id" varchar(40) not null, "insured_prov" varchar(6) not null, "treatment_prov" varchar(6) not null, "month" varchar(7) not null, "status" text check ("status" in ('OPEN', 'FROZEN', 'ANSWERED', 'CLOSED')) not null, "frozen_at" timestamptz null, "answer_due" timestamptz null, "confirm_due" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "fee_check_batch_pkey" primary key ("batch_id"));`,
    );
    this.addSql(`create index "fee_check_batch_month_index" on "fee_check_batch" ("month");`);
    this.addSql(
      `alter table "fee_check_batch" add constraint "fee_check_batch_insured_prov_treatment_prov_month_unique" unique ("insured_prov", "treatment_prov", "month");`,
    );

    this.addSql(
      `create table "fee_check_item" ("id" bigserial primary key, "check_id" varchar(64) not null, "feedetl_sn" varchar(40) not null, "med_list_codg" varchar(50) not null, "list_name" varchar(200) null, "det_item_fee_sumamt" bigint not null, "outcome" text check ("outcome" in ('correct', 'incorrect')) null, "reason" text null, "amount" bigint null, "answered_by" varchar(64) null, "answered_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "fee_check_item" add constraint "fee_check_item_check_id_feedetl_sn_unique" unique ("check_id", "feedetl_sn");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "fee_check" cascade;`);

    this.addSql(`drop table if exists "fee_check_batch" cascade;`);

    this.addSql(`drop table if exists "fee_check_item" cascade;`);
  }
}
