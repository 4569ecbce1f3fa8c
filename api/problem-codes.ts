import type { RefusalCode, TicketRefusalCode } from '../cases';

/**
 * Every machine `code` a problem+json answer can carry, with its HTTP status and what it means.
 * Clients branch on the code, never on the (Chinese) title or detail; the OpenAPI document lists this
 * catalogue, and `HttpProblem` accepts no code that is not here. A new code is added here first.
 */
export const PROBLEM_CODES = {
  // Requests the API cannot read
  VALIDATION_FAILED: { status: 400, meaning: '请求内容有误：`errors` 逐项列出字段和修改方法' },
  MALFORMED_JSON: { status: 400, meaning: '请求体不是合法的 JSON' },
  BAD_REQUEST: { status: 400, meaning: '请求无法读取（编码、字符集或传输中断）' },
  BAD_PATH: { status: 400, meaning: '地址中含有无法解码的字符' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: '请求体过大' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: '请求体的编码或字符集不受支持（请用 UTF-8 JSON）' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, meaning: 'Idempotency-Key 格式不正确' },
  // Who is asking
  UNAUTHENTICATED: { status: 401, meaning: '未登录或令牌无效、已过期' },
  LOGIN_FAILED: { status: 401, meaning: '用户名或密码错误' },
  FORBIDDEN_ROLE: { status: 403, meaning: '当前角色不能执行此操作' },
  NOT_FOUND: { status: 404, meaning: '资源不存在，或当前用户无权查看' },
  // Documents
  DOCUMENT_TYPE_NOT_ALLOWED: { status: 415, meaning: '只接受 PDF、JPG、PNG 文件；未保存' },
  DOCUMENT_TOO_LARGE: { status: 413, meaning: '文件超过大小上限；未保存' },
  DOCUMENT_EMPTY: { status: 400, meaning: '文件是空的；未保存' },
  // Idempotency
  IDEMPOTENCY_KEY_REUSED: { status: 422, meaning: '同一 Idempotency-Key 曾用于内容不同的请求' },
  IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    meaning: '同一 Idempotency-Key 的首个请求仍在处理中；按 Retry-After 稍后重试即得到同一答复',
  },
  // Business guards on filing
  FILING_DUPLICATE: {
    status: 409,
    meaning: '已有相同的备案（同一人、类别、就医地、开始日期）在审核中或有效；`existing_id` 给出其编号',
  },
  LONG_TERM_FILING_EXISTS: {
    status: 409,
    meaning: '已有有效的长期备案；请对其办理变更；`existing_id` 给出其编号',
  },
  REFERRAL_DUPLICATE: { status: 409, meaning: '已有转往同一就医地的转诊在办理中；`existing_id` 给出其编号' },
  // The case refused or has ended
  CASE_REFUSED: { status: 409, meaning: '案件当前状态不允许此操作（如长期备案锁定期内）' },
  CASE_CLOSED: { status: 409, meaning: '案件已结束，不能再操作' },
  NO_MORE_INFO_PENDING: { status: 409, meaning: '没有等待补充材料的请求' },
  REFERRAL_NOT_APPROVED: { status: 409, meaning: '只有已批准的转诊可以撤销' },
  FILING_LOCKED: { status: 409, meaning: '长期备案生效后锁定期内不能变更或取消' },
  FILING_NOT_ACTIVE: { status: 409, meaning: '只有已生效的备案可以变更' },
  REVIEW_DECIDED: { status: 409, meaning: '审核已有结论，不能再取消；`decided_by` 给出决定人' },
  REVOKE_NOT_ALLOWED: { status: 409, meaning: '只有已生效、流水号与人员编号相符的转诊备案可以撤销' },
  CASE_WITHDRAWN: { status: 409, meaning: '参保人已取消该案件，审核结论不再适用' },
  // 待遇补差
  COMPENSATION_NOT_SETTLED: { status: 409, meaning: '该住院尚无有效结算，结算后才能申请待遇补差' },
  COMPENSATION_NOT_OFFERED: { status: 409, meaning: '参保地未开展待遇补差' },
  COMPENSATION_DEADLINE_PASSED: {
    status: 409,
    meaning: '已超过出院后的申请期限；`dscg_date` 与 `deadline` 给出出院日期和最后申请日',
  },
  // 费用协查
  FEE_CHECK_NOT_ELIGIBLE: {
    status: 409,
    meaning: '结算的医疗费总额低于协查起点（`threshold` 给出起点，分）',
  },
  FEE_CHECK_DUPLICATE: { status: 409, meaning: '该结算已有费用协查；`existing_id` 给出其编号' },
  FEE_CHECK_NOT_SETTLED: { status: 409, meaning: '只有有效（未撤销）的结算可以协查' },
  FEE_CHECK_WRONG_SIDE: {
    status: 403,
    meaning: '此操作属于另一方：参保地发起和确认协查，就医地答复',
  },
  FEE_CHECK_BATCH_NOT_OPEN: { status: 409, meaning: '协查批次已冻结' },
  FEE_CHECK_NOT_FROZEN: { status: 409, meaning: '协查批次尚未冻结，冻结后就医地才能答复' },
  FEE_CHECK_BATCH_CLOSED: {
    status: 409,
    meaning: '协查批次的答复期已结束（或该协查已转入下一批次）；未记录',
  },
  FEE_CHECK_ALREADY_ANSWERED: { status: 409, meaning: '该费用明细已答复' },
  FEE_CHECK_NOT_ANSWERED: { status: 409, meaning: '就医地尚未答复或答复期未结束，暂不能确认' },
  FEE_CHECK_ALREADY_CONFIRMED: { status: 409, meaning: '该协查已确认' },
  FEE_CHECK_AMOUNT_INVALID: {
    status: 400,
    meaning: '核查有误须填写原因和金额，金额大于 0 且不超过该项费用；或明细不在本次协查中',
  },
  // 问题协同
  TICKET_NOT_FOUND: { status: 404, meaning: '没有该问题协同，或当前用户无权查看（与不存在同样答复）' },
  TICKET_CLOSED: {
    status: 409,
    meaning: '问题协同已办结（已解决、转手工报销或撤回），不能再操作；未记录任何内容',
  },
  TICKET_WRONG_SIDE: {
    status: 409,
    meaning: '该操作不属于当前用户所在的一方（参保地/就医地），请由对方协同人员办理',
  },
  TICKET_ACTION_UNKNOWN: { status: 400, meaning: '没有这项处理操作；可用操作见 `allowed_actions`' },
  TICKET_PARAMS_INVALID: { status: 400, meaning: '处理操作的参数不完整或取值不对；`detail` 说明如何填写' },
  TICKET_ALREADY_OPEN: { status: 409, meaning: '该住院已有办理中的问题协同；`ticket_id` 给出其编号' },
  TICKET_STAY_UNREACHABLE: {
    status: 409,
    meaning: '未能通知该住院的结算流程（流程已结束或不存在），问题协同状态未改变；请核对住院状态后再办理',
  },
  TICKET_NOT_A_SIDE: { status: 403, meaning: '只有参保地或就医地的协同人员可以评论和操作' },
  // 清算 and 预付金
  CLEARING_MONTH_DONE: { status: 409, meaning: '该月已清算（或正在清算），不能再次清算' },
  CLEARING_MONTH_OPEN: { status: 409, meaning: '该月尚未结束，月末之后才能清算' },
  CLEARING_NOT_FOUND: { status: 404, meaning: '没有该月该省份对的清算单，或当前用户无权查看' },
  CLEARING_WRONG_SIDE: { status: 403, meaning: '当前省份不是该操作的一方（如拨付只能由参保地登记）' },
  CLEARING_CLOSED: { status: 409, meaning: '清算单已拨付或已对账，不能再操作' },
  CLEARING_NOT_ALLOWED: {
    status: 409,
    meaning: '清算单当前状态不允许此操作（已确认、有异议待重新清算、尚未双方确认等）',
  },
  CLEARING_TICKET_SETTLEMENT_INVALID: {
    status: 422,
    meaning: '发起对账问题协同的结算不在该清算单中，或没有对应的住院',
  },
  CLEARING_OPPOSITE_CLOSED: {
    status: 409,
    meaning: '重新清算会改变已拨付或已对账的反方向清算单的轧差净额，不能重新清算',
  },
  CLEARING_DISPUTE_LINK_INVALID: {
    status: 422,
    meaning: '异议所附的费用协查或问题协同单不存在，或不属于该清算单的省份对（协查还须属于该月）',
  },
  ADVANCE_FUND_NOT_FOUND: { status: 404, meaning: '没有该省份对的预付金，或当前用户无权查看' },
  ADVANCE_FUND_WRONG_SIDE: { status: 403, meaning: '紧急调增由就医地申请' },
  // Review tasks
  TASK_NOT_CLAIMABLE: { status: 409, meaning: '任务当前不能认领' },
  TASK_NOT_CLAIMED: { status: 409, meaning: '任务不是由你认领的' },
  TASK_CLAIMED_BY_OTHER: { status: 409, meaning: '任务已被他人认领' },
  TASK_ALREADY_DECIDED: { status: 409, meaning: '任务已有审核结论' },
  TASK_CANCELLED: { status: 409, meaning: '任务已取消（案件已撤回）' },
  TASK_CHANGED: { status: 409, meaning: '任务在读取后已变化（已审核、已督办或被重新认领）' },
  TASK_ESCALATED: { status: 403, meaning: '任务已超时转督办，由主管处理' },
  TASK_NOT_CURRENT: { status: 409, meaning: '该任务已不是案件当前的审核轮次' },
  TASK_NOT_OPEN: { status: 409, meaning: '已决定或已取消的任务不能改派' },
  ALREADY_DECIDED: { status: 409, meaning: '案件已收到本轮的审核结论' },
  DECISION_NOT_ALLOWED: { status: 400, meaning: '该类任务不接受这一决定' },
  REASON_REQUIRED: { status: 400, meaning: '这一决定须填写原因' },
  USER_NOT_FOUND: { status: 404, meaning: '本省没有可接手该任务的用户' },
  // Dependencies
  DECISION_NOT_RECORDED: { status: 503, meaning: '数据库未应答，审核结论未保存，可重试' },
  DECISION_DELIVERY_PENDING: { status: 503, meaning: '审核结论已保存，待工作流服务恢复后送达' },
  WORKFLOW_UNAVAILABLE: { status: 503, meaning: '工作流服务未应答，操作未执行，可稍后重试' },
  DATABASE_UNAVAILABLE: { status: 503, meaning: '数据库暂时不可用，操作未执行；按 Retry-After 稍后重试' },
  REQUEST_TIMEOUT: { status: 503, meaning: '请求未在时限内完成；按 Retry-After 稍后重试' },
  INTERNAL: { status: 500, meaning: '服务器内部错误，已记录日志' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** Every refusal a case workflow can answer reaches the person as its own code, so each is catalogued. */
const refusalsCatalogued: RefusalCode | TicketRefusalCode extends ProblemCode ? true : never = true;
void refusalsCatalogued;

export const PROBLEM_CODE_LIST = Object.keys(PROBLEM_CODES) as ProblemCode[];
