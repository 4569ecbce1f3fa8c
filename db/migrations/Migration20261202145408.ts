import { Migration } from '@mikro-orm/migrations';

export class Migration20261202145408 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "catalogue_mapping" ("fixmedins_code" varchar(30) not null, "medins_list_codg" varchar(50) not null, "admvs" varchar(6) not null, "med_list_codg" varchar(50) not null, "mapped_by" varchar(64) not null, "ticket_id" varchar(64) null, "updated_at" timestamptz not null, constraint "catalogue_mapping_pkey" primary key ("fixmedins_code", "medins_list_codg"));`,
    );

    this.addSql(
      `create table "manual_claim" ("claim_id" varchar(64) not null, "mdtrt_id" varchar(40) not null, "ticket_id" varchar(64) not null, "psn_no" varchar(30) not null, "insuplc_admdvs" varchar(6) not null, "prov_admdvs" varchar(6) not null, "status" text check ("status" in ('UNDER_REVIEW', 'PAID', 'REJECTED')) not null, "medfee_sumamt" bigint null, "fund_pay_sumamt" bigint null, "psn_part_amt" bigint null, "catalogue_admvs" varchar(6) null, "policy_id" varchar(64) null, "policy_version" int null, "task_id" varchar(80) null, "decision" jsonb null, "paid_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "projection_seq" int not null, constraint "manual_claim_pkey" primary key ("claim_id"));`,
    );
    this.addSql(
      `alter table "manual_claim" add constraint "manual_claim_mdtrt_id_unique" unique ("mdtrt_id");`,
    );
    this.addSql(`create index "manual_claim_psn_no_index" on "manual_claim" ("psn_no");`);
    this.addSql(`create index "manual_claim_prov_admdvs_index" on "manual_claim" ("prov_admdvs");`);

    this.addSql(
      `create table "ticket" ("ticket_id" varchar(64) not null, "mdtrt_id" varchar(40) not null, "round" int not null, "category" text check ("category" in ('filing_missing', 'filing_expired', 'filing_area_mismatch', 'person_not_found', 'person_status_abnormal', 'policy_missing', 'inpatient_elsewhere', 'catalogue_unmapped', 'price_over_limit', 'timeout', 'reversal_failed', 'duplicate_settlement', 'reconciliation_mismatch', 'other')) not null, "status" text check ("status" in ('OPEN', 'RESOLVED', 'MANUAL', 'WITHDRAWN')) not null, "first_responder" text check ("first_responder" in ('insured', 'treatment')) not null, "insured_prov" varchar(6) not null, "treatment_prov" varchar(6) not null, "insuplc_admdvs" varchar(6) not null, "mdtrtarea_admvs" varchar(6) not null, "fixmedins_code" varchar(30) not null, "fixmedins_name" varchar(200) not null, "psn_no" varchar(30) not null, "psn_name" varchar(100) not null, "description" text not null, "raised_by" jsonb not null, "raised_at" timestamptz not null, "sla_due_at" timestamptz not null, "closed_at" timestamptz null, "sides" jsonb not null, "retries" jsonb not null, "updated_at" timestamptz not null, "projection_seq" int not null, constraint "ticket_pkey" primary key ("ticket_id"));`,
    );
    this.addSql(`create index "ticket_mdtrt_id_index" on "ticket" ("mdtrt_id");`);
    this.addSql(`create index "ticket_insured_prov_index" on "ticket" ("insured_prov");`);
    this.addSql(`create index "ticket_treatment_prov_index" on "ticket" ("treatment_prov");`);
    this.addSql(`create index "ticket_psn_no_index" on "ticket" ("psn_no");`);
    this.addSql(
      `alter table "ticket" add constraint "ticket_mdtrt_id_round_unique" unique ("mdtrt_id", "round");`,
    );

    this.addSql(
      `create table "ticket_action" ("action_id" varchar(80) not null, "ticket_id" varchar(64) not null, "action" varchar(32) not null, "side" text check ("side" in ('insured', 'treatment')) not null, "by" varchar(64) not null, "note" text null, "params" jsonb not null, "outcome" text not null, "at" timestamptz not null, constraint "ticket_action_pkey" primary key ("action_id"));`,
    );
    this.addSql(`create index "ticket_action_ticket_id_index" on "ticket_action" ("ticket_id");`);

    this.addSql(
      `create table "ticket_comment" ("comment_id" uuid not null, "ticket_id" varchar(64) not null, "side" text check ("side" in ('insured', 'treatment')) not null, "author" varchar(64) not null, "text" text not null, "document_ids" jsonb not null, "created_at" timestamptz not null, constraint "ticket_comment_pkey" primary key ("comment_id"));`,
    );
    this.addSql(`create index "ticket_comment_ticket_id_index" on "ticket_comment" ("ticket_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "catalogue_mapping" cascade;`);

    this.addSql(`drop table if exists "manual_claim" cascade;`);

    this.addSql(`drop table if exists "ticket" cascade;`);

    this.addSql(`drop table if exists "ticket_action" cascade;`);

    this.addSql(`drop table if exists "ticket_comment" cascade;`);
  }
}
