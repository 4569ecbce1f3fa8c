import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const SETTLEMENT_KINDS = ['SETTLEMENT', 'REVERSAL'] as const;

/**
 * 结算 (2304) or its reversal (2305), recorded once: `request_key` derives from the settlement
 * workflow (its id and the round), so a retried activity finds the row it wrote instead of a second.
 * A reversal carries the original's amounts negated and names it in `reverses`.
 */
export const Settlement = defineEntity({
  name: 'Settlement',
  tableName: 'settlement',
  properties: (p) => ({
    setl_id: p.string().length(40).primary(),
    request_key: p.string().length(120).unique(),
    mdtrt_id: p.string().length(40).index(),
    psn_no: p.string().length(30).index(),
    insuplc_admdvs: p.string().length(6),
    mdtrtarea_admvs: p.string().length(6),
    fixmedins_code: p.string().length(30),
    kind: p.enum([...SETTLEMENT_KINDS]),
    /** A reversal: the settlement it reverses. */
    reverses: p.string().length(40).nullable().unique(),
    /** A settlement: the reversal that undid it. */
    reversed_by: p.string().length(40).nullable(),
    insutype: p.string().length(6),
    psn_type: p.string().length(20),
    filing_type: p.string().length(20),
    // setlinfo of 2304 in fen, one column per field of the core's `Setlinfo`.
    medfee_sumamt: p.bigint('number'),
    fulamt_ownpay_amt: p.bigint('number'),
    overlmt_selfpay: p.bigint('number'),
    preselfpay_amt: p.bigint('number'),
    inscp_scp_amt: p.bigint('number'),
    act_pay_dedc: p.bigint('number'),
    hifp_pay: p.bigint('number'),
    pool_prop_selfpay: p.bigint('number'),
    cvlserv_pay: p.bigint('number'),
    hifes_pay: p.bigint('number'),
    hifmi_pay: p.bigint('number'),
    hifob_pay: p.bigint('number'),
    maf_pay: p.bigint('number'),
    oth_pay: p.bigint('number'),
    fund_pay_sumamt: p.bigint('number'),
    psn_part_amt: p.bigint('number'),
    acct_pay: p.bigint('number'),
    psn_cash_pay: p.bigint('number'),
    hosp_part_amt: p.bigint('number'),
    balc: p.bigint('number'),
    policy_id: p.string().length(64),
    policy_version: p.integer(),
    policy_name: p.string().length(200),
    policy_source: p.text(),
    clr_optins: p.string().length(6),
    clr_way: p.string().length(6),
    clr_type: p.string().length(6),
    /** The accumulator row's year (the discharge date's CST year). */
    acc_year: p.integer(),
    accumulators_before: p.json<Record<string, number>>(),
    accumulators_after: p.json<Record<string, number>>(),
    setl_time: p.datetime(),
    created_at: p.datetime(),
  }),
});
export type Settlement = InferEntity<typeof Settlement>;

/** One step of a settlement's setldetail: the explanation of benefits, step by step. */
export const SetlDetailRow = defineEntity({
  name: 'SetlDetailRow',
  tableName: 'setl_detail',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    setl_id: p.string().length(40),
    seq: p.integer(),
    step: p.string().length(20),
    fund_pay_type: p.string().length(10).nullable(),
    rule: p.text(),
    amount: p.bigint('number'),
    inscp_scp_amt: p.bigint('number'),
    crt_payb_lmt_amt: p.bigint('number').nullable(),
    fund_payamt: p.bigint('number'),
    setl_proc_info: p.text(),
  }),
  uniques: [{ properties: ['setl_id', 'seq'] }],
});
export type SetlDetailRow = InferEntity<typeof SetlDetailRow>;

/**
 * Ledger accounts of a settlement. The treatment place is owed the stay's total (receivable); who owes
 * it: the insured place's funds (payable, per fund_pay_type), the person's account and the person in cash.
 */
export const LEDGER_ACCOUNTS = [
  'treatment_place_receivable',
  'insured_fund_payable',
  'personal_account',
  'personal_cash',
] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/**
 * Double-entry ledger: each settlement's entries sum to zero (Σ debit = Σ credit); a reversal posts the
 * same entries with sides swapped.
 */
export const LedgerEntry = defineEntity({
  name: 'LedgerEntry',
  tableName: 'ledger_entry',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    setl_id: p.string().length(40),
    seq: p.integer(),
    mdtrt_id: p.string().length(40).index(),
    account: p.enum([...LEDGER_ACCOUNTS]),
    fund_pay_type: p.string().length(10).nullable(),
    /** Whose account: the treatment place for the receivable, else the insured place. */
    admdvs: p.string().length(6),
    debit: p.bigint('number'),
    credit: p.bigint('number'),
    posted_at: p.datetime(),
  }),
  uniques: [{ properties: ['setl_id', 'seq'] }],
});
export type LedgerEntry = InferEntity<typeof LedgerEntry>;

/**
 * A person's year-to-date figures at the insured place (the core's `Accumulators`), one row per year.
 * A settlement locks the row (SELECT … FOR UPDATE) for its transaction, so two stays of one person
 * settling at once are applied one after the other.
 */
export const Accumulator = defineEntity({
  name: 'Accumulator',
  tableName: 'accumulator',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    psn_no: p.string().length(30),
    insuplc_admdvs: p.string().length(6),
    year: p.integer(),
    dedc_paid_ytd: p.bigint('number'),
    hifp_paid_ytd: p.bigint('number'),
    si_base_ytd: p.bigint('number'),
    si_paid_ytd: p.bigint('number'),
    cvlserv_paid_ytd: p.bigint('number'),
    oth_paid_ytd: p.bigint('number'),
    maf_paid_ytd: p.bigint('number'),
    acct_balc: p.bigint('number'),
    /** Bumped by every settlement and reversal applied to the row. */
    version: p.integer(),
    updated_at: p.datetime(),
  }),
  uniques: [{ properties: ['psn_no', 'insuplc_admdvs', 'year'] }],
});
export type Accumulator = InferEntity<typeof Accumulator>;
