/**
 * What must hold after the chaos: read from the platform's own database (with `pg`) and from Temporal,
 * against what the platform acknowledged to the run's clients.
 */
import { Client } from 'pg';
import type { FilingStatus } from '../../cases/types';
import type { CaseRecord } from './cases';
import type { Liveness, TemporalProbe } from './temporal';

export type FindingKind = 'lost' | 'doubled' | 'stuck' | 'inconsistent';

export interface Finding {
  kind: FindingKind;
  /** The case id (or task id) it is about. */
  subject: string;
  /** The plan's case number, when the finding is about a planned case. */
  n: number | null;
  what: string;
}

interface FilingRow {
  id: string;
  psn_no: string;
  status: FilingStatus;
  memo: string | null;
  trt_dcla_detl_sn: string | null;
}
interface ReferralRow {
  id: string;
  filing_id: string;
  status: string;
}
interface TaskRow {
  id: string;
  case_id: string;
  workflow_id: string;
  status: string;
  decided_at: Date | null;
  delivered_at: Date | null;
}

interface Snapshot {
  filings: Map<string, FilingRow>;
  referrals: Map<string, ReferralRow>;
  tasks: TaskRow[];
  /** Events of a kind a case (or a task) has once, found more than once. */
  doubledEvents: { case_id: string; kind: string; subject: string | null; n: number }[];
  filingsPerPerson: Map<string, number>;
  /** Changes whenever a filing, a task or the timeline does: the run waits for it to stand still. */
  fingerprint: string;
}

/** Timeline steps a case passes once; a second one means an activity or a workflow ran twice. */
const ONCE_PER_CASE = [
  'submitted',
  'insured_status_checked',
  'active',
  'rejected',
  'cancelled',
  'emergency_deemed',
  'expired',
  'referral_requested',
  'referral_approved',
  'referral_rejected',
  'referral_withdrawn',
];
/** … and those a review task has once: it is opened once and decided once. */
const ONCE_PER_TASK = ['review_task_opened', 'decision_recorded'];

export async function snapshot(databaseUrl: string): Promise<Snapshot> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const filings = await db.query<FilingRow>(
      'select id, psn_no, status, memo, trt_dcla_detl_sn from filing order by id',
    );
    const referrals = await db.query<ReferralRow>('select id, filing_id, status from referral');
    const tasks = await db.query<TaskRow>(
      // A decision is delivered once its case answered it (task_decision.outcome accepted or refused).
      `select t.id, t.case_id, t.workflow_id, t.status, t.decided_at,
              (select max(d.resolved_at) from task_decision d
                where d.task_id = t.id and d.outcome <> 'pending') as delivered_at
         from human_task t order by t.id`,
    );
    const perCase = await db.query<{ case_id: string; kind: string; n: number }>(
      `select case_id, kind, count(*)::int as n from case_event where kind = any($1)
       group by case_id, kind having count(*) > 1`,
      [ONCE_PER_CASE],
    );
    const perTask = await db.query<{ case_id: string; kind: string; task_id: string; n: number }>(
      `select case_id, kind, detail->>'task_id' as task_id, count(*)::int as n from case_event
       where kind = any($1) group by case_id, kind, detail->>'task_id' having count(*) > 1`,
      [ONCE_PER_TASK],
    );
    const people = await db.query<{ psn_no: string; n: number }>(
      'select psn_no, count(*)::int as n from filing group by psn_no',
    );
    const events = await db.query<{ n: number }>('select count(*)::int as n from case_event');
    return {
      filings: new Map(filings.rows.map((f) => [f.id, f])),
      referrals: new Map(referrals.rows.map((r) => [r.filing_id, r])),
      tasks: tasks.rows,
      doubledEvents: [
        ...perCase.rows.map((r) => ({ ...r, subject: null })),
        ...perTask.rows.map((r) => ({ case_id: r.case_id, kind: r.kind, subject: r.task_id, n: r.n })),
      ],
      filingsPerPerson: new Map(people.rows.map((p) => [p.psn_no, p.n])),
      fingerprint: JSON.stringify([
        filings.rows.map((f) => [f.id, f.status, f.memo]),
        tasks.rows.map((t) => [t.id, t.status, t.delivered_at]),
        events.rows[0]?.n,
      ]),
    };
  } finally {
    await db.end();
  }
}

/** Every acknowledged expectation met? The run polls this (bounded) before judging, so slow is not stuck. */
export function settled(records: CaseRecord[], s: Snapshot): boolean {
  const openTasks = s.tasks.some((t) => t.status === 'decided' && t.delivered_at === null);
  return (
    !openTasks &&
    records.every((r) => {
      const id = [...r.ids][0];
      if (!id) return true;
      const filing = s.filings.get(id);
      if (!filing || filing.status === 'SUBMITTED') return false;
      if (r.expected && filing.status !== r.expected && !r.alsoPossible.includes(filing.status)) return false;
      return !r.expectedMemo || filing.memo === r.expectedMemo;
    })
  );
}

export async function judge(
  records: CaseRecord[],
  s: Snapshot,
  temporal: TemporalProbe,
  /** Filings sent besides the planned cases (the stays' covering filing), by psn_no. */
  otherSubmissions: ReadonlyMap<string, number> = new Map(),
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const liveness = new Map<string, Liveness>();
  const live = async (workflowId: string): Promise<Liveness> => {
    let known = liveness.get(workflowId);
    if (!known) {
      known = await temporal.liveness(workflowId);
      liveness.set(workflowId, known);
    }
    return known;
  };
  const caseOf = new Map<string, number>();

  for (const r of records) {
    const n = r.plan.n;
    if (r.ids.size > 1) {
      findings.push({
        kind: 'doubled',
        subject: [...r.ids].join(' + '),
        n,
        what: `one Idempotency-Key (${r.plan.submission}) was answered with ${r.ids.size} different cases`,
      });
    }
    for (const what of r.doubledAnswers) findings.push({ kind: 'doubled', subject: `case ${n}`, n, what });
    const id = [...r.ids][0];
    if (!id) continue;
    caseOf.set(id, n);
    const filing = s.filings.get(id);
    const acked = r.acknowledged.join(', ');
    if (!filing) {
      findings.push({ kind: 'lost', subject: id, n, what: `acknowledged (${acked}) but no filing row` });
      continue;
    }
    const referral = s.referrals.get(id);
    const filingLive = await live(id);
    // The review runs in the workflow that owns the case's tasks: the filing itself since the case
    // kernel, a `referral-…` child for cases started before it.
    const reviewWorkflow = s.tasks.filter((t) => t.case_id === id).at(-1)?.workflow_id ?? id;
    const reviewLive = referral ? await live(reviewWorkflow) : 'closed';
    const gone = filingLive === 'gone' || reviewLive === 'gone';
    const lostOrStuck = gone ? 'lost' : 'stuck';
    const goneIds = [
      filingLive === 'gone' ? id : null,
      reviewLive === 'gone' && reviewWorkflow !== id ? reviewWorkflow : null,
    ].filter(Boolean);
    const because = gone ? `; gone from Temporal: ${goneIds.join(', ')}` : '';
    const openTask = s.tasks.some(
      (t) => t.case_id === id && ['open', 'claimed', 'escalated'].includes(t.status),
    );

    if (filing.status === 'SUBMITTED') {
      findings.push({
        kind: lostOrStuck,
        subject: id,
        n,
        what: `stuck SUBMITTED (acknowledged: ${acked})${because}`,
      });
    } else if (filing.status === 'UNDER_REVIEW' && !openTask && referral?.status !== 'MORE_INFO') {
      findings.push({
        kind: lostOrStuck,
        subject: id,
        n,
        what: `UNDER_REVIEW without an open task (referral ${referral?.status ?? 'missing'})${because}`,
      });
    } else if (filing.status === 'UNDER_REVIEW' && reviewLive !== 'running') {
      findings.push({
        kind: 'lost',
        subject: id,
        n,
        what: `UNDER_REVIEW but the review workflow is ${reviewLive}`,
      });
    } else if (filing.status === 'ACTIVE' && filingLive !== 'running') {
      findings.push({
        kind: 'lost',
        subject: id,
        n,
        what: `ACTIVE but its workflow is ${filingLive}: it can no longer expire, change or be cancelled`,
      });
    } else if (r.expected && filing.status !== r.expected && !r.alsoPossible.includes(filing.status)) {
      findings.push({
        kind: lostOrStuck,
        subject: id,
        n,
        what: `is ${filing.status}, expected ${r.expected} (acknowledged: ${acked})${because}`,
      });
    } else if (r.expectedMemo && filing.memo !== r.expectedMemo) {
      findings.push({
        kind: lostOrStuck,
        subject: id,
        n,
        what: `an acknowledged change is missing${because}`,
      });
    } else if (r.stalled && r.expected === null) {
      findings.push({ kind: lostOrStuck, subject: id, n, what: `the review never finished: ${r.stalled}` });
    }
    if (filing.status === 'CANCELLED' && referral?.status === 'APPROVED' && !filing.trt_dcla_detl_sn) {
      findings.push({
        kind: 'inconsistent',
        subject: id,
        n,
        what: `CANCELLED filing whose referral was APPROVED: a serial issued for a withdrawn case (acknowledged: ${acked})`,
      });
    }
  }

  for (const task of s.tasks) {
    const n = caseOf.get(task.case_id) ?? null;
    if (['open', 'claimed', 'escalated'].includes(task.status)) {
      const state = await live(task.workflow_id);
      if (state !== 'running') {
        findings.push({
          kind: 'lost',
          subject: task.id,
          n,
          what: `${task.status} task without a live case (workflow ${state})`,
        });
      }
    }
    if (task.status === 'decided' && task.delivered_at === null) {
      findings.push({
        kind: 'stuck',
        subject: task.id,
        n,
        what: 'decision recorded but never delivered to its case',
      });
    }
  }
  for (const e of s.doubledEvents) {
    findings.push({
      kind: 'doubled',
      subject: e.subject ?? e.case_id,
      n: caseOf.get(e.case_id) ?? null,
      what: `timeline event '${e.kind}' recorded ${e.n} times`,
    });
  }
  const keysPerPerson = new Map<string, number>(otherSubmissions);
  for (const r of records)
    keysPerPerson.set(r.plan.citizen.psn_no, (keysPerPerson.get(r.plan.citizen.psn_no) ?? 0) + 1);
  for (const [psn_no, filings] of s.filingsPerPerson) {
    const keys = keysPerPerson.get(psn_no) ?? 0;
    if (filings > keys) {
      findings.push({
        kind: 'doubled',
        subject: psn_no,
        n: null,
        what: `${filings} filings in the database for ${keys} submissions (one Idempotency-Key each)`,
      });
    }
  }
  return findings;
}
