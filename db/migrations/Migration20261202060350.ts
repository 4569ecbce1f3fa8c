import { Migration } from '@mikro-orm/migrations';

export class Migration20261202060350 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "compensation" ("compensation_id" varchar(64) not null, "setl_id" varchar(40) not null, "mdtrt_id" varchar(40) not null, "psn_no" varchar(30) not null, "insuplc_admdvs" varchar(6) not null, "prov_admdvs" varchar(6) not null, "origin" text check ("origin" in ('detected', 'applied')) not null, "applied_by" varchar(64) null, "status" text check ("status" in ('DETECTED', 'APPLIED', 'UNDER_REVIEW', 'RECOMPUTED', 'PAID', 'REJECTED', 'NOT_ELIGIBLE')) not null, "direct_fund_pay" bigint null, "recomputed_fund_pay" bigint null, "gap" bigint not null, "steps" jsonb not null, "items" jsonb not null, "catalogue_admvs" varchar(6) null, "policy_id" varchar(64) null, "policy_version" int null, "task_id" varchar(80) null, "decision" jsonb null, "paid_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "projection_seq" int not null, constraint "compensation_pkey" primary key ("compensation_id"));`,
    );
    this.addSql(
      `alter table "compensation" add constraint "compensation_setl_id_unique" unique ("setl_id");`,
    );
    this.addSql(`create index "compensation_mdtrt_id_index" on "compensation" ("mdtrt_id");`);
    this.addSql(`create index "compensation_psn_no_index" on "compensation" ("psn_no");`);
    this.addSql(`create index "compensation_prov_admdvs_index" on "compensation" ("prov_admdvs");`);

    this.addSql(
      `create table "compensation_param" ("prov_admdvs" varchar(6) not null, "enabled" boolean not null, "threshold" bigint not null, "deadline_days" int not null, "catalogue_admvs" varchar(6) not null, "review_sla_working_days" int not null, "supervisor_sla_working_days" int not null, "src" text not null, constraint "compensation_param_pkey" primary key ("prov_admdvs"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "compensation" cascade;`);

    this.addSql(`drop table if exists "compensation_param" cascade;`);
  }
}
