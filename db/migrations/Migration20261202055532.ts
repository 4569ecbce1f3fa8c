import { Migration } from '@mikro-orm/migrations';

export class Migration20261202055532 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "catalogue_item" ("id" serial primary key, "admvs" varchar(6) not null, "med_list_codg" varchar(50) not null, "list_name" varchar(200) not null, "list_type" varchar(3) not null, "chrgitm_lv" text check ("chrgitm_lv" in ('01', '02', '03')) not null, "selfpay_prop" varchar(8) null, "pric_uplmt_amt" bigint null, "begndate" date not null, "enddate" date null, "src" text not null);`,
    );
    this.addSql(
      `create index "catalogue_item_admvs_begndate_index" on "catalogue_item" ("admvs", "begndate");`,
    );
    this.addSql(
      `alter table "catalogue_item" add constraint "catalogue_item_admvs_med_list_codg_begndate_unique" unique ("admvs", "med_list_codg", "begndate");`,
    );

    this.addSql(
      `create table "catalogue_rule" ("admvs" varchar(6) not null, "unlisted" text check ("unlisted" in ('self_pay', 'reject')) not null, constraint "catalogue_rule_pkey" primary key ("admvs"));`,
    );

    this.addSql(`alter table "human_task" drop constraint if exists "human_task_case_type_check";`);

    this.addSql(
      `alter table "human_task" add constraint "human_task_case_type_check" check("case_type" in ('filing', 'referral', 'hospitalization', 'compensation'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "catalogue_item" cascade;`);

    this.addSql(`drop table if exists "catalogue_rule" cascade;`);

    this.addSql(`alter table "human_task" drop constraint if exists "human_task_case_type_check";`);

    this.addSql(
      `alter table "human_task" add constraint "human_task_case_type_check" check("case_type" in ('filing', 'referral'));`,
    );
  }
}
