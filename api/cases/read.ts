import type { EntityManager } from '@mikro-orm/postgresql';
import { addMonthsToInstant, casePolicyFor, LONG_TERM_CATEGORIES } from '../../cases';
import { CaseDocument, CaseEvent, Filing, HumanTask, InsuredPerson, Referral, User } from '../../db/entities';
import { columnsExcept } from '../../db/rows';
import type { AuthUser } from '../auth/tokens';
import { present, referralScope, taskScope, visibleFiling } from '../scope';

// Which rows a user may see is decided in `api/scope.ts`; the case routes read through it.
export { visibleFiling } from '../scope';

/** The case as it now stands, read again after a workflow update; 404 unless visible to this user. */
export async function currentCase(em: EntityManager, user: AuthUser, id: string) {
  return caseDetail(em, user, await visibleFiling(em, user, id));
}

/** A filing as lists and the case page show it: its columns (but the raw form and the counter) and its lock end. */
export function filingView(f: Filing) {
  return { ...columnsExcept(Filing, f, ['form', 'projection_seq']), locked_until: lockedUntil(f) };
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
  return columnsExcept(CaseDocument, d, ['case_id', 'sha256', 'content']);
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

/** A task as queues and the case page show it (its workflow and outbox ids are internal). */
export function taskView(t: HumanTask) {
  return columnsExcept(HumanTask, t, ['workflow_id', 'decision_id']);
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
    // The filing carries the person, the side and the place; the referral adds its own columns.
    referral: referral
      ? columnsExcept(Referral, referral, [
          'filing_id',
          'psn_no',
          'prov_admdvs',
          'mdtrtarea_admdvs',
          'fixmedins_code',
          'projection_seq',
        ])
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
