import type { FilingCategory, Role } from './api/types';

/** Chinese labels for the API's codes; a code without a label is shown as it is. */
export const categoryLabel: Record<FilingCategory, string> = {
  retired_resettled: '异地安置退休',
  long_term_residence: '异地长期居住',
  resident_worker: '常驻异地工作',
  referral: '异地转诊',
  emergency: '急诊抢救',
  other_temporary: '其他临时外出',
};

export const LONG_TERM: readonly FilingCategory[] = [
  'retired_resettled',
  'long_term_residence',
  'resident_worker',
];

export const statusLabel: Record<string, string> = {
  SUBMITTED: '已提交',
  UNDER_REVIEW: '审核中',
  ACTIVE: '已生效',
  REJECTED: '未通过',
  EXPIRED: '已过期',
  CANCELLED: '已取消',
  REVOKED: '已撤销',
  NEEDS_ATTENTION: '待人工处理',
  REQUESTED: '已申请',
  MORE_INFO: '待补充材料',
  APPROVED: '已批准',
  WITHDRAWN: '已撤回',
  open: '待认领',
  claimed: '办理中',
  escalated: '已督办',
  decided: '已办结',
  cancelled: '已取消',
};

/** Element Plus tag colours per status. */
export const statusType: Record<string, 'primary' | 'success' | 'info' | 'warning' | 'danger'> = {
  SUBMITTED: 'info',
  UNDER_REVIEW: 'warning',
  ACTIVE: 'success',
  REJECTED: 'danger',
  EXPIRED: 'info',
  CANCELLED: 'info',
  REVOKED: 'danger',
  NEEDS_ATTENTION: 'warning',
  MORE_INFO: 'warning',
  APPROVED: 'success',
  open: 'primary',
  claimed: 'warning',
  escalated: 'danger',
  decided: 'success',
  cancelled: 'info',
};

export const decisionLabel: Record<string, string> = {
  approve: '批准',
  reject: '驳回',
  more_info: '要求补充材料',
  retry: '重试',
};

export const roleLabel: Record<Role | 'system', string> = {
  citizen: '参保人',
  staff: '经办人员',
  supervisor: '经办主管',
  coordinator: '协同人员',
  hospital: '定点医疗机构',
  system: '系统',
};

export const eventLabel: Record<string, string> = {
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
  referral_approved: '转诊审核通过',
  referral_rejected: '转诊审核驳回',
  more_info_requested: '要求补充材料',
  more_info_answered: '已补充材料',
  referral_withdrawn: '转诊申请已撤回',
  referral_revoked: '转诊备案已撤销',
};

export const reflFilTypeLabel: Record<string, string> = { '1': '转外就医', '2': '异地急诊转诊' };

/** Chinese text per problem `code`; the API's own detail is used when a code is not listed. */
export const problemText: Record<string, string> = {
  NETWORK: '无法连接服务器，请检查网络后重试',
  LOGIN_FAILED: '用户名或密码错误',
  UNAUTHENTICATED: '登录已过期，请重新登录',
  VALIDATION_FAILED: '填写的内容有误，请按提示修改',
  NOT_FOUND: '未找到该记录，或您无权查看',
  FORBIDDEN_ROLE: '您的账号无权执行此操作',
  TASK_NOT_CLAIMABLE: '该任务已被他人认领或已不可认领',
  TASK_NOT_CLAIMED: '该任务未由您认领',
  TASK_ALREADY_DECIDED: '该任务已有审核结论',
  TASK_CANCELLED: '申请人已撤回，该任务已取消',
  TASK_ESCALATED: '该任务已超时转主管督办，请由主管处理',
  TASK_CLAIMED_BY_OTHER: '该任务已被其他经办人员认领',
  TASK_CHANGED: '任务已被更新，请刷新后重试',
  TASK_NOT_OPEN: '该任务已办结或已取消，不能改派',
  TASK_NOT_CURRENT: '该任务已不是本案当前的审核轮次',
  ALREADY_DECIDED: '本轮审核已有结论',
  USER_NOT_FOUND: '本省没有可接手该任务的人员',
  CASE_CLOSED: '该事项已办结，操作未生效',
  CASE_REFUSED: '当前状态不允许此操作',
  DECISION_DELIVERY_PENDING: '审核意见已保存，正在送达业务流程，稍后自动生效',
  DECISION_NOT_RECORDED: '审核意见未能保存，请重试',
  FILING_CONCURRENT: '同时提交了另一份备案，请重试',
  WORKFLOW_UNAVAILABLE: '业务服务暂时不可用，未做任何更改，请稍后重试',
  NO_MORE_INFO_PENDING: '当前没有待补充的材料',
  REFERRAL_NOT_APPROVED: '只有已批准的转诊可以撤销',
  IDEMPOTENCY_KEY_REUSED: '重复提交的内容不一致，请刷新后重试',
  DOCUMENT_TYPE_NOT_ALLOWED: '只能上传 PDF、JPG 或 PNG 文件',
  DOCUMENT_TOO_LARGE: '单个文件不能超过 5 MB',
  DOCUMENT_EMPTY: '文件没有内容，请重新选择',
};

export const label = (table: Record<string, string>, value: string | null | undefined): string =>
  value ? (table[value] ?? value) : '';

export const taskKindLabel: Record<string, string> = {
  referral_review: '转诊审核',
  case_attention: '异常处理',
};
