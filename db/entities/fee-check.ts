import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { FEE_CHECK_BATCH_STATUSES, FEE_CHECK_OUTCOMES, FEE_CHECK_STATUSES } from '../../cases';

/**
 * 费用协查: one check per settlement, opened by the insured side. Its batch (`batch_id`) is the pair's
 * month it is frozen into; a late check moves to the next month's batch (`rolled_over`).
 */
export const FeeCheck = defineEntity({
  name: 'FeeCheck',
  tableName: 'fee_check',
  properties: (p) => ({
    check_id: p.string().length(64).primary(),
    setl_id: p.string().length(40).unique(),
    mdtrt_id: p.string().length(40).index(),
    insured_prov: p.string().length(6),
    treatment_prov: p.string().length(6),
    insuplc_admdvs: p.string().length(6),
    mdtrtarea_admvs: p.string().length(6),
    fixmedins_code: p.string().length(30),
    fixmedins_name: p.string().length(128),
    insutype: p.string().length(6),
    /** The settlement's total, in fen. */
    medfee_sumamt: p.bigint('number'),
    reason: p.text(),
    status: p.enum([...FEE_CHECK_STATUSES]),
    batch_id: p.string().length(40).index(),
    rolled_over: p.boolean(),
    requested_by: p.string().length(64),
    requested_at: p.datetime(),
    answer_due: p.datetime().nullable(),
    confirm_due: p.datetime().nullable(),
    /** Σ confirmed 核查有误 amounts, in fen (0 until confirmed). */
    recovered: p.bigint('number'),
    confirmed_by: p.string().length(64).nullable(),
    confirmed_at: p.datetime().nullable(),
    /** The clearing month (YYYY-MM) its hold went into, and its recovery: each into one month only. */
    held_in: p.string().length(7).nullable(),
    recovered_in: p.string().length(7).nullable(),
    updated_at: p.datetime(),
  }),
  indexes: [{ properties: ['insured_prov', 'treatment_prov'] }],
});
export type FeeCheck = InferEntity<typeof FeeCheck>;

/** One fee line under check, with the treatment side's answer (核查无误 / 核查有误 + reason + amount). */
export const FeeCheckItem = defineEntity({
  name: 'FeeCheckItem',
  tableName: 'fee_check_item',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    check_id: p.string().length(64),
    feedetl_sn: p.string().length(40),
    med_list_codg: p.string().length(50),
    list_name: p.string().length(200).nullable(),
    det_item_fee_sumamt: p.bigint('number'),
    outcome: p.enum([...FEE_CHECK_OUTCOMES]).nullable(),
    reason: p.text().nullable(),
    /** 核查有误: the amount wrongly charged, in fen (≤ the line's amount). */
    amount: p.bigint('number').nullable(),
    answered_by: p.string().length(64).nullable(),
    answered_at: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['check_id', 'feedetl_sn'] }],
});
export type FeeCheckItem = InferEntity<typeof FeeCheckItem>;

/** A province pair's month of checks (`FC-<insured>-<treatment>-<YYYYMM>`), as its workflow projects it. */
export const FeeCheckBatch = defineEntity({
  name: 'FeeCheckBatch',
  tableName: 'fee_check_batch',
  properties: (p) => ({
    batch_id: p.string().length(40).primary(),
    insured_prov: p.string().length(6),
    treatment_prov: p.string().length(6),
    /** `YYYY-MM`. */
    month: p.string().length(7).index(),
    status: p.enum([...FEE_CHECK_BATCH_STATUSES]),
    frozen_at: p.datetime().nullable(),
    answer_due: p.datetime().nullable(),
    confirm_due: p.datetime().nullable(),
    created_at: p.datetime(),
    updated_at: p.datetime(),
  }),
  uniques: [{ properties: ['insured_prov', 'treatment_prov', 'month'] }],
});
export type FeeCheckBatch = InferEntity<typeof FeeCheckBatch>;
