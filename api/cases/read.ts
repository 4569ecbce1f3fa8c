import type { EntityManager } from '@mikro-orm/postgresql';
import { addMonthsToInstant, casePolicyFor, LONG_TERM_CATEGORIES } from '../../cases';
import {
  CaseDocument,
  CaseEvent,
  type Filing,
  HumanTask,
  InsuredPerson,
  Referral,
  User,
} from '../../db/entities';
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
    locked_until: lockedUntil(f),
    created_at: f.created_at,
    updated_at: f.updated_at,
  };
}

/** The end of a long-term filing's change/cancel lock, as the workflow computes it on activation. */
function lockedUntil(f: Filing): Date | null {
  if (!f.effective_at || !LONG_TERM_CATEGORIES.includes(f.category)) return null;
  const months = casePolicyFor(f.prov_admdvs).long_term_lock_months;
  return new Date(addMonthsToInstant(f.effective_at.getTime(), months));
}

/** Who each timeline actor is (user name or insured person's name, and role), so the UI shows no bare ids. */
async function actorsOf(em: EntityManager, events: CaseEvent[]) {
  const ids = [...new Set(events.map((e) => e.actor).filter((a) => a !== 'system'))];
  const [users, persons] = await Promise.all([
    ids.length ? em.find(User, { username: { $in: ids } }) : Promise.resolve([]),
    ids.length ? em.find(InsuredPerson, { psn_no: { $in: ids } }) : Promise.resolve([]),
  ]);
  const actors = new Map<string, { actor_name: string; actor_role: string }>();
  for (const p of persons) actors.set(p.psn_no, { actor_name: p.psn_name, actor_role: 'citizen' });
  for (const u of users) actors.set(u.username, { actor_name: u.display_name, actor_role: u.role });
  actors.set('system', { actor_name: '系统', actor_role: 'system' });
  return actors;
}

/** A document as a case lists it: everything but the content. */
export function documentView(d: CaseDocument) {
  return {
    id: d.id,
    name: d.name,
    content_type: d.content_type,
    size: d.size,
    uploaded_by: d.uploaded_by,
    created_at: d.created_at,
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
  const [referral, events, tasks, documents] = await Promise.all([
    em.findOne(Referral, { $and: [{ filing_id: filing.id }, referralScope(user)] }),
    em.find(CaseEvent, { case_id: filing.id }, { orderBy: { at: 'asc', id: 'asc' } }),
    em.find(
      HumanTask,
      { $and: [{ case_id: filing.id }, taskScope(user)] },
      { orderBy: { created_at: 'asc' } },
    ),
    em.find(CaseDocument, { case_id: filing.id }, { orderBy: { created_at: 'asc', id: 'asc' } }),
  ]);
  const actors = await actorsOf(em, events);
  return present(caseView({ filing, referral, events, actors, tasks, documents }), user);
}

/** The case detail from its loaded rows (no I/O): what `caseDetail` presents. */
function caseView(rows: {
  filing: Filing;
  referral: Referral | null;
  events: CaseEvent[];
  actors: Awaited<ReturnType<typeof actorsOf>>;
  tasks: HumanTask[];
  documents: CaseDocument[];
}) {
  const { filing, referral, events, actors, tasks, documents } = rows;
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
    timeline: events.map((e) => ({
      at: e.at,
      actor: e.actor,
      ...actors.get(e.actor),
      kind: e.kind,
      detail: e.detail,
    })),
    tasks: tasks.map(taskView),
    documents: documents.map(documentView),
  };
}
