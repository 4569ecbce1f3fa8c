import type { CompensationStatus, StayStatus } from './hospitalization';
import type {
  CaseType,
  Decision,
  FilingCategory,
  FilingStatus,
  ReferralStatus,
  TaskKind,
  TaskRole,
  TaskStatus,
} from './types';

/**
 * The Chinese labels of the vocabulary, served to the UI by `GET /api/v1/vocabulary` (never copied
 * into it). Typed by the vocabulary, so a new status or kind without its label fails the type check.
 */
export const LABELS = {
  case_type: {
    filing: '异地就医备案',
    referral: '转诊审批',
    hospitalization: '异地住院',
    compensation: '待遇补差',
  } satisfies Record<CaseType, string>,
  category: {
    retired_resettled: '异地安置退休',
    long_term_residence: '异地长期居住',
    resident_worker: '常驻异地工作',
    referral: '异地转诊',
    emergency: '急诊抢救',
    other_temporary: '其他临时外出',
  } satisfies Record<FilingCategory, string>,
  filing_status: {
    SUBMITTED: '已提交',
    UNDER_REVIEW: '审核中',
    ACTIVE: '已生效',
    REJECTED: '未通过',
    EXPIRED: '已过期',
    CANCELLED: '已取消',
    REVOKED: '已撤销',
    NEEDS_ATTENTION: '待人工处理',
  } satisfies Record<FilingStatus, string>,
  referral_status: {
    REQUESTED: '已申请',
    UNDER_REVIEW: '审核中',
    MORE_INFO: '待补充材料',
    APPROVED: '已批准',
    REJECTED: '已驳回',
    WITHDRAWN: '已撤回',
    REVOKED: '已撤销',
  } satisfies Record<ReferralStatus, string>,
  stay_status: {
    ADMITTED: '在院',
    FEES_UPLOADED: '已上传费用',
    PRESETTLED: '已预结算',
    DISCHARGED: '已出院',
    SETTLED: '已结算',
    CANCELLED: '已撤销入院',
  } satisfies Record<StayStatus, string>,
  compensation_status: {
    DETECTED: '系统发现',
    APPLIED: '已申请',
    UNDER_REVIEW: '审核中',
    RECOMPUTED: '已重算',
    PAID: '已支付',
    REJECTED: '未通过',
    NOT_ELIGIBLE: '无需补差',
  } satisfies Record<CompensationStatus, string>,
  task_status: {
    open: '待处理',
    claimed: '已认领',
    escalated: '已督办',
    decided: '已决定',
    cancelled: '已取消',
  } satisfies Record<TaskStatus, string>,
  task_kind: {
    referral_review: '转诊审核',
    case_attention: '异常处理',
    compensation_review: '待遇补差审核',
  } satisfies Record<TaskKind, string>,
  task_role: { staff: '经办人员', supervisor: '督办人员', coordinator: '协同人员' } satisfies Record<
    TaskRole,
    string
  >,
  decision: { approve: '批准', reject: '驳回', more_info: '补充材料', retry: '重试' } satisfies Record<
    Decision,
    string
  >,
  /** Timeline event kinds, as the citizen and staff read them. */
  event: {
    submitted: '提交备案',
    insured_status_checked: '参保状态核验通过',
    rejected: '备案未通过',
    active: '备案生效',
    emergency_deemed: '急诊视同备案',
    changed: '备案变更',
    cancelled: '备案取消',
    expired: '备案到期',
    referral_requested: '转诊申请',
    review_task_opened: '进入审核',
    escalated: '超时督办',
    supervisor_overdue: '督办超时',
    decision_recorded: '审核决定已记录',
    decision_accepted: '审核决定已生效',
    decision_refused: '审核决定未被采纳',
    referral_approved: '转诊批准',
    referral_rejected: '转诊驳回',
    more_info_requested: '要求补充材料',
    more_info_answered: '已补充材料',
    referral_withdrawn: '转诊撤回',
    referral_revoked: '转诊撤销 (2502)',
    needs_attention: '处理失败，待人工处理',
    attention_retried: '人工处理：重试',
    stay_admitted: '入院办理 (2401)',
    stay_changed: '入院信息变更 (2403)',
    stay_cancelled: '入院撤销 (2404)',
    fees_uploaded: '费用明细上传 (2301)',
    fees_cancelled: '费用明细撤销 (2302)',
    presettled: '预结算 (2303)',
    discharged: '出院办理 (2402)',
    discharge_cancelled: '出院撤销 (2405)',
    retro_filing_found: '补备案已生效',
    settled: '结算 (2304)',
    settlement_reversed: '结算撤销 (2305)',
  } as Record<string, string>,
};
export type Labels = typeof LABELS;
