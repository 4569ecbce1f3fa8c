import { Migration } from '@mikro-orm/migrations';

export class Migration20261202145535 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "advance_fund" ("pair_id" varchar(13) not null, "insured_prov" varchar(6) not null, "treatment_prov" varchar(6) not null, "granted" bigint not null, "used" bigint not null, "level" text check ("level" in ('normal', 'yellow', 'red')) not null, "updated_at" timestamptz not null, constraint "advance_fund_pkey" primary key ("pair_id"));`,
    );
    this.addSql(`create index "advance_fund_insured_prov_index" on "advance_fund" ("insured_prov");`);
    this.addSql(`create index "advance_fund_treatment_prov_index" on "advance_fund" ("treatment_prov");`);

    this.addSql(
      `create table "advance_fund_event" ("id" bigserial primary key, "event_key" varchar(120) not null, "pair_id" varchar(13) not null, "event" varchar(40) not null, "clr_month" varchar(7) null, "amount" bigint not null, "used_after" bigint not null, "level" text check ("level" in ('normal', 'yellow', 'red')) not null, "text" text not null, "at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "advance_fund_event" add constraint "advance_fund_event_event_key_unique" unique ("event_key");`,
    );
    this.addSql(`create index "advance_fund_event_pair_id_index" on "advance_fund_event" ("pair_id");`);

    this.addSql(
      `create table "advance_fund_param" ("prov_admdvs" varchar(6) not null, "yellow_ppm" int not null, "red_ppm" int not null, "top_up_target_ppm" int not null, "months" int not null, "src" text not null, constraint "advance_fund_param_pkey" primary key ("prov_admdvs"));`,
    );

    this.addSql(
      `create table "advance_fund_top_up" ("id" bigserial primary key, "request_key" varchar(120) not null, "pair_id" varchar(13) not null, "amount" bigint not null, "status" text check ("status" in ('requested', 'granted', 'refused')) not null, "requested_by" varchar(64) not null, "requested_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "advance_fund_top_up" add constraint "advance_fund_top_up_request_key_unique" unique ("request_key");`,
    );
    this.addSql(`create index "advance_fund_top_up_pair_id_index" on "advance_fund_top_up" ("pair_id");`);

    this.addSql(
      `create table "clearing_confirmation" ("id" bigserial primary key, "clr_month" varchar(7) not null, "pair_id" varchar(13) not null, "round" int not null, "side" text check ("side" in ('insured', 'treatment')) not null, "prov_admdvs" varchar(6) not null, "task_id" varchar(80) not null, "confirmed_by" varchar(64) null, "confirmed_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "clearing_confirmation" add constraint "clearing_confirmation_clr_month_pair_id_round_side_unique" unique ("clr_month", "pair_id", "round", "side");`,
    );

    this.addSql(
      `create table "clearing_dispute" ("id" bigserial primary key, "clr_month" varchar(7) not null, "pair_id" varchar(13) not null, "round" int not null, "side" text check ("side" in ('insured', 'treatment')) not null, "reason" text not null, "fee_check_ids" jsonb not null, "ticket_ids" jsonb not null, "disputed_by" varchar(64) not null, "disputed_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "clearing_dispute" add constraint "clearing_dispute_clr_month_pair_id_round_unique" unique ("clr_month", "pair_id", "round");`,
    );

    this.addSql(
      `create table "clearing_line" ("id" bigserial primary key, "clr_month" varchar(7) not null, "pair_id" varchar(13) not null, "insutype" varchar(6) not null, "fund" text check ("fund" in ('fund', 'acct', 'maf')) not null, "settlements" int not null, "reversals" int not null, "medfee_sumamt" bigint not null, "amount" bigint not null);`,
    );
    this.addSql(
      `alter table "clearing_line" add constraint "clearing_line_clr_month_pair_id_insutype_fund_unique" unique ("clr_month", "pair_id", "insutype", "fund");`,
    );

    this.addSql(
      `create table "clearing_run" ("clr_month" varchar(7) not null, "workflow_id" varchar(64) not null, "run_id" varchar(64) not null, "requested_by" varchar(64) not null, "status" text check ("status" in ('RUNNING', 'DONE')) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "clearing_run_pkey" primary key ("clr_month"));`,
    );

    this.addSql(
      `create table "clearing_statement" ("id" bigserial primary key, "clr_month" varchar(7) not null, "pair_id" varchar(13) not null, "insured_prov" varchar(6) not null, "treatment_prov" varchar(6) not null, "status" text check ("status" in ('GENERATED', 'CONFIRMED', 'DISPUTED', 'TRANSFERRED', 'RECONCILED')) not null, "round" int not null, "settlements" int not null, "reversals" int not null, "owed" bigint not null, "held_back" bigint not null, "recovered" bigint not null, "net_transfer" bigint not null, "confirm_due" timestamptz null, "generated_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "clearing_statement_insured_prov_index" on "clearing_statement" ("insured_prov");`,
    );
    this.addSql(
      `create index "clearing_statement_treatment_prov_index" on "clearing_statement" ("treatment_prov");`,
    );
    this.addSql(
      `alter table "clearing_statement" add constraint "clearing_statement_clr_month_pair_id_unique" unique ("clr_month", "pair_id");`,
    );

    this.addSql(
      `create table "clearing_transfer" ("id" bigserial primary key, "clr_month" varchar(7) not null, "pair_id" varchar(13) not null, "amount" bigint not null, "reference" varchar(100) not null, "transferred_by" varchar(64) not null, "transferred_at" timestamptz not null, "reconciled_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "clearing_transfer" add constraint "clearing_transfer_clr_month_pair_id_unique" unique ("clr_month", "pair_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "advance_fund" cascade;`);

    this.addSql(`drop table if exists "advance_fund_event" cascade;`);

    this.addSql(`drop table if exists "advance_fund_param" cascade;`);

    this.addSql(`drop table if exists "advance_fund_top_up" cascade;`);

    this.addSql(`drop table if exists "clearing_confirmation" cascade;`);

    this.addSql(`drop table if exists "clearing_dispute" cascade;`);

    this.addSql(`drop table if exists "clearing_line" cascade;`);

    this.addSql(`drop table if exists "clearing_run" cascade;`);

    this.addSql(`drop table if exists "clearing_statement" cascade;`);

    this.addSql(`drop table if exists "clearing_transfer" cascade;`);
  }
}
