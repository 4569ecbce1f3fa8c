import { Migration } from '@mikro-orm/migrations';

export class Migration20261123104651 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "case_event" ("id" varchar(120) not null, "case_id" varchar(64) not null, "at" timestamptz not null, "actor" varchar(64) not null, "kind" varchar(40) not null, "detail" jsonb not null, constraint "case_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "case_event_case_id_index" on "case_event" ("case_id");`);

    this.addSql(
      `create table "filing" ("id" varchar(64) not null, "psn_no" varchar(30) not null, "insuplc_admdvs" varchar(6) not null, "prov_admdvs" varchar(6) not null, "category" text check ("category" in ('retired_resettled', 'long_term_residence', 'resident_worker', 'referral', 'emergency', 'other_temporary')) not null, "status" text check ("status" in ('SUBMITTED', 'UNDER_REVIEW', 'ACTIVE', 'REJECTED', 'EXPIRED', 'CANCELLED', 'REVOKED')) not null, "mdtrtarea_admdvs" varchar(6) not null, "fixmedins_code" varchar(30) null, "begndate" date not null, "enddate" date null, "commitment" boolean not null, "deemed" boolean not null, "retro" boolean not null, "trt_dcla_detl_sn" varchar(40) null, "effective_at" timestamptz null, "reason" text null, "memo" text null, "form" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "projection_seq" int not null, constraint "filing_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "filing_psn_no_index" on "filing" ("psn_no");`);
    this.addSql(`create index "filing_prov_admdvs_index" on "filing" ("prov_admdvs");`);
    this.addSql(
      `alter table "filing" add constraint "filing_trt_dcla_detl_sn_unique" unique ("trt_dcla_detl_sn");`,
    );

    this.addSql(
      `create table "human_task" ("id" varchar(80) not null, "case_id" varchar(64) not null, "workflow_id" varchar(80) not null, "kind" varchar(32) not null, "role" text check ("role" in ('staff', 'supervisor')) not null, "prov_admdvs" varchar(6) not null, "assignee" varchar(64) null, "status" text check ("status" in ('open', 'claimed', 'escalated', 'decided', 'cancelled')) not null, "due_at" timestamptz not null, "escalated_at" timestamptz null, "decision" text check ("decision" in ('approve', 'reject', 'more_info')) null, "decision_id" uuid null, "reason" text null, "decided_by" varchar(64) null, "decided_at" timestamptz null, "delivered_at" timestamptz null, "summary" jsonb not null, "created_at" timestamptz not null, "version" int not null default 1, constraint "human_task_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "human_task_case_id_index" on "human_task" ("case_id");`);
    this.addSql(`create index "human_task_prov_admdvs_index" on "human_task" ("prov_admdvs");`);

    this.addSql(
      `create table "idempotency_record" ("id" serial primary key, "key" varchar(128) not null, "user_id" uuid not null, "request_hash" varchar(64) not null, "case_id" varchar(64) null, "status" int null, "response" jsonb null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "idempotency_record" add constraint "idempotency_record_user_id_key_unique" unique ("user_id", "key");`,
    );

    this.addSql(
      `create table "referral" ("id" varchar(64) not null, "filing_id" varchar(64) not null, "psn_no" varchar(30) not null, "prov_admdvs" varchar(6) not null, "status" text check ("status" in ('REQUESTED', 'UNDER_REVIEW', 'MORE_INFO', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'REVOKED')) not null, "refl_fil_type" varchar(6) not null, "mdtrtarea_admdvs" varchar(6) not null, "fixmedins_code" varchar(30) null, "trt_dcla_detl_sn" varchar(40) null, "reason" text null, "memo" text null, "escalated" boolean not null, "summary" jsonb not null, "updated_at" timestamptz not null, "projection_seq" int not null, constraint "referral_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "referral_filing_id_index" on "referral" ("filing_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "case_event" cascade;`);

    this.addSql(`drop table if exists "filing" cascade;`);

    this.addSql(`drop table if exists "human_task" cascade;`);

    this.addSql(`drop table if exists "idempotency_record" cascade;`);

    this.addSql(`drop table if exists "referral" cascade;`);
  }
}
