import { defineEntity, type InferEntity } from '@mikro-orm/core';
import {
  CASE_TYPES,
  DECISIONS,
  FILING_CATEGORIES,
  FILING_STATUSES,
  REFERRAL_STATUSES,
  TASK_ROLES,
  TASK_STATUSES,
} from '../../cases';

/**
 * 异地就医备案, as last projected from its `filing` workflow: list views read this row, never the
 * workflow. The primary key is the workflow id (`filing-<psn_no>-<n>`). One definition: the row type,
 * the projection snapshot (`activities/projection.ts`) and the views derive from it.
 */
export const Filing = defineEntity({
  name: 'Filing',
  tableName: 'filing',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    psn_no: p.string().length(30).index(),
    insuplc_admdvs: p.string().length(6),
    /** The insured province: the agency that owns the case and the staff who may see it. */
    prov_admdvs: p.string().length(6).index(),
    category: p.enum([...FILING_CATEGORIES]),
    status: p.enum([...FILING_STATUSES]),
    /** Treatment place: a province for 直辖市/海南/西藏…, else a city (2501 body spelling). */
    mdtrtarea_admdvs: p.string().length(6),
    fixmedins_code: p.string().length(30).nullable(),
    begndate: p.date(),
    enddate: p.date().nullable(),
    commitment: p.boolean(),
    /** 视同已备案: an emergency filing deemed at admission. */
    deemed: p.boolean(),
    /** 补备案: filed after admission, before discharge settlement. */
    retro: p.boolean(),
    trt_dcla_detl_sn: p.string().length(40).nullable().unique(),
    /** When the filing took effect; the long-term change lock counts from here. */
    effective_at: p.datetime().nullable(),
    reason: p.text().nullable(),
    memo: p.text().nullable(),
    form: p.json<Record<string, unknown>>(),
    created_at: p.datetime(),
    updated_at: p.datetime(),
    /** The workflow's projection counter: an older snapshot never overwrites a newer one. */
    projection_seq: p.integer(),
  }),
});
export type Filing = InferEntity<typeof Filing>;

/** 转诊备案 (2501), projected with its filing; revoked by 2502 semantics. */
export const Referral = defineEntity({
  name: 'Referral',
  tableName: 'referral',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    filing_id: p.string().length(64).index(),
    psn_no: p.string().length(30),
    prov_admdvs: p.string().length(6),
    status: p.enum([...REFERRAL_STATUSES]),
    refl_fil_type: p.string().length(6),
    mdtrtarea_admdvs: p.string().length(6),
    fixmedins_code: p.string().length(30).nullable(),
    trt_dcla_detl_sn: p.string().length(40).nullable(),
    reason: p.text().nullable(),
    memo: p.text().nullable(),
    escalated: p.boolean(),
    summary: p.json<Record<string, unknown>>(),
    updated_at: p.datetime(),
    projection_seq: p.integer(),
  }),
});
export type Referral = InferEntity<typeof Referral>;

/** A column value as JSON carries it: an instant becomes its ISO string (distributes over `| null`). */
type Json<V> = V extends Date ? string : V;
/** A row as a workflow hands it to a projection activity. */
export type Snapshot<T> = { [K in keyof T as K extends string ? K : never]: Json<T[K]> };

/**
 * A human step: opened by a case workflow (the human-task helper), decided through the API. It belongs
 * to one side — a province and a role — so a case shared by two provinces holds a task per side.
 */
export const HumanTask = defineEntity({
  name: 'HumanTask',
  tableName: 'human_task',
  properties: (p) => ({
    id: p.string().length(80).primary(),
    case_id: p.string().length(64).index(),
    case_type: p.enum([...CASE_TYPES]).default('filing'),
    workflow_id: p.string().length(80),
    /** A key of TASK_KINDS: which decisions it takes and which need a reason. */
    kind: p.string().length(32),
    /** The side's role: `staff` at first, the next role of the escalation chain once the SLA lapsed. */
    role: p.enum([...TASK_ROLES]),
    /** The side's province: only its people see and act on the task. */
    prov_admdvs: p.string().length(6).index(),
    assignee: p.string().length(64).nullable(),
    status: p.enum([...TASK_STATUSES]),
    due_at: p.datetime(),
    escalated_at: p.datetime().nullable(),
    decision: p.enum([...DECISIONS]).nullable(),
    decision_id: p.uuid().nullable(),
    reason: p.text().nullable(),
    decided_by: p.string().length(64).nullable(),
    decided_at: p.datetime().nullable(),
    summary: p.json<Record<string, unknown>>(),
    created_at: p.datetime(),
    version: p.integer().version(),
  }),
});
export type HumanTask = InferEntity<typeof HumanTask>;

export const DECISION_OUTCOMES = ['pending', 'accepted', 'refused'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/**
 * A decision as a person took it: written before it is delivered (the outbox, for a Temporal outage),
 * then marked with what the case answered — accepted, or refused with the case's reason. Its id is the
 * Temporal update id, so a redelivery is deduplicated by Temporal itself.
 */
export const TaskDecision = defineEntity({
  name: 'TaskDecision',
  tableName: 'task_decision',
  properties: (p) => ({
    id: p.uuid().primary(),
    task_id: p.string().length(80).index(),
    case_id: p.string().length(64),
    workflow_id: p.string().length(80),
    decision: p.enum([...DECISIONS]),
    reason: p.text().nullable(),
    decided_by: p.string().length(64),
    /** The role the decider acted in (the task's side at the time). */
    role: p.enum([...TASK_ROLES]),
    decided_at: p.datetime(),
    outcome: p.enum([...DECISION_OUTCOMES]).index(),
    /** The case's refusal: a stable code (e.g. TASK_NOT_CURRENT) and its Chinese message. */
    refusal_code: p.string().length(40).nullable(),
    refusal_reason: p.text().nullable(),
    resolved_at: p.datetime().nullable(),
  }),
});
export type TaskDecision = InferEntity<typeof TaskDecision>;

/** One step of a case's timeline, as the citizen and staff see it. */
export const CaseEvent = defineEntity({
  name: 'CaseEvent',
  tableName: 'case_event',
  properties: (p) => ({
    /** `<case id>:<seq>` from the workflow, so an activity retry writes it once. */
    id: p.string().length(120).primary(),
    case_id: p.string().length(64).index(),
    at: p.datetime(),
    actor: p.string().length(64),
    kind: p.string().length(40),
    detail: p.json<Record<string, unknown>>(),
  }),
});
export type CaseEvent = InferEntity<typeof CaseEvent>;

/** The first answer to a POST with an `Idempotency-Key`, replayed for a repeat of the same request. */
export const IdempotencyRecord = defineEntity({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_record',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    key: p.string().length(128),
    user_id: p.uuid(),
    request_hash: p.string().length(64),
    case_id: p.string().length(64).nullable(),
    status: p.integer().nullable(),
    response: p.json<Record<string, unknown>>().nullable(),
    created_at: p.datetime(),
  }),
  uniques: [{ properties: ['user_id', 'key'] }],
});
export type IdempotencyRecord = InferEntity<typeof IdempotencyRecord>;
