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
    open: '待认领',
    claimed: '办理中',
    escalated: '已督办',
    decided: '已办结',
    cancelled: '已取消',
  } satisfies Record<TaskStatus, string>,
  task_kind: {
    referral_review: '转诊审核',
    case_attention: '异常处理',
    compensation_review: '待遇补差审核',
  } satisfies Record<TaskKind, string>,
  task_role: { staff: '经办人员', supervisor: '经办主管', coordinator: '协同人员' } satisfies Record<
    TaskRole,
    string
  >,
  /** Who a user is, and `system` for the platform's own steps on a timeline. */
  role: {
    citizen: '参保人',
    staff: '经办人员',
    supervisor: '经办主管',
    coordinator: '协同人员',
    hospital: '定点医疗机构',
    system: '系统',
  } satisfies Record<TaskRole | 'citizen' | 'hospital' | 'system', string>,
  decision: { approve: '批准', reject: '驳回', more_info: '要求补充材料', retry: '重试' } satisfies Record<
    Decision,
    string
  >,
  /** 转诊类型 (2501 refl_fil_type). */
  refl_fil_type: { '1': '转外就医', '2': '异地急诊转诊' } as Record<string, string>,
  /** Timeline event kinds, as the citizen and staff read them. */
  event: {
    submitted: '提交备案申请',
    insured_status_checked: '参保状态核验通过',
    rejected: '备案未通过',
    active: '备案已生效',
    emergency_deemed: '急诊抢救视同备案',
    changed: '备案已变更',
    cancelled: '备案已取消',
    expired: '备案已到期',
    referral_requested: '提出转诊申请',
    review_task_opened: '进入人工审核',
    escalated: '超时未审，转主管督办',
    supervisor_overdue: '督办超时',
    decision_recorded: '审核意见已登记',
    decision_accepted: '审核意见已生效',
    decision_refused: '审核意见未被采纳',
    referral_approved: '转诊审核通过',
    referral_rejected: '转诊审核驳回',
    more_info_requested: '要求补充材料',
    more_info_answered: '已补充材料',
    referral_withdrawn: '转诊申请已撤回',
    referral_revoked: '转诊备案已撤销',
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
    compensation_detected: '待遇补差比较',
    compensation_applied: '申请待遇补差',
    compensation_not_eligible: '比较后无需补差',
    compensation_compared: '发现待遇差额',
    compensation_approved: '待遇补差审核通过',
    compensation_rejected: '待遇补差未通过',
    compensation_paid: '待遇补差已支付',
  } as Record<string, string>,
};
export type Labels = typeof LABELS;
