import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseEvent, type Filing, HumanTask, type InsuredPerson, Referral } from '../../db/entities';
import type { AuthUser } from '../auth/tokens';
import { present, referralScope, taskScope, visibleFiling } from '../scope';

// Which rows a user may see is decided in `api/scope.ts`; the case routes read through it.
export { visibleFiling } from '../scope';

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

export function personView(p: InsuredPerson) {
  return {
    psn_no: p.psn_no,
    psn_name: p.psn_name,
    certno: p.certno,
    gend: p.gend,
    brdy: p.brdy,
    insutype: p.insutype,
    psn_type: p.psn_type,
    insuplc_admdvs: p.insuplc_admdvs.unwrap().admdvs,
    insu_status: p.insu_status,
  };
}

export function taskView(t: HumanTask) {
  return {
    id: t.id,
    case_id: t.case_id,
    case_type: t.case_type,
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
    summary: t.summary,
    created_at: t.created_at,
    version: t.version,
  };
}

/**
 * A case as its detail page shows it, masked for this user: the filing, its referral, the timeline (seen
 * with its case), and the tasks the user's side may see. `filing` must come from `visibleFiling`.
 */
export async function caseDetail(em: EntityManager, user: AuthUser, filing: Filing) {
  const [referral, events, tasks] = await Promise.all([
    em.findOne(Referral, { $and: [{ filing_id: filing.id }, referralScope(user)] }),
    em.find(CaseEvent, { case_id: filing.id }, { orderBy: { at: 'asc', id: 'asc' } }),
    em.find(
      HumanTask,
      { $and: [{ case_id: filing.id }, taskScope(user)] },
      { orderBy: { created_at: 'asc' } },
    ),
  ]);
  return present(caseView(filing, referral, events, tasks), user);
}

function caseView(filing: Filing, referral: Referral | null, events: CaseEvent[], tasks: HumanTask[]) {
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
