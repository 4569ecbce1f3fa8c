import { Migration } from '@mikro-orm/migrations';

export class Migration20261202060223 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "accumulator" ("id" bigserial primary key, "psn_no" varchar(30) not null, "insuplc_admdvs" varchar(6) not null, "year" int not null, "dedc_paid_ytd" bigint not null, "hifp_paid_ytd" bigint not null, "si_base_ytd" bigint not null, "si_paid_ytd" bigint not null, "cvlserv_paid_ytd" bigint not null, "oth_paid_ytd" bigint not null, "maf_paid_ytd" bigint not null, "acct_balc" bigint not null, "version" int not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "accumulator" add constraint "accumulator_psn_no_insuplc_admdvs_year_unique" unique ("psn_no", "insuplc_admdvs", "year");`,
    );

    this.addSql(
      `create table "fee_detail" ("id" bigserial primary key, "mdtrt_id" varchar(40) not null, "feedetl_sn" varchar(40) not null, "rx_drord_no" varchar(40) null, "med_list_codg" varchar(50) not null, "medins_list_codg" varchar(50) not null, "medins_list_name" varchar(200) null, "fee_ocur_time" timestamptz not null, "cnt_e4" bigint not null, "pric_e4" bigint not null, "det_item_fee_sumamt" bigint not null, "bilg_dept_codg" varchar(30) null, "bilg_dr_codg" varchar(30) null, "content_hash" varchar(64) not null, "chrgitm_lv" text check ("chrgitm_lv" in ('01', '02', '03')) not null, "selfpay_prop" int not null, "pric_uplmt_amt" bigint not null, "fulamt_ownpay_amt" bigint not null, "overlmt_amt" bigint not null, "preselfpay_amt" bigint not null, "inscp_scp_amt" bigint not null, "list_name" varchar(200) null, "explanation" text not null, "status" text check ("status" in ('ACTIVE', 'CANCELLED')) not null, "created_at" timestamptz not null, "cancelled_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "fee_detail" add constraint "fee_detail_mdtrt_id_feedetl_sn_unique" unique ("mdtrt_id", "feedetl_sn");`,
    );

    this.addSql(
      `create table "ledger_entry" ("id" bigserial primary key, "setl_id" varchar(40) not null, "seq" int not null, "mdtrt_id" varchar(40) not null, "account" text check ("account" in ('treatment_place_receivable', 'insured_fund_payable', 'personal_account', 'personal_cash')) not null, "fund_pay_type" varchar(10) null, "admdvs" varchar(6) not null, "debit" bigint not null, "credit" bigint not null, "posted_at" timestamptz not null);`,
    );
    this.addSql(`create index "ledger_entry_mdtrt_id_index" on "ledger_entry" ("mdtrt_id");`);
    this.addSql(
      `alter table "ledger_entry" add constraint "ledger_entry_setl_id_seq_unique" unique ("setl_id", "seq");`,
    );

    this.addSql(
      `create table "setl_detail" ("id" bigserial primary key, "setl_id" varchar(40) not null, "seq" int not null, "step" varchar(20) not null, "fund_pay_type" varchar(10) null, "rule" text not null, "amount" bigint not null, "inscp_scp_amt" bigint not null, "crt_payb_lmt_amt" bigint null, "fund_payamt" bigint not null, "setl_proc_info" text not null);`,
    );
    this.addSql(
      `alter table "setl_detail" add constraint "setl_detail_setl_id_seq_unique" unique ("setl_id", "seq");`,
    );

    this.addSql(
      `create table "settlement" ("setl_id" varchar(40) not null, "request_key" varchar(120) not null, "mdtrt_id" varchar(40) not null, "psn_no" varchar(30) not null, "insuplc_admdvs" varchar(6) not null, "mdtrtarea_admvs" varchar(6) not null, "fixmedins_code" varchar(30) not null, "kind" text check ("kind" in ('SETTLEMENT', 'REVERSAL')) not null, "reverses" varchar(40) null, "reversed_by" varchar(40) null, "insutype" varchar(6) not null, "psn_type" varchar(20) not null, "filing_type" varchar(20) not null, "medfee_sumamt" bigint not null, "fulamt_ownpay_amt" bigint not null, "overlmt_selfpay" bigint not null, "preselfpay_amt" bigint not null, "inscp_scp_amt" bigint not null, "act_pay_dedc" bigint not null, "hifp_pay" bigint not null, "pool_prop_selfpay" bigint not null, "cvlserv_pay" bigint not null, "hifes_pay" bigint not null, "hifmi_pay" bigint not null, "hifob_pay" bigint not null, "maf_pay" bigint not null, "oth_pay" bigint not null, "fund_pay_sumamt" bigint not null, "psn_part_amt" bigint not null, "acct_pay" bigint not null, "psn_cash_pay" bigint not null, "hosp_part_amt" bigint not null, "balc" bigint not null, "policy_id" varchar(64) not null, "policy_version" int not null, "policy_name" varchar(200) not null, "policy_source" text not null, "clr_optins" varchar(6) not null, "clr_way" varchar(6) not null, "clr_type" varchar(6) not null, "acc_year" int not null, "accumulators_before" jsonb not null, "accumulators_after" jsonb not null, "setl_time" timestamptz not null, "created_at" timestamptz not null, constraint "settlement_pkey" primary key ("setl_id"));`,
    );
    this.addSql(
      `alter table "settlement" add constraint "settlement_request_key_unique" unique ("request_key");`,
    );
    this.addSql(`create index "settlement_mdtrt_id_index" on "settlement" ("mdtrt_id");`);
    this.addSql(`create index "settlement_psn_no_index" on "settlement" ("psn_no");`);
    this.addSql(`alter table "settlement" add constraint "settlement_reverses_unique" unique ("reverses");`);

    this.addSql(
      `create table "stay" ("mdtrt_id" varchar(40) not null, "psn_no" varchar(30) not null, "psn_name" varchar(64) not null, "insuplc_admdvs" varchar(6) not null, "prov_admdvs" varchar(6) not null, "mdtrtarea_admvs" varchar(6) not null, "fixmedins_code" varchar(30) not null, "fixmedins_name" varchar(128) not null, "ipt_no" varchar(40) not null, "insutype" varchar(6) not null, "med_type" varchar(6) not null, "begntime" timestamptz not null, "endtime" timestamptz null, "status" text check ("status" in ('ADMITTED', 'FEES_UPLOADED', 'PRESETTLED', 'DISCHARGED', 'SETTLED', 'CANCELLED')) not null, "coverage" jsonb not null, "diagnoses" jsonb not null, "medfee_sumamt" bigint not null, "fee_count" int not null, "setl_id" varchar(40) null, "fund_pay_sumamt" bigint null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "projection_seq" int not null, constraint "stay_pkey" primary key ("mdtrt_id"));`,
    );
    this.addSql(`create index "stay_psn_no_index" on "stay" ("psn_no");`);
    this.addSql(`create index "stay_prov_admdvs_index" on "stay" ("prov_admdvs");`);
    this.addSql(`create index "stay_fixmedins_code_index" on "stay" ("fixmedins_code");`);
    this.addSql(`create index "stay_fixmedins_code_ipt_no_index" on "stay" ("fixmedins_code", "ipt_no");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "accumulator" cascade;`);

    this.addSql(`drop table if exists "fee_detail" cascade;`);

    this.addSql(`drop table if exists "ledger_entry" cascade;`);

    this.addSql(`drop table if exists "setl_detail" cascade;`);

    this.addSql(`drop table if exists "settlement" cascade;`);

    this.addSql(`drop table if exists "stay" cascade;`);
  }
}
