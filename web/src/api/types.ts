/** The API's answers as the web app reads them (README and /api/v1/openapi.json). */

export type Role = 'citizen' | 'staff' | 'supervisor' | 'coordinator' | 'hospital';

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  prov_admdvs: string | null;
  psn_no: string | null;
  fixmedins_code: string | null;
}

export interface Session {
  token: string;
  user: User;
}

export type FilingCategory =
  | 'retired_resettled'
  | 'long_term_residence'
  | 'resident_worker'
  | 'referral'
  | 'emergency'
  | 'other_temporary';

export type FilingStatus =
  | 'SUBMITTED'
  | 'UNDER_REVIEW'
  | 'ACTIVE'
  | 'REJECTED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'REVOKED'
  /** A case step that can never succeed: a `case_attention` task is open for the province's staff. */
  | 'NEEDS_ATTENTION';

export type ReferralStatus =
  | 'REQUESTED'
  | 'UNDER_REVIEW'
  | 'MORE_INFO'
  | 'APPROVED'
  | 'REJECTED'
  | 'WITHDRAWN'
  | 'REVOKED';

export type TaskStatus = 'open' | 'claimed' | 'escalated' | 'decided' | 'cancelled';
export type Decision = 'approve' | 'reject' | 'more_info' | 'retry';

export interface Admdvs {
  admdvs: string;
  admdvs_name: string;
  prov_admdvs: string;
}

export interface Filing {
  id: string;
  psn_no: string;
  insuplc_admdvs: string;
  prov_admdvs: string;
  category: FilingCategory;
  status: FilingStatus;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  begndate: string;
  enddate: string | null;
  commitment: boolean;
  deemed: boolean;
  retro: boolean;
  trt_dcla_detl_sn: string | null;
  effective_at: string | null;
  /** End of the long-term lock (no change or cancel before it); null when none applies. */
  locked_until?: string | null;
  reason: string | null;
  memo: string | null;
  created_at: string;
  updated_at: string;
}

export interface ReferralForm {
  refl_fil_type: string;
  diag_code?: string;
  diag_name: string;
  refl_hosp_name: string;
  refl_opinion?: string;
  documents: string[];
}

export interface FilingCreate {
  category: FilingCategory;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  begndate: string;
  enddate: string | null;
  commitment: boolean;
  tel: string;
  addr?: string;
  emergency_adm_date: string | null;
  referral: ReferralForm | null;
  memo?: string;
}

export interface FilingChange {
  mdtrtarea_admdvs?: string;
  fixmedins_code?: string | null;
  enddate?: string | null;
  memo: string;
}

export interface TimelineEvent {
  at: string;
  actor: string;
  /** Who acted, by name and role, when the API knows them. */
  actor_name?: string;
  actor_role?: Role | 'system';
  kind: string;
  detail: Record<string, unknown> | null;
}

export interface Task {
  id: string;
  case_id: string;
  kind: string;
  role: 'staff' | 'supervisor';
  prov_admdvs: string;
  assignee: string | null;
  status: TaskStatus;
  due_at: string | null;
  escalated_at: string | null;
  decision: Decision | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
  summary: Record<string, unknown> | null;
  created_at: string;
  version: number;
}

/** A decision as recorded and what the case answered: accepted, refused (with its code and reason) or pending. */
export interface TaskDecisionRecord {
  id: string;
  decision: Decision;
  reason: string | null;
  decided_by: string;
  decided_at: string;
  outcome: 'pending' | 'accepted' | 'refused';
  refusal_code: string | null;
  refusal_reason: string | null;
}

/** `GET /tasks/{id}`'s task: with every decision made on it. */
export interface TaskWithDecisions extends Task {
  decisions: TaskDecisionRecord[];
}

/** Someone of the province a supervisor can hand a task to. */
export interface Colleague {
  username: string;
  display_name: string;
}

export interface Referral {
  id: string;
  status: ReferralStatus;
  refl_fil_type: string;
  trt_dcla_detl_sn: string | null;
  reason: string | null;
  memo: string | null;
  escalated: boolean;
  summary: Record<string, unknown> | null;
  updated_at: string;
}

export interface CaseDocument {
  id: string;
  name: string;
  content_type: string;
  size: number;
  uploaded_by: string;
  created_at: string;
}

export interface CaseDetail {
  filing: Filing & { form: Partial<FilingCreate> | null };
  referral: Referral | null;
  timeline: TimelineEvent[];
  tasks: Task[];
  /** Uploaded files (absent from an API without uploads). */
  documents?: CaseDocument[];
}

/** A filing as the hospital sees it before admission (`GET /api/v1/hospital/persons/{psn_no}`). */
export interface HospitalFiling {
  category: FilingCategory;
  status: FilingStatus;
  mdtrtarea_admdvs: string;
  begndate: string;
  enddate: string | null;
}

/** `GET /api/v1/demo/scenarios/hainan`: the seed story as national transactions (`{{mdtrt_id}}` to fill in). */
export interface HainanScenario {
  title: string;
  story: string;
  person: { psn_no: string; psn_name: string; certno: string; insutype: string; insuplc_admdvs: string };
  expected: Record<string, string>;
  steps: { infno: string; input: Record<string, unknown> }[];
}

/** `GET /tasks/{id}`'s case for a 待遇补差 review: the comparison, the stay and the comparison's timeline. */
export interface CompensationCase {
  case_type: 'compensation';
  compensation: CompensationView;
  origin: 'detected' | 'applied';
  applied_by: string | null;
  catalogue_admvs: string;
  policy: { policy_id: string; version: number } | null;
  stay: Pick<
    StaySummary,
    | 'mdtrt_id'
    | 'psn_no'
    | 'psn_name'
    | 'fixmedins_code'
    | 'fixmedins_name'
    | 'mdtrtarea_admvs'
    | 'insuplc_admdvs'
    | 'begntime'
    | 'endtime'
    | 'medfee_sumamt'
    | 'fund_pay_sumamt'
  > | null;
  timeline: StayView['timeline'];
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface TaskQuery {
  status?: TaskStatus;
  mine?: 'true' | 'false';
  psn_no?: string;
  sort?: TaskSort;
  page?: number;
  page_size?: number;
}

export interface FieldError {
  path: string;
  message: string;
}

export type TaskSort = 'due_at' | '-due_at' | 'created_at' | '-created_at' | 'kind' | '-kind';

/** Per task kind, the decisions it takes and which need a reason: the server's rules. */
export interface TaskKindRule {
  decisions: Decision[];
  reason_required: Decision[];
}

/** `GET /api/v1/vocabulary`: the case vocabulary and its Chinese labels (the server's `cases/`). */
export interface Vocabulary {
  filing_categories: FilingCategory[];
  long_term_categories: FilingCategory[];
  task_kinds: Record<string, TaskKindRule>;
  labels: {
    case_type: Record<string, string>;
    category: Record<string, string>;
    filing_status: Record<string, string>;
    referral_status: Record<string, string>;
    stay_status: Record<string, string>;
    compensation_status: Record<string, string>;
    task_status: Record<string, string>;
    task_kind: Record<string, string>;
    decision: Record<string, string>;
    role: Record<string, string>;
    event: Record<string, string>;
    refl_fil_type: Record<string, string>;
  };
}

/** The national platform's answer envelope (`POST /api/v1/hospital/transactions`). */
export interface EnvelopeAnswer<T> {
  infcode: number | string;
  inf_refmsgid: string;
  refmsg_time: string;
  respond_time: string;
  err_msg: string;
  output: T;
}

import type { CompensationView, StaySummary, StayView } from '../../../cases/hospitalization';

/** 问题协同, 费用协查, 清算 and 预付金, 运行监测: the contract of `cases/coordination.ts`, as types only. */
export type {
  AdvanceFundLevel,
  AdvanceFundView,
  ClearingLine,
  ClearingStatementView,
  ClearingStatus,
  FeeCheckBatchView,
  FeeCheckCandidateView,
  FeeCheckItemView,
  FeeCheckView,
  MonitoringView,
  Side,
  SlaState,
  TicketAction,
  TicketActionView,
  TicketBoard,
  TicketCategory,
  TicketCommentView,
  TicketStatus,
  TicketSummary,
  TicketView,
} from '../../../cases/coordination';
/** The money path's read views: the contract of `cases/hospitalization.ts`, imported as types only. */
export type {
  CompensationItem,
  CompensationStatus,
  CompensationView,
  Diagnosis,
  FeeLineView,
  SettlementView,
  StayStatus,
  StaySummary,
  StayView,
} from '../../../cases/hospitalization';
export type { ChrgitmLv, SetlDetail, Setlinfo } from '../../../settlement';

/** GET /tickets filters (routes.md): each optional, all kept in the page's URL query. */
export interface TicketQuery {
  insured_prov?: string;
  treatment_prov?: string;
  category?: string;
  status?: string;
  sla_state?: string;
  first_responder?: string;
}

export interface TicketAttachment {
  document_id: string;
  filename: string;
  content_type: string;
  size: number;
}

/** GET /clearing/:clr_month/:pair_id/settlements: one row per settlement of the pair's month (routes.md). */
export interface ClearingSettlementRow {
  setl_id: string;
  mdtrt_id: string;
  insutype: string;
  fixmedins_code: string;
  fixmedins_name: string;
  psn_name: string;
  setl_time: string;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  acct_pay: number;
  maf_pay: number;
  reversed: boolean;
  fee_check_id: string | null;
}
