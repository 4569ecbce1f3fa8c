import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { COMPENSATION_STATUSES, type CompensationItem, type CompensationView } from '../../cases';

/**
 * 待遇补差 parameters of an insured province, as data (brief §5 [U]): whether it pays at all, the
 * threshold the gap must exceed, the application deadline after discharge, which catalogue of its own
 * the stay is recomputed with, and the review's SLA. Validated by the settlement core on the way in
 * and out (`validateCompensationParams`).
 */
export const CompensationParam = defineEntity({
  name: 'CompensationParam',
  tableName: 'compensation_param',
  properties: (p) => ({
    /** The insured province (2-digit code + '0000'). */
    prov_admdvs: p.string().length(6).primary(),
    enabled: p.boolean(),
    /** In fen: the gap must exceed it. */
    threshold: p.bigint('number'),
    /** Days after discharge within which the citizen may apply. */
    deadline_days: p.integer(),
    /** The insured place's catalogue (就医地目录 of home) the manual claim is recomputed with. */
    catalogue_admvs: p.string().length(6),
    /** Handling staff decide within this many working days, then the supervisor within theirs. */
    review_sla_working_days: p.integer(),
    supervisor_sla_working_days: p.integer(),
    src: p.text(),
  }),
});
export type CompensationParam = InferEntity<typeof CompensationParam>;

/**
 * One 待遇补差 comparison per settlement, as last projected from its `compensation` workflow: the
 * stay view and lists read this row. The primary key is the workflow id (`compensation-<setl_id>`).
 */
export const Compensation = defineEntity({
  name: 'Compensation',
  tableName: 'compensation',
  properties: (p) => ({
    compensation_id: p.string().length(64).primary(),
    setl_id: p.string().length(40).unique(),
    mdtrt_id: p.string().length(40).index(),
    psn_no: p.string().length(30).index(),
    insuplc_admdvs: p.string().length(6),
    /** The insured province: its staff review and pay. */
    prov_admdvs: p.string().length(6).index(),
    origin: p.enum(['detected', 'applied'] as const),
    applied_by: p.string().length(64).nullable(),
    status: p.enum([...COMPENSATION_STATUSES]),
    /** In fen; null until the comparison ran. */
    direct_fund_pay: p.bigint('number').nullable(),
    recomputed_fund_pay: p.bigint('number').nullable(),
    gap: p.bigint('number'),
    steps: p.json<CompensationView['steps']>(),
    items: p.json<CompensationItem[]>(),
    /** The insured catalogue and policy version of the recomputation, for the explanation. */
    catalogue_admvs: p.string().length(6).nullable(),
    policy_id: p.string().length(64).nullable(),
    policy_version: p.integer().nullable(),
    task_id: p.string().length(80).nullable(),
    decision: p.json<CompensationView['decision']>().nullable(),
    paid_at: p.datetime().nullable(),
    /**
     * In fen, written with the payment: the gap, or what the annual caps left of it then (another stay
     * of the person may have settled since the comparison); 0 when CAP_EXHAUSTED.
     */
    paid_amount: p.bigint('number').nullable(),
    /**
     * What the payment moved in the person's accumulators of `acc_year` (written with the payment): a
     * reversal of the settlement takes exactly this back with the gap.
     */
    acc_year: p.integer().nullable(),
    accumulator_effect: p.json<Record<string, number>>().nullable(),
    created_at: p.datetime(),
    updated_at: p.datetime(),
    /** The workflow's projection counter: an older snapshot never overwrites a newer one. */
    projection_seq: p.integer(),
  }),
});
export type Compensation = InferEntity<typeof Compensation>;
