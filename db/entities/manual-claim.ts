import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { MANUAL_CLAIM_STATUSES } from '../../cases';

/**
 * 手工报销 of a stay that left direct settlement (a ticket's convert_manual), as last projected from
 * its `manualClaim` workflow: computed at the insured place under its own catalogue and policy,
 * reviewed by its staff, paid through the ledger once. The primary key is the workflow id.
 */
export const ManualClaim = defineEntity({
  name: 'ManualClaim',
  tableName: 'manual_claim',
  properties: (p) => ({
    claim_id: p.string().length(64).primary(),
    mdtrt_id: p.string().length(40).unique(),
    ticket_id: p.string().length(64),
    psn_no: p.string().length(30).index(),
    insuplc_admdvs: p.string().length(6),
    /** The insured province: its staff review and pay. */
    prov_admdvs: p.string().length(6).index(),
    status: p.enum([...MANUAL_CLAIM_STATUSES]),
    /** In fen, from the settlement core (null until computed). */
    medfee_sumamt: p.bigint('number').nullable(),
    fund_pay_sumamt: p.bigint('number').nullable(),
    psn_part_amt: p.bigint('number').nullable(),
    catalogue_admvs: p.string().length(6).nullable(),
    policy_id: p.string().length(64).nullable(),
    policy_version: p.integer().nullable(),
    task_id: p.string().length(80).nullable(),
    decision: p.json<{ decision: string; reason: string | null; decided_at: string } | null>().nullable(),
    paid_at: p.datetime().nullable(),
    /** In fen, written with the payment: `fund_pay_sumamt`, or what the annual caps left of it then. */
    paid_amount: p.bigint('number').nullable(),
    created_at: p.datetime(),
    updated_at: p.datetime(),
    projection_seq: p.integer(),
  }),
});
export type ManualClaim = InferEntity<typeof ManualClaim>;
