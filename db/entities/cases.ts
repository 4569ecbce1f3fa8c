import { defineEntity, EntitySchema, type InferEntity } from '@mikro-orm/core';
import {
  CASE_TYPES,
  type CaseType,
  DECISIONS,
  type Decision,
  FILING_CATEGORIES,
  FILING_STATUSES,
  REFERRAL_STATUSES,
  TASK_ROLES,
  TASK_STATUSES,
  type TaskRole,
  type TaskStatus,
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
export class HumanTask {
  id!: string;
  case_id!: string;
  case_type!: CaseType;
  workflow_id!: string;
  /** A key of TASK_KINDS: which decisions it takes and which need a reason. */
  kind!: string;
  /** The side's role: `staff` at first, the next role of the escalation chain once the SLA lapsed. */
  role!: TaskRole;
  /** The side's province: only its people see and act on the task. */
  prov_admdvs!: string;
  assignee!: string | null;
  status!: TaskStatus;
  due_at!: Date;
  escalated_at!: Date | null;
  decision!: Decision | null;
  decision_id!: string | null;
  reason!: string | null;
  decided_by!: string | null;
  decided_at!: Date | null;
  summary!: Record<string, unknown>;
  created_at!: Date;
  version!: number;
}

export const HumanTaskSchema = new EntitySchema<HumanTask>({
  class: HumanTask,
  tableName: 'human_task',
  properties: {
    id: { type: 'string', length: 80, primary: true },
    case_id: { type: 'string', length: 64, index: true },
    case_type: { enum: true, items: () => [...CASE_TYPES], default: 'filing' },
    workflow_id: { type: 'string', length: 80 },
    kind: { type: 'string', length: 32 },
    role: { enum: true, items: () => [...TASK_ROLES] },
    prov_admdvs: { type: 'string', length: 6, index: true },
    assignee: { type: 'string', length: 64, nullable: true },
    status: { enum: true, items: () => [...TASK_STATUSES] },
    due_at: { type: 'datetime' },
    escalated_at: { type: 'datetime', nullable: true },
    decision: { enum: true, items: () => [...DECISIONS], nullable: true },
    decision_id: { type: 'uuid', nullable: true },
    reason: { type: 'text', nullable: true },
    decided_by: { type: 'string', length: 64, nullable: true },
    decided_at: { type: 'datetime', nullable: true },
    summary: { type: 'json' },
    created_at: { type: 'datetime' },
    version: { type: 'integer', version: true },
  },
});

export const DECISION_OUTCOMES = ['pending', 'accepted', 'refused'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/**
 * A decision as a person took it: written before it is delivered (the outbox, for a Temporal outage),
 * then marked with what the case answered — accepted, or refused with the case's reason. Its id is the
 * Temporal update id, so a redelivery is deduplicated by Temporal itself.
 */
export class TaskDecision {
  id!: string;
  task_id!: string;
  case_id!: string;
  workflow_id!: string;
  decision!: Decision;
  reason!: string | null;
  decided_by!: string;
  /** The role the decider acted in (the task's side at the time). */
  role!: TaskRole;
  decided_at!: Date;
  outcome!: DecisionOutcome;
  /** The case's refusal: a stable code (e.g. TASK_NOT_CURRENT) and its Chinese message. */
  refusal_code!: string | null;
  refusal_reason!: string | null;
  resolved_at!: Date | null;
}

export const TaskDecisionSchema = new EntitySchema<TaskDecision>({
  class: TaskDecision,
  tableName: 'task_decision',
  properties: {
    id: { type: 'uuid', primary: true },
    task_id: { type: 'string', length: 80, index: true },
    case_id: { type: 'string', length: 64 },
    workflow_id: { type: 'string', length: 80 },
    decision: { enum: true, items: () => [...DECISIONS] },
    reason: { type: 'text', nullable: true },
    decided_by: { type: 'string', length: 64 },
    role: { enum: true, items: () => [...TASK_ROLES] },
    decided_at: { type: 'datetime' },
    outcome: { enum: true, items: () => [...DECISION_OUTCOMES], index: true },
    refusal_code: { type: 'string', length: 40, nullable: true },
    refusal_reason: { type: 'text', nullable: true },
    resolved_at: { type: 'datetime', nullable: true },
  },
});

/** One step of a case's timeline, as the citizen and staff see it. */
export class CaseEvent {
  /** `<case id>:<seq>` from the workflow, so an activity retry writes it once. */
  id!: string;
  case_id!: string;
  at!: Date;
  actor!: string;
  kind!: string;
  detail!: Record<string, unknown>;
}

export const CaseEventSchema = new EntitySchema<CaseEvent>({
  class: CaseEvent,
  tableName: 'case_event',
  properties: {
    id: { type: 'string', length: 120, primary: true },
    case_id: { type: 'string', length: 64, index: true },
    at: { type: 'datetime' },
    actor: { type: 'string', length: 64 },
    kind: { type: 'string', length: 40 },
    detail: { type: 'json' },
  },
});

/** The first answer to a POST with an `Idempotency-Key`, replayed for a repeat of the same request. */
export class IdempotencyRecord {
  id!: number;
  key!: string;
  user_id!: string;
  request_hash!: string;
  case_id!: string | null;
  status!: number | null;
  response!: Record<string, unknown> | null;
  created_at!: Date;
}

export const IdempotencyRecordSchema = new EntitySchema<IdempotencyRecord>({
  class: IdempotencyRecord,
  tableName: 'idempotency_record',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    key: { type: 'string', length: 128 },
    user_id: { type: 'uuid' },
    request_hash: { type: 'string', length: 64 },
    case_id: { type: 'string', length: 64, nullable: true },
    status: { type: 'integer', nullable: true },
    response: { type: 'json', nullable: true },
    created_at: { type: 'datetime' },
  },
  uniques: [{ properties: ['user_id', 'key'] }],
});
