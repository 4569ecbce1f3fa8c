import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseEvent, Filing, HumanTask, Referral } from '../../db/entities';
import type { AuthUser } from '../auth/tokens';
import { HttpProblem } from '../problem';

/** Staff, supervisors and coordinators see the cases of citizens insured in their own province only. */
export function canSee(user: AuthUser, filing: Pick<Filing, 'psn_no' | 'prov_admdvs'>): boolean {
  switch (user.role) {
    case 'citizen':
      return user.psn_no === filing.psn_no;
    case 'staff':
    case 'supervisor':
    case 'coordinator':
      return user.prov_admdvs === filing.prov_admdvs;
    default:
      return false;
  }
}

/** The filing if this user may see it; 404 otherwise, so another province's case does not even exist. */
export async function visibleFiling(em: EntityManager, user: AuthUser, id: string): Promise<Filing> {
  const filing = await em.findOne(Filing, { id });
  if (!filing || !canSee(user, filing))
    throw new HttpProblem(404, 'NOT_FOUND', '未找到', `没有编号为 ${id} 的备案`);
  return filing;
}

/** The case as it now stands, read again after a workflow update; 404 unless visible to this user. */
export async function currentCase(em: EntityManager, user: AuthUser, id: string) {
  return caseDetail(em, user, await visibleFiling(em, user, id));
}

export function filingView(f: Filing) {
  return {
    id: f.id,
    psn_no: f.psn_no,
    insuplc_admdvs: f.insuplc_admdvs,
    prov_admdvs: f.prov_admdvs,
    category: f.category,
    status: f.status,
    mdtrtarea_admdvs: f.mdtrtarea_admdvs,
    fixmedins_code: f.fixmedins_code,
    begndate: f.begndate,
    enddate: f.enddate,
    commitment: f.commitment,
    deemed: f.deemed,
    retro: f.retro,
    trt_dcla_detl_sn: f.trt_dcla_detl_sn,
    effective_at: f.effective_at,
    reason: f.reason,
    memo: f.memo,
    created_at: f.created_at,
    updated_at: f.updated_at,
  };
}

export function taskView(t: HumanTask) {
  return {
    id: t.id,
    case_id: t.case_id,
    kind: t.kind,
    role: t.role,
    prov_admdvs: t.prov_admdvs,
    assignee: t.assignee,
    status: t.status,
    due_at: t.due_at,
    escalated_at: t.escalated_at,
    decision: t.decision,
    reason: t.reason,
    decided_by: t.decided_by,
    decided_at: t.decided_at,
    delivered: t.decided_at ? t.delivered_at !== null : null,
    summary: t.summary,
    created_at: t.created_at,
    version: t.version,
  };
}

/** A case as its detail page shows it: the filing, its referral, the timeline, and (for staff) its tasks. */
export async function caseDetail(em: EntityManager, user: AuthUser, filing: Filing) {
  const [referral, events, tasks] = await Promise.all([
    em.findOne(Referral, { filing_id: filing.id }),
    em.find(CaseEvent, { case_id: filing.id }, { orderBy: { at: 'asc', id: 'asc' } }),
    user.role === 'citizen'
      ? Promise.resolve([])
      : em.find(HumanTask, { case_id: filing.id }, { orderBy: { created_at: 'asc' } }),
  ]);
  return {
    filing: { ...filingView(filing), form: filing.form },
    referral: referral
      ? {
          id: referral.id,
          status: referral.status,
          refl_fil_type: referral.refl_fil_type,
          trt_dcla_detl_sn: referral.trt_dcla_detl_sn,
          reason: referral.reason,
          memo: referral.memo,
          escalated: referral.escalated,
          summary: referral.summary,
          updated_at: referral.updated_at,
        }
      : null,
    timeline: events.map((e) => ({ at: e.at, actor: e.actor, kind: e.kind, detail: e.detail })),
    tasks: tasks.map(taskView),
  };
}
