import { computed, ref } from 'vue';
import { ApiProblem } from './api/client';

/**
 * The web app's own wording per problem `code` (NETWORK is the browser's, the rest say what to do next
 * on the page); the API's Chinese detail is used for a code not listed.
 */
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

/** A decision the API stored but the case refused: its reason is the case's own words. */
export function refused(problem: ApiProblem | null): boolean {
  return problem?.body.outcome === 'refused';
}

/** Chinese for a problem: the case's reason for a refused decision, else the text for its code, else the API's. */
export function problemMessage(problem: ApiProblem): string {
  if (refused(problem) && problem.detail) return problem.detail;
  return problemText[problem.code] ?? problem.detail ?? problem.title;
}

/**
 * The last failure of a form's action, shown where it happened and kept until the user acts:
 * field errors stay on their field until that field is edited, the summary until the next try.
 */
export function useProblem() {
  const problem = ref<ApiProblem | null>(null);
  const fields = ref<Record<string, string>>({});
  const message = computed(() => (problem.value ? problemMessage(problem.value) : ''));

  function set(error: unknown) {
    if (!(error instanceof ApiProblem)) throw error;
    problem.value = error;
    const byField: Record<string, string> = {};
    for (const e of error.errors)
      byField[e.path] = byField[e.path] ? `${byField[e.path]}；${e.message}` : e.message;
    fields.value = byField;
  }
  function clear() {
    problem.value = null;
    fields.value = {};
  }
  /** The error of one field (by its API path), e.g. `tel` or `referral.diag_name`. */
  function field(path: string): string {
    return fields.value[path] ?? '';
  }
  function clearField(path: string) {
    if (!fields.value[path]) return;
    const { [path]: _removed, ...rest } = fields.value;
    fields.value = rest;
  }
  /** Runs an action, recording its failure; true when it succeeded. */
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    clear();
    try {
      await action();
      return true;
    } catch (error) {
      set(error);
      return false;
    }
  }
  return { problem, message, fields, field, clearField, set, clear, run };
}
