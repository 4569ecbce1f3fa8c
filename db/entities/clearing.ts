import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { CLEARING_STATUSES, SIDES } from '../../cases';

const FUNDS = ['fund', 'acct', 'maf'] as const;

/**
 * One clearing run per month (`clearing-<YYYY-MM>`): the primary key refuses a second run of a month
 * even if Temporal's id reuse were bypassed (another run's activity finds the row and stops).
 */
export const ClearingRun = defineEntity({
  name: 'ClearingRun',
  tableName: 'clearing_run',
  properties: (p) => ({
    clr_month: p.string().length(7).primary(),
    workflow_id: p.string().length(64),
    run_id: p.string().length(64),
    requested_by: p.string().length(64),
    /** RUNNING until every pair's statement is RECONCILED. */
    status: p.enum(['RUNNING', 'DONE'] as const),
    created_at: p.datetime(),
    updated_at: p.datetime(),
  }),
});
export type ClearingRun = InferEntity<typeof ClearingRun>;

/** A province pair's statement of a month, as last projected from the month's clearing workflow. */
export const ClearingStatementRow = defineEntity({
  name: 'ClearingStatementRow',
  tableName: 'clearing_statement',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    clr_month: p.string().length(7),
    pair_id: p.string().length(13),
    insured_prov: p.string().length(6).index(),
    treatment_prov: p.string().length(6).index(),
    status: p.enum([...CLEARING_STATUSES]),
    /** Bumped by each re-clear after a dispute: confirmations and tasks are per round. */
    round: p.integer(),
    settlements: p.integer(),
    reversals: p.integer(),
    // In fen (signed: a month of more reversals than settlements owes less than nothing).
    owed: p.bigint('number'),
    held_back: p.bigint('number'),
    recovered: p.bigint('number'),
    /** Holds of earlier months given back with their checks' recoveries. */
    released: p.bigint('number').default(0),
    net_transfer: p.bigint('number'),
    confirm_due: p.datetime().nullable(),
    /** Transferred but not reconciled with the settlements: why (a clearing_reconcile task is open). */
    reconcile_problem: p.text().nullable(),
    generated_at: p.datetime(),
    updated_at: p.datetime(),
  }),
  uniques: [{ properties: ['clr_month', 'pair_id'] }],
});
export type ClearingStatementRow = InferEntity<typeof ClearingStatementRow>;

/** A statement's line: one insurance type and one fund (统筹等 / 个人账户 / 医疗救助). */
export const ClearingLineRow = defineEntity({
  name: 'ClearingLineRow',
  tableName: 'clearing_line',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    clr_month: p.string().length(7),
    pair_id: p.string().length(13),
    insutype: p.string().length(6),
    fund: p.enum([...FUNDS]),
    settlements: p.integer(),
    reversals: p.integer(),
    medfee_sumamt: p.bigint('number'),
    amount: p.bigint('number'),
  }),
  uniques: [{ properties: ['clr_month', 'pair_id', 'insutype', 'fund'] }],
});
export type ClearingLineRow = InferEntity<typeof ClearingLineRow>;

/** A side's confirmation of one round of a statement; its task id is the human task it closed. */
export const ClearingConfirmation = defineEntity({
  name: 'ClearingConfirmation',
  tableName: 'clearing_confirmation',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    clr_month: p.string().length(7),
    pair_id: p.string().length(13),
    round: p.integer(),
    side: p.enum([...SIDES]),
    prov_admdvs: p.string().length(6),
    task_id: p.string().length(80),
    confirmed_by: p.string().length(64).nullable(),
    confirmed_at: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['clr_month', 'pair_id', 'round', 'side'] }],
});
export type ClearingConfirmation = InferEntity<typeof ClearingConfirmation>;

/** 有异议: one per round (the statement waits for a re-clear), linking fee checks and tickets. */
export const ClearingDispute = defineEntity({
  name: 'ClearingDispute',
  tableName: 'clearing_dispute',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    clr_month: p.string().length(7),
    pair_id: p.string().length(13),
    round: p.integer(),
    side: p.enum([...SIDES]),
    reason: p.text(),
    fee_check_ids: p.json<string[]>(),
    ticket_ids: p.json<string[]>(),
    disputed_by: p.string().length(64),
    disputed_at: p.datetime(),
  }),
  uniques: [{ properties: ['clr_month', 'pair_id', 'round'] }],
});
export type ClearingDispute = InferEntity<typeof ClearingDispute>;

/** The insured province's payment of the net (拨付): once per statement. */
export const ClearingTransfer = defineEntity({
  name: 'ClearingTransfer',
  tableName: 'clearing_transfer',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    clr_month: p.string().length(7),
    pair_id: p.string().length(13),
    amount: p.bigint('number'),
    reference: p.string().length(100),
    transferred_by: p.string().length(64),
    transferred_at: p.datetime(),
    reconciled_at: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['clr_month', 'pair_id'] }],
});
export type ClearingTransfer = InferEntity<typeof ClearingTransfer>;

/**
 * What the insured side did on a flagged reconciliation (对账不平): a re-check, or a supplementary
 * transfer (补拨, or 退回 when negative) added to the transfer; each once by its action id.
 */
export const ClearingReconcileAction = defineEntity({
  name: 'ClearingReconcileAction',
  tableName: 'clearing_reconcile_action',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    action_id: p.string().length(200).unique(),
    clr_month: p.string().length(7),
    pair_id: p.string().length(13),
    action: p.string().length(16),
    amount: p.bigint('number'),
    reference: p.string().length(100).nullable(),
    acted_by: p.string().length(64),
    acted_at: p.datetime(),
    reconciled: p.boolean(),
    problem: p.text().nullable(),
  }),
  indexes: [{ properties: ['clr_month', 'pair_id'] }],
});
export type ClearingReconcileAction = InferEntity<typeof ClearingReconcileAction>;

/**
 * 预付金 warning levels and sizing of an insured province (the one that advances the fund), as data:
 * usage ≥ yellow → 黄色预警, ≥ red → 红色预警 and an emergency top-up (紧急调增) back to top_up_target.
 */
export const AdvanceFundParam = defineEntity({
  name: 'AdvanceFundParam',
  tableName: 'advance_fund_param',
  properties: (p) => ({
    prov_admdvs: p.string().length(6).primary(),
    /** Usage levels in ppm of the granted amount (700000 = 70%). */
    yellow_ppm: p.integer(),
    red_ppm: p.integer(),
    top_up_target_ppm: p.integer(),
    months: p.integer(),
    src: p.text(),
  }),
});
export type AdvanceFundParam = InferEntity<typeof AdvanceFundParam>;

/** The advance an insured province granted a treatment province, and how much of it is drawn. */
export const AdvanceFund = defineEntity({
  name: 'AdvanceFund',
  tableName: 'advance_fund',
  properties: (p) => ({
    pair_id: p.string().length(13).primary(),
    insured_prov: p.string().length(6).index(),
    treatment_prov: p.string().length(6).index(),
    granted: p.bigint('number'),
    used: p.bigint('number'),
    level: p.enum(['normal', 'yellow', 'red'] as const),
    updated_at: p.datetime(),
  }),
});
export type AdvanceFund = InferEntity<typeof AdvanceFund>;

/**
 * The fund's log: a month's draw, each warning reached, each top-up request. `event_key` makes each
 * entry once (a retried activity writes nothing twice).
 */
export const AdvanceFundEvent = defineEntity({
  name: 'AdvanceFundEvent',
  tableName: 'advance_fund_event',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    event_key: p.string().length(120).unique(),
    pair_id: p.string().length(13).index(),
    event: p.string().length(40),
    clr_month: p.string().length(7).nullable(),
    amount: p.bigint('number'),
    used_after: p.bigint('number'),
    level: p.enum(['normal', 'yellow', 'red'] as const),
    text: p.text(),
    at: p.datetime(),
  }),
});
export type AdvanceFundEvent = InferEntity<typeof AdvanceFundEvent>;

/** 紧急调增: a top-up request (by the treatment side, or by the platform at a red warning). */
export const AdvanceFundTopUp = defineEntity({
  name: 'AdvanceFundTopUp',
  tableName: 'advance_fund_top_up',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    request_key: p.string().length(120).unique(),
    pair_id: p.string().length(13).index(),
    amount: p.bigint('number'),
    status: p.enum(['requested', 'granted', 'refused'] as const),
    requested_by: p.string().length(64),
    requested_at: p.datetime(),
  }),
});
export type AdvanceFundTopUp = InferEntity<typeof AdvanceFundTopUp>;
