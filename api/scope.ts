import { raw } from '@mikro-orm/core';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { Side } from '../cases/coordination';
import {
  Filing,
  HumanTask,
  type InsuredPerson,
  type Referral,
  type Role,
  Stay,
  Ticket,
  type User,
} from '../db/entities';
import type { AuthUser } from './auth/tokens';
import { HttpProblem } from './problem';

/**
 * Who may see which rows: the one place every list and read of the API asks. Each scope is a MikroORM
 * filter, so lists filter in SQL (paging and totals count only visible rows), with a `canSee…` twin for
 * a row already loaded. A row out of scope is answered exactly like a missing one (`notFound`), so its
 * existence does not leak. The rules, by role (README, "Who sees what"):
 *
 * - citizen: their own cases (`psn_no`); no tasks.
 * - staff, supervisor: the cases of persons insured in their province, and their province's tasks.
 * - coordinator: only the cases a settlement-error ticket of their province links (问题协同), never a
 *   bulk list of citizens (`ticketFilingScope`, `ticketStayScope`). The tasks of their province's
 *   coordinator side.
 * - hospital: the stays it admitted (none exist yet), so no cases; a person's filing status only by
 *   `psn_no` plus the matching certificate number (`hospitalPersonScope`).
 */

/** A filter that matches no row: empty `IN ()` renders as a false condition in SQL. */
const NONE = { id: { $in: [] as string[] } };

/** The province a user works for, or '' (matches nothing) for a role without one. */
function provinceOfUser(user: AuthUser): string {
  return user.prov_admdvs ?? '';
}

/** `mdtrtarea_admdvs` of a province: a city (`5101xx`) or the province itself (`460000`) — the 2-digit prefix. */
function inProvince(prov_admdvs: string) {
  return { $like: `${prov_admdvs.slice(0, 2)}%` };
}

export function filingScope(user: AuthUser): FilterQuery<Filing> {
  switch (user.role) {
    case 'citizen':
      return { psn_no: user.psn_no ?? '' };
    case 'staff':
    case 'supervisor':
      return { prov_admdvs: provinceOfUser(user) };
    case 'coordinator':
      return ticketFilingScope(user);
    case 'hospital':
      return NONE;
  }
}

/** Tickets that involve this province as the insured or the treatment side (SQL, bound). */
const TICKETS_OF_PROVINCE =
  'select t.psn_no, t.mdtrt_id, t.treatment_prov from ticket t where t.insured_prov = ? or t.treatment_prov = ?';

/**
 * The filings a coordinator reaches: those linked by a settlement-error ticket (结算报错 → 问题协同) that
 * involves their province, as the insured or as the treatment side — the ticket's person's filings to
 * the ticket's treatment province. The ticket join goes here, and only here (a subquery, so lists page
 * and count in SQL).
 */
function ticketFilingScope(user: AuthUser): FilterQuery<Filing> {
  const p = provinceOfUser(user);
  if (!p) return NONE;
  return {
    [raw(
      (alias) =>
        `((${alias}.psn_no, substr(${alias}.mdtrtarea_admdvs, 1, 2)) in (select k.psn_no, substr(k.treatment_prov, 1, 2) from (${TICKETS_OF_PROVINCE}) k))`,
      [p, p],
    )]: true,
  } as FilterQuery<Filing>;
}

/** The stays a coordinator reaches: those a ticket of their province is about. */
function ticketStayScope(user: AuthUser): FilterQuery<Stay> {
  const p = provinceOfUser(user);
  if (!p) return { mdtrt_id: { $in: [] as string[] } };
  return {
    [raw((alias) => `(${alias}.mdtrt_id in (select k.mdtrt_id from (${TICKETS_OF_PROVINCE}) k))`, [p, p])]:
      true,
  } as FilterQuery<Stay>;
}

/**
 * 问题协同 tickets: staff, supervisors and coordinators those whose insured or treatment province is
 * theirs (a third province's get 404); a hospital those of its own stays; citizens none.
 */
export function ticketScope(user: AuthUser): FilterQuery<Ticket> {
  switch (user.role) {
    case 'staff':
    case 'supervisor':
    case 'coordinator': {
      const p = provinceOfUser(user);
      return { $or: [{ insured_prov: p }, { treatment_prov: p }] };
    }
    case 'hospital':
      return { fixmedins_code: user.fixmedins_code ?? '' };
    case 'citizen':
      return { ticket_id: { $in: [] as string[] } };
  }
}

/**
 * The viewer's side of a ticket, fee check or clearing pair: insured (参保地) if their province is the
 * insured one, treatment (就医地) if the treatment one; null for a third province and for readers who are
 * not coordinators (staff and supervisors read, only the two sides' coordinators act).
 */
export function sideOf(user: AuthUser, pair: { insured_prov: string; treatment_prov: string }): Side | null {
  if (user.role !== 'coordinator' || !user.prov_admdvs) return null;
  if (user.prov_admdvs === pair.insured_prov) return 'insured';
  if (user.prov_admdvs === pair.treatment_prov) return 'treatment';
  return null;
}

/** The ticket if this user may see it; 404 (as for a missing one) otherwise. */
export async function visibleTicket(em: EntityManager, user: AuthUser, ticket_id: string): Promise<Ticket> {
  const ticket = await em.findOne(Ticket, { $and: [{ ticket_id }, ticketScope(user)] });
  if (!ticket)
    throw new HttpProblem(
      404,
      'TICKET_NOT_FOUND',
      '未找到该问题协同',
      `没有编号为 ${ticket_id} 的问题协同，或您无权查看，请核对编号`,
    );
  return ticket;
}

export function canSeeFiling(user: AuthUser, f: Pick<Filing, 'psn_no' | 'prov_admdvs' | 'mdtrtarea_admdvs'>) {
  switch (user.role) {
    case 'citizen':
      return user.psn_no !== null && f.psn_no === user.psn_no;
    case 'staff':
    case 'supervisor':
      return user.prov_admdvs !== null && f.prov_admdvs === user.prov_admdvs;
    case 'coordinator':
      // Through a ticket only (`ticketFilingScope`, a query): a loaded row is read through it, not here.
      return false;
    case 'hospital':
      return false;
  }
}

/** A referral is seen with its filing; it carries the same person and places. */
export function referralScope(user: AuthUser): FilterQuery<Referral> {
  return filingScope(user) as FilterQuery<Referral>;
}

/**
 * The side a task belongs to (province + role) and the sides each role works on. The case kernel's
 * `side` columns replace `taskSide` and the filter in `taskScope`, nothing else.
 */
const SIDES_OF: Record<Role, HumanTask['role'][]> = {
  citizen: [],
  staff: ['staff', 'supervisor'],
  supervisor: ['staff', 'supervisor'],
  coordinator: ['coordinator'],
  hospital: [],
};

function taskSide(t: Pick<HumanTask, 'prov_admdvs' | 'role'>) {
  return { prov_admdvs: t.prov_admdvs, role: t.role };
}

export function taskScope(user: AuthUser): FilterQuery<HumanTask> {
  const roles = SIDES_OF[user.role];
  if (roles.length === 0 || user.prov_admdvs === null) return NONE;
  return { prov_admdvs: user.prov_admdvs, role: { $in: roles } };
}

export function canSeeTask(user: AuthUser, t: Pick<HumanTask, 'prov_admdvs' | 'role'>): boolean {
  const side = taskSide(t);
  return (
    user.prov_admdvs !== null &&
    side.prov_admdvs === user.prov_admdvs &&
    SIDES_OF[user.role].includes(side.role)
  );
}

/**
 * The colleagues a user may hand a task to: a supervisor sees their province's staff and supervisors
 * (to reassign); every other role sees nobody, so the list answers empty rather than naming people.
 */
export function colleagueScope(user: AuthUser): FilterQuery<User> {
  if (user.role !== 'supervisor' || user.prov_admdvs === null) return NONE as FilterQuery<User>;
  return { prov_admdvs: user.prov_admdvs, role: { $in: ['staff', 'supervisor'] } };
}

/** Insured persons a user may see listed: a citizen themself, agency staff their province's insured. */
export function personScope(user: AuthUser): FilterQuery<InsuredPerson> {
  switch (user.role) {
    case 'citizen':
      return { psn_no: user.psn_no ?? '' };
    case 'staff':
    case 'supervisor':
      return { insuplc_admdvs: { prov_admdvs: provinceOfUser(user) } };
    default:
      return { psn_no: { $in: [] } };
  }
}

/**
 * A hospital sees one person only with the certificate presented at admission (`mdtrt_cert_no`; the
 * resident ID for `mdtrt_cert_type` 02), and then only their filings for its own province.
 */
export function hospitalPersonScope(
  user: AuthUser,
  psn_no: string,
  mdtrt_cert_no: string,
): FilterQuery<InsuredPerson> {
  if (user.role !== 'hospital') return { psn_no: { $in: [] } };
  return { psn_no, certno: mdtrt_cert_no };
}

export function hospitalFilingScope(psn_no: string, hospitalProv: string): FilterQuery<Filing> {
  return { psn_no, mdtrtarea_admdvs: inProvince(hospitalProv) };
}

/**
 * Stays (住院): a citizen their own, a hospital the stays it admitted, staff and supervisors the stays
 * of their province's insured; coordinators those a settlement-error ticket of their province is about.
 */
export function stayScope(user: AuthUser): FilterQuery<Stay> {
  switch (user.role) {
    case 'citizen':
      return { psn_no: user.psn_no ?? '' };
    case 'hospital':
      return { fixmedins_code: user.fixmedins_code ?? '' };
    case 'staff':
    case 'supervisor':
      return { prov_admdvs: provinceOfUser(user) };
    case 'coordinator':
      return ticketStayScope(user);
  }
}

/** The stay if this user may see it; 404 (as for a missing one) otherwise. */
export async function visibleStay(em: EntityManager, user: AuthUser, mdtrt_id: string): Promise<Stay> {
  const stay = await em.findOne(Stay, { $and: [{ mdtrt_id }, stayScope(user)] });
  if (!stay) throw notFound('stay', mdtrt_id);
  return stay;
}

/** What a 404 names, in the Chinese the caller reads. */
const NOT_FOUND_NAMES: Record<string, string> = {
  stay: '住院',
  filing: '备案',
  task: '任务',
  'insured person': '参保人',
  settlement: '结算',
  'fee check': '费用协查',
  'fee check batch': '协查批次',
  'clearing statement': '清算单',
  attachment: '附件',
};

/** The answer for a missing row and for a row out of scope alike (the same words, so scope does not leak). */
export function notFound(what: string, id: string): HttpProblem {
  const name = NOT_FOUND_NAMES[what] ?? what;
  return new HttpProblem(404, 'NOT_FOUND', '未找到', `没有${name} ${id}，或当前用户无权查看`);
}

/** The filing if this user may see it; 404 (as for a missing one) otherwise. */
export async function visibleFiling(em: EntityManager, user: AuthUser, id: string): Promise<Filing> {
  const filing = await em.findOne(Filing, { $and: [{ id }, filingScope(user)] });
  if (!filing) throw notFound('filing', id);
  return filing;
}

/** The task if this user may see it; 404 (as for a missing one) otherwise. */
export async function visibleTask(em: EntityManager, user: AuthUser, id: string): Promise<HumanTask> {
  const task = await em.findOne(HumanTask, { $and: [{ id }, taskScope(user)] });
  if (!task) throw notFound('task', id);
  return task;
}

// ---- Masking: personal data each role does not need is masked in every view (README table). ----

export const PII_FIELDS = ['psn_name', 'tel', 'certno', 'addr'] as const;
export type PiiField = (typeof PII_FIELDS)[number];

/** Keys under which the views (and the free JSON of forms, summaries and timeline details) carry them. */
const PII_KEYS: Record<string, PiiField> = {
  psn_name: 'psn_name',
  // A timeline actor's name (the citizen's, or a staff member's) is a name like any other.
  actor_name: 'psn_name',
  tel: 'tel',
  mob: 'tel',
  certno: 'certno',
  mdtrt_cert_no: 'certno',
  addr: 'addr',
};

/** What each role gets of each kind of personal data: `shown` in full or `masked`. */
export const MASKING: Record<Role, Record<PiiField, 'shown' | 'masked'>> = {
  // Their own data.
  citizen: { psn_name: 'shown', tel: 'shown', certno: 'shown', addr: 'shown' },
  // The insured place's reviewers call the person back and check a long-term residence address;
  // the resident ID is in their own core system.
  staff: { psn_name: 'shown', tel: 'shown', certno: 'masked', addr: 'shown' },
  supervisor: { psn_name: 'shown', tel: 'shown', certno: 'masked', addr: 'shown' },
  // Coordinators settle errors between systems: the case ids and places are enough.
  coordinator: { psn_name: 'masked', tel: 'masked', certno: 'masked', addr: 'masked' },
  // A hospital presents the certificate itself and reads only filing statuses.
  hospital: { psn_name: 'masked', tel: 'masked', certno: 'masked', addr: 'masked' },
};

/** `13812345678` → `138****5678`. */
export function maskTel(tel: string): string {
  return tel.length <= 7
    ? '*'.repeat(tel.length)
    : `${tel.slice(0, 3)}${'*'.repeat(tel.length - 7)}${tel.slice(-4)}`;
}

/** `340102198003120011` → `3401**********0011`. */
export function maskCertno(certno: string): string {
  return certno.length <= 8
    ? '*'.repeat(certno.length)
    : `${certno.slice(0, 4)}${'*'.repeat(certno.length - 8)}${certno.slice(-4)}`;
}

/** `张伟` → `张*`: the surname stays, so a coordinator can still address a person politely. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** `安徽省合肥市蜀山区…` → `安徽省合肥市****`: the city is kept, the street is not. */
export function maskAddr(addr: string): string {
  const chars = [...addr];
  return `${chars.slice(0, 6).join('')}****`;
}

const MASKERS: Record<PiiField, (value: string) => string> = {
  psn_name: maskName,
  tel: maskTel,
  certno: maskCertno,
  addr: maskAddr,
};

/** The one step every view passes before it is sent: a copy with this user's masking applied. */
export function present<T>(view: T, user: AuthUser): T {
  const policy = MASKING[user.role];
  const walk = (value: unknown, key: string | null): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    const field = key === null ? undefined : PII_KEYS[key];
    if (field && typeof value === 'string' && policy[field] === 'masked') return MASKERS[field](value);
    return value;
  };
  return walk(view, null) as T;
}

// ---- 费用协查, tickets and clearing: records of a province pair (insured place, treatment place). ----

/**
 * A pair's record is visible to staff, supervisors and coordinators of either province of the pair;
 * a third province (and every other role) sees nothing, answered 404 as a missing row.
 */
export function pairScope(user: AuthUser): {
  $or: ({ insured_prov: string } | { treatment_prov: string })[];
} {
  const prov = ['staff', 'supervisor', 'coordinator'].includes(user.role) ? provinceOfUser(user) : '';
  return { $or: [{ insured_prov: prov }, { treatment_prov: prov }] };
}
