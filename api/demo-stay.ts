/**
 * The demo's settled stay: 符海燕 (fuhaiyan), insured in 海南 like 王芳, treated at 华西 with the seed
 * story's fee lines, sent through the hospital edge's own code (the national envelope, msgid-kept
 * messages, the stay's workflow) up to settlement. Its comparison under Hainan's catalogue finds the
 * gap, so 我的住院 shows a settled stay with its explanation and 海南's staff find a 待遇补差 review in
 * 待办. A second Hainan person keeps 王芳 free for the counter's 演示 (her accumulators untouched, so
 * the story's figures come out there to the fen).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { compensationWorkflowId, stayWorkflowId } from '../cases';
import { Filing } from '../db/entities';
import { HAINAN_HOSPITAL, hainanScenario } from '../db/scenario-hainan';
import { withCheckDigit } from '../db/seed-data';
import type { CaseDeps } from './context';
import { handleTransaction } from './hospital/transactions';

type Deps = Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;

export const DEMO_STAY_PERSON = {
  psn_no: 'P46000000000002',
  username: 'fuhaiyan',
  certno: withCheckDigit('46010019800315004'),
  insutype: '390',
} as const;
/** The hospital's 住院号 of the demo stay (the counter's 演示 uses its own). */
export const DEMO_STAY_IPT_NO = 'ZY2026HN0900';

/** The demo stay's message ids: one per transaction of a seeding, unique across seedings. */
const msgidOf = (at: number, infno: string) => `${HAINAN_HOSPITAL.fixmedins_code}D${at}${infno}`;

function envelope(msgid: string, infno: string, input: unknown) {
  return {
    infno,
    msgid,
    mdtrtarea_admvs: HAINAN_HOSPITAL.mdtrtarea_admvs,
    insuplc_admdvs: '460000',
    opter: 'DEMO',
    opter_name: '演示数据',
    fixmedins_code: HAINAN_HOSPITAL.fixmedins_code,
    fixmedins_name: HAINAN_HOSPITAL.fixmedins_name,
    input,
  };
}

/** The demo stay's mdtrt_id when it is there (any stay of the demo person's counts as the marker). */
async function demoStayIds(deps: Deps): Promise<string[]> {
  const rows: { mdtrt_id: string }[] = await deps.orm.em
    .getKnex()('stay')
    .where({ psn_no: DEMO_STAY_PERSON.psn_no })
    .select('mdtrt_id');
  return rows.map((r) => r.mdtrt_id);
}

/** Her referral to 成都 must be ACTIVE before the admission finds it: waited for, up to a minute. */
async function coveringFiling(deps: Deps, filing_id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const f = await deps.orm.em.fork().findOne(Filing, { id: filing_id }, { fields: ['status'] });
    if (f?.status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`demo: ${filing_id} is not ACTIVE within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Admits, uploads, discharges and settles the demo stay (2401 → 2301 → 2402 → 2304) unless a stay of
 * the demo person exists; returns the new mdtrt_id, or null when there was one already.
 */
export async function seedDemoStay(deps: Deps, filing_id: string, now = Date.now()): Promise<string | null> {
  if ((await demoStayIds(deps)).length > 0) return null;
  await coveringFiling(deps, filing_id);
  const scenario = hainanScenario(new Date(now), DEMO_STAY_PERSON, DEMO_STAY_IPT_NO);
  let mdtrt_id = '';
  for (const step of scenario.steps) {
    const input = JSON.parse(JSON.stringify(step.input).replaceAll('{{mdtrt_id}}', mdtrt_id));
    const body = envelope(msgidOf(now, step.infno), step.infno, input);
    const { code, text } = await handleTransaction(deps, HAINAN_HOSPITAL.fixmedins_code, body);
    const answer = JSON.parse(text) as { err_msg: string; output: { result?: { mdtrt_id?: string } } };
    if (code !== 'OK')
      throw new Error(`demo: the stay's ${step.infno} was answered ${code}: ${answer.err_msg}`);
    if (step.infno === '2401') mdtrt_id = answer.output.result?.mdtrt_id ?? '';
  }
  deps.log(`demo: stay ${mdtrt_id} of ${DEMO_STAY_PERSON.username} settled`);
  return mdtrt_id;
}

/** Terminates a demo workflow if it still runs (a missing one is fine). */
export async function terminate(deps: Deps, workflowId: string): Promise<void> {
  try {
    const handle = deps.temporal.workflow.getHandle(workflowId);
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('demo reset');
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/**
 * Removes the demo person's stays with everything they wrote: workflows terminated first, then the
 * rows (messages, fee lines, settlements, ledger, accumulators, comparisons, tasks, timeline). The
 * person is the demo's own, so nothing of anyone else's is touched.
 */
export async function removeDemoStay(deps: Deps): Promise<void> {
  const mdtrt_ids = await demoStayIds(deps);
  if (mdtrt_ids.length === 0) return;
  const knex = deps.orm.em.getKnex();
  const setl_ids = (
    (await knex('settlement').whereIn('mdtrt_id', mdtrt_ids).select('setl_id')) as {
      setl_id: string;
    }[]
  ).map((r) => r.setl_id);
  const compensation_ids = (
    (await knex('compensation').whereIn('mdtrt_id', mdtrt_ids).select('compensation_id')) as {
      compensation_id: string;
    }[]
  ).map((r) => r.compensation_id);
  for (const id of mdtrt_ids) await terminate(deps, stayWorkflowId(id));
  for (const id of setl_ids) await terminate(deps, compensationWorkflowId(id));
  const case_ids = [...mdtrt_ids, ...compensation_ids];
  await knex.transaction(async (tx) => {
    await tx('task_decision').whereIn('case_id', case_ids).delete();
    await tx('human_task').whereIn('case_id', case_ids).delete();
    await tx('case_event').whereIn('case_id', case_ids).delete();
    await tx('compensation').whereIn('mdtrt_id', mdtrt_ids).delete();
    await tx('ledger_entry').whereIn('mdtrt_id', mdtrt_ids).delete();
    await tx('setl_detail').whereIn('setl_id', setl_ids).delete();
    await tx('settlement').whereIn('mdtrt_id', mdtrt_ids).delete();
    await tx('accumulator').where({ psn_no: DEMO_STAY_PERSON.psn_no }).delete();
    await tx('fee_detail').whereIn('mdtrt_id', mdtrt_ids).delete();
    await tx('hospital_message').whereIn('mdtrt_id', mdtrt_ids).delete();
    await tx('stay').whereIn('mdtrt_id', mdtrt_ids).delete();
  });
  deps.log(`demo: stay ${mdtrt_ids.join(', ')} removed`);
}
