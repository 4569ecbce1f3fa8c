import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { Diagnosis, StayCoverage } from '../../cases';
import { STAY_STATUSES } from '../../cases';

/**
 * 住院 (a stay), as last projected from its `hospitalization` workflow: the list and detail views read
 * this row, never the workflow. The primary key is the stay's business id, `mdtrt_id`.
 */
export const Stay = defineEntity({
  name: 'Stay',
  tableName: 'stay',
  properties: (p) => ({
    mdtrt_id: p.string().length(40).primary(),
    psn_no: p.string().length(30).index(),
    psn_name: p.string().length(64),
    insuplc_admdvs: p.string().length(6),
    /** The insured province: its staff see the stay. */
    prov_admdvs: p.string().length(6).index(),
    mdtrtarea_admvs: p.string().length(6),
    fixmedins_code: p.string().length(30).index(),
    fixmedins_name: p.string().length(128),
    ipt_no: p.string().length(40),
    insutype: p.string().length(6),
    med_type: p.string().length(6),
    begntime: p.datetime(),
    endtime: p.datetime().nullable(),
    status: p.enum([...STAY_STATUSES]),
    coverage: p.json<StayCoverage>(),
    diagnoses: p.json<Diagnosis[]>(),
    /** Sum of the live fee lines, in fen. */
    medfee_sumamt: p.bigint('number'),
    fee_count: p.integer(),
    /** The live (not reversed) settlement, and its fund payment in fen. */
    setl_id: p.string().length(40).nullable(),
    fund_pay_sumamt: p.bigint('number').nullable(),
    created_at: p.datetime(),
    updated_at: p.datetime(),
    /** The workflow's projection counter: an older snapshot never overwrites a newer one. */
    projection_seq: p.integer(),
  }),
  indexes: [{ properties: ['fixmedins_code', 'ipt_no'] }],
});
export type Stay = InferEntity<typeof Stay>;

export const FEE_LINE_STATUSES = ['ACTIVE', 'CANCELLED'] as const;

/**
 * One 2301 feedetail line of a stay, as the HIS sent it, with its classification by the treatment
 * place's catalogue. (mdtrt_id, feedetl_sn) is unique: an upload repeated with the same content finds
 * the same row, one with different content is refused naming the line.
 */
export const FeeDetail = defineEntity({
  name: 'FeeDetail',
  tableName: 'fee_detail',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    mdtrt_id: p.string().length(40),
    feedetl_sn: p.string().length(40),
    rx_drord_no: p.string().length(40).nullable(),
    med_list_codg: p.string().length(50),
    medins_list_codg: p.string().length(50),
    medins_list_name: p.string().length(200).nullable(),
    fee_ocur_time: p.datetime(),
    /** Quantity in ten-thousandths. */
    cnt_e4: p.bigint('number'),
    /** Unit price in ten-thousandths of a yuan. */
    pric_e4: p.bigint('number'),
    det_item_fee_sumamt: p.bigint('number'),
    bilg_dept_codg: p.string().length(30).nullable(),
    bilg_dr_codg: p.string().length(30).nullable(),
    /** The HIS's fields, hashed: a repeated feedetl_sn is the same line only when this matches. */
    content_hash: p.string().length(64),
    chrgitm_lv: p.enum(['01', '02', '03'] as const),
    /** 先行自付比例 in millionths (the core's Ratio). */
    selfpay_prop: p.integer(),
    pric_uplmt_amt: p.bigint('number'),
    fulamt_ownpay_amt: p.bigint('number'),
    overlmt_amt: p.bigint('number'),
    preselfpay_amt: p.bigint('number'),
    inscp_scp_amt: p.bigint('number'),
    list_name: p.string().length(200).nullable(),
    explanation: p.text(),
    status: p.enum([...FEE_LINE_STATUSES]),
    created_at: p.datetime(),
    cancelled_at: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['mdtrt_id', 'feedetl_sn'] }],
});
export type FeeDetail = InferEntity<typeof FeeDetail>;
