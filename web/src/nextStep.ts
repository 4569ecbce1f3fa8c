import type { CaseDetail } from './api/types';
import { formatDate, formatDateTime } from './format';

/** What happens next in a case and by when, in plain Chinese, for the citizen's case page. */
export function nextStep(c: CaseDetail): { text: string; type: 'info' | 'success' | 'warning' | 'error' } {
  const f = c.filing;
  const r = c.referral;
  const lastDue = [...c.timeline].reverse().find((e) => typeof e.detail?.due_at === 'string')?.detail
    ?.due_at as string | undefined;
  if (r?.status === 'MORE_INFO')
    return {
      text: `经办机构需要您补充材料：${r.memo ?? ''}。请在下方填写并提交，提交后重新进入审核。`,
      type: 'warning',
    };
  if (f.status === 'SUBMITTED')
    return { text: '已收到您的申请，系统正在核验参保状态，通常几分钟内完成。', type: 'info' };
  if (f.status === 'UNDER_REVIEW')
    return {
      text: `参保地经办机构正在审核您的转诊申请${lastDue ? `，预计 ${formatDateTime(lastDue)} 前办结` : ''}。审核结果会显示在本页。`,
      type: 'info',
    };
  if (f.status === 'ACTIVE')
    return {
      text: `备案已生效，可在就医地定点医疗机构直接结算${f.enddate ? `，有效期至 ${formatDate(f.enddate)}` : ''}。`,
      type: 'success',
    };
  if (f.status === 'REJECTED')
    return {
      text: `备案未通过${f.reason ? `：${f.reason}` : ''}。如有疑问可重新申请或联系参保地经办机构。`,
      type: 'error',
    };
  if (f.status === 'EXPIRED') return { text: '备案已到期，如需继续异地就医请重新备案。', type: 'info' };
  if (f.status === 'CANCELLED') return { text: '备案已取消。', type: 'info' };
  return { text: '备案已撤销，如需异地就医请重新备案。', type: 'error' };
}

/** Whether the citizen may change (ACTIVE) or cancel (open) the filing now: never inside the lock. */
export function allowedActions(c: CaseDetail, now: number): { change: boolean; cancel: boolean } {
  const locked = !!c.filing.locked_until && now < Date.parse(c.filing.locked_until);
  const open = ['SUBMITTED', 'UNDER_REVIEW', 'ACTIVE'].includes(c.filing.status);
  return { change: !locked && c.filing.status === 'ACTIVE', cancel: !locked && open };
}
