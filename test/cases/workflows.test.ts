import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { CaseEvent, Filing, HumanTask, Referral } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import {
  answerMoreInfoSignal,
  cancelFilingUpdate,
  changeFilingUpdate,
  type DecisionMessage,
  decideSignal,
  type FilingInput,
  filingStateQuery,
  filingWorkflow,
  referralIdOf,
} from '../../workflows';
import { addDays, addMonths, cstDate } from '../../workflows/calendar';
import { migratedOrm } from '../support/db';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/histories';
import { bundleCaseWorkflows, caseWorker } from '../support/temporal';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/cases/workflows.test.ts`; replayed by replay.test.ts. */
const HISTORIES_DIR = path.join(__dirname, 'histories');

let orm: Orm;
let close: () => Promise<void>;
let bundle: WorkflowBundleWithSourceMap;
let w: Awaited<ReturnType<typeof caseWorker>>;

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  await seedReferenceData(orm.em.fork());
  bundle = await bundleCaseWorkflows();
}, 120_000);
afterAll(async () => {
  await close?.();
});
// One time-skipping server per test: skipping time for one scenario must not fire another's timers.
beforeEach(async () => {
  w = await caseWorker(orm, 'time-skipping', bundle);
}, 60_000);
// Every history a test produced must replay on the current workflow code (determinism check).
afterEach(async () => {
  try {
    const histories = [];
    for await (const e of w.client.workflow.list()) {
      histories.push({
        workflowId: e.workflowId,
        history: await w.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory(),
      });
    }
    for (const { workflowId, history } of histories) await recordHistory(HISTORIES_DIR, workflowId, history);
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThan(0);
  } finally {
    await w?.teardown();
  }
});

let n = 0;
function input(psn_no: string, overrides: Partial<FilingInput>): FilingInput {
  n += 1;
  return {
    filing_id: `filing-${psn_no}-wf${n}`,
    psn_no,
    category: 'other_temporary',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: null,
    begndate: cstDate(Date.now()),
    enddate: null,
    commitment: true,
    emergency_adm_date: null,
    retro: null,
    referral: null,
    form: {},
    submitted_by: 'test',
    ...overrides,
  };
}

const start = (i: FilingInput) =>
  w.client.workflow.start(filingWorkflow, { workflowId: i.filing_id, taskQueue: w.taskQueue, args: [i] });

const filingRow = (id: string) => orm.em.fork().findOne(Filing, { id });
const statusIs = (id: string, status: string) => async () => {
  const row = await filingRow(id);
  return row?.status === status ? row : undefined;
};
const openTask =
  (case_id: string, status = 'open') =>
  async () =>
    (await orm.em.fork().findOne(HumanTask, { case_id, status: status as HumanTask['status'] })) ?? undefined;

function decision(task: HumanTask, d: Partial<DecisionMessage>): DecisionMessage {
  return {
    decision_id: crypto.randomUUID(),
    task_id: task.id,
    decision: 'approve',
    reason: null,
    decided_by: 'staff-ah',
    decided_at: new Date().toISOString(),
    ...d,
  };
}

test('a commitment long-term filing is active at once and locked for six months, then cancellable', async () => {
  const i = input('P34010000000002', { category: 'retired_resettled', mdtrtarea_admdvs: '460000' });
  const handle = await start(i);
  const row = await eventually(statusIs(i.filing_id, 'ACTIVE'));
  expect(row.enddate).toBeNull();
  expect(row.prov_admdvs).toBe('340000');
  const refusal = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return String((error as WorkflowUpdateFailedError).cause?.message);
  };
  expect(
    await refusal(
      handle.executeUpdate(changeFilingUpdate, {
        args: [{ mdtrtarea_admdvs: '310000', memo: 'moved', requested_by: 't' }],
      }),
    ),
  ).toMatch(/之前不能变更或取消/);
  expect(
    await refusal(
      handle.executeUpdate(cancelFilingUpdate, { args: [{ reason: 'back home', requested_by: 't' }] }),
    ),
  ).toMatch(/之前不能变更或取消/);

  await w.env.sleep('190 days');
  const changed = await handle.executeUpdate(changeFilingUpdate, {
    args: [{ mdtrtarea_admdvs: '310000', memo: 'moved', requested_by: 't' }],
  });
  expect(changed.mdtrtarea_admdvs).toBe('310000');
  expect((await filingRow(i.filing_id))?.mdtrtarea_admdvs).toBe('310000');
  await handle.executeUpdate(cancelFilingUpdate, { args: [{ reason: 'back home', requested_by: 't' }] });
  expect((await handle.result()).status).toBe('CANCELLED');
  expect((await filingRow(i.filing_id))?.status).toBe('CANCELLED');
});

test('a temporary filing expires by timer at the end of its validity', async () => {
  const i = input('P34010000000001', { category: 'other_temporary' });
  const handle = await start(i);
  const row = await eventually(statusIs(i.filing_id, 'ACTIVE'));
  expect(row.enddate).not.toBeNull();
  expect((await handle.query(filingStateQuery)).status).toBe('ACTIVE');
  const final = await handle.result(); // the time-skipping server jumps to the expiry timer
  expect(final.status).toBe('EXPIRED');
  expect((await filingRow(i.filing_id))?.status).toBe('EXPIRED');
});

test('an emergency filing is deemed filed from the admission date', async () => {
  const today = cstDate(Date.now());
  const i = input('P34010000000001', {
    category: 'emergency',
    emergency_adm_date: addDays(today, -1),
    begndate: today,
  });
  await start(i);
  const row = await eventually(statusIs(i.filing_id, 'ACTIVE'));
  expect(row.deemed).toBe(true);
  expect(row.begndate).toBe(addDays(today, -1));
  expect(row.enddate).toBe(addDays(addMonths(addDays(today, -1), 6), -1));
});

test('补备案 for an unsettled stay starts no later than the admission date', async () => {
  const today = cstDate(Date.now());
  const admitted = addDays(today, -3);
  const i = input('P34010000000001', { retro: { mdtrt_id: 'S34010026112300001', adm_date: admitted } });
  await start(i);
  const row = await eventually(statusIs(i.filing_id, 'ACTIVE'));
  expect(row.retro).toBe(true);
  expect(row.begndate).toBe(admitted);
});

test('a suspended person’s filing is rejected after the insured-status check', async () => {
  const i = input('P44030000000001', {});
  const result = await (await start(i)).result();
  expect(result.status).toBe('REJECTED');
  expect(result.reason).toMatch(/suspended/);
});

test('a referral whose SLA lapses is escalated to a supervisor, then approved with a serial', async () => {
  const i = input('P34010000000001', {
    category: 'referral',
    referral: { refl_fil_type: '1', summary: { diag_name: '肺癌' } },
  });
  const handle = await start(i);
  const task = await eventually(openTask(i.filing_id));
  expect(task.role).toBe('staff');
  expect(task.prov_admdvs).toBe('340000');
  expect((await filingRow(i.filing_id))?.status).toBe('UNDER_REVIEW');

  await w.env.sleep('6 days'); // more than 3 working days, whatever the weekday
  const escalated = await eventually(openTask(i.filing_id, 'escalated'));
  expect(escalated.role).toBe('supervisor');
  expect((await orm.em.fork().findOne(Referral, { filing_id: i.filing_id }))?.escalated).toBe(true);
  await w.env.sleep('6 days'); // the supervisors' own limit lapses too
  await eventually(async () =>
    (await orm.em.fork().count(CaseEvent, { case_id: i.filing_id, kind: 'supervisor_overdue' })) === 1
      ? true
      : undefined,
  );

  const referral = w.client.workflow.getHandle(referralIdOf(i.filing_id));
  const message = decision(task, { decided_by: 'super-ah' });
  await referral.signal(decideSignal, message);
  await referral.signal(decideSignal, message); // redelivered from the outbox: applied once
  const row = await eventually(statusIs(i.filing_id, 'ACTIVE'));
  expect(row.trt_dcla_detl_sn).toMatch(/^TD340100\d{8}[0-9A-F]{10}$/);
  expect((await handle.query(filingStateQuery)).trt_dcla_detl_sn).toBe(row.trt_dcla_detl_sn);
});

test('more information restarts the SLA with a new task; a rejection needs its reason', async () => {
  const i = input('P34010000000002', {
    category: 'referral',
    referral: { refl_fil_type: '1', summary: { diag_name: '冠心病' } },
  });
  const handle = await start(i);
  const first = await eventually(openTask(i.filing_id));
  const referral = w.client.workflow.getHandle(referralIdOf(i.filing_id));
  await referral.signal(decideSignal, decision(first, { decision: 'more_info', reason: '请补充转诊证明' }));
  await eventually(async () =>
    (await orm.em.fork().findOne(Referral, { filing_id: i.filing_id }))?.status === 'MORE_INFO'
      ? true
      : undefined,
  );
  await w.env.sleep('2 days'); // the citizen takes two days to answer
  await referral.signal(answerMoreInfoSignal, {
    answer: '已上传',
    documents: ['转诊证明.pdf'],
    answered_by: 'lixiuying',
  });
  // The API marks a task decided before it signals; these tests signal directly, so look the new round up by id.
  const second = await eventually(
    async () =>
      (await orm.em.fork().findOne(HumanTask, { id: first.id.replace(/-t1$/, '-t2') })) ?? undefined,
  );
  expect(second.id).toMatch(/-t2$/);
  expect(second.due_at.getTime()).toBeGreaterThan(first.due_at.getTime());
  await referral.signal(decideSignal, decision(second, { decision: 'reject', reason: '非转诊范围' }));
  const result = await handle.result();
  expect(result.status).toBe('REJECTED');
  expect(result.reason).toBe('非转诊范围');
});

test('a referral filing cancelled while its review is starting withdraws the review and stays CANCELLED', async () => {
  // Hold the UNDER_REVIEW projection, the step before the child starts, and cancel in that window.
  const activities = createActivities({ orm });
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const worker = await Worker.create({
    connection: w.env.nativeConnection,
    namespace: w.env.namespace ?? 'default',
    taskQueue: `${w.taskQueue}-gated`,
    workflowBundle: bundle,
    activities: {
      ...activities,
      async projectFiling(args: Parameters<typeof activities.projectFiling>[0]) {
        if (args.filing.status === 'UNDER_REVIEW') {
          reached();
          await gate;
        }
        return activities.projectFiling(args);
      },
    },
  });
  const running = worker.run();
  try {
    const i = input('P34010000000001', {
      category: 'referral',
      referral: { refl_fil_type: '1', summary: { diag_name: '冠心病' } },
    });
    const handle = await w.client.workflow.start(filingWorkflow, {
      workflowId: i.filing_id,
      taskQueue: `${w.taskQueue}-gated`,
      args: [i],
    });
    await atGate;
    const cancelled = handle.executeUpdate(cancelFilingUpdate, {
      args: [{ reason: '不去了', requested_by: 'zhangwei' }],
    });
    await eventually(statusIs(i.filing_id, 'CANCELLED'));
    open();
    await cancelled;
    const result = await handle.result();
    expect(result.status).toBe('CANCELLED');
    const referral = await eventually(async () => {
      const row = await orm.em.fork().findOne(Referral, { filing_id: i.filing_id });
      return row?.status === 'WITHDRAWN' ? row : undefined;
    });
    expect(referral.status).toBe('WITHDRAWN');
    expect(await orm.em.fork().count(HumanTask, { case_id: i.filing_id, status: 'open' })).toBe(0);
  } finally {
    open();
    worker.shutdown();
    await running.catch(() => undefined);
  }
});
