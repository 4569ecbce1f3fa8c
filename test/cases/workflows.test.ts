import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import {
  addDays,
  addMonths,
  answerMoreInfoUpdate,
  cancelFilingUpdate,
  changeFilingUpdate,
  cstDate,
  type DecisionMessage,
  decideUpdate,
  type FilingInput,
  filingStateQuery,
} from '../../cases';
import { Admdvs, CaseEvent, Filing, HumanTask, InsuredPerson, Referral } from '../../db/entities';
import { filingWorkflow } from '../../workflows';
import { eventually } from '../support/eventually';
import { expectReplays } from '../support/histories';
import { caseWorkerPerTest } from '../support/temporal';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/cases/workflows.test.ts`; replayed by replay.test.ts. */
const HISTORIES_DIR = path.join(__dirname, 'histories');

// Every history a test produced must replay on the current workflow code (determinism check).
const suite = caseWorkerPerTest(({ worker, bundle }) => expectReplays(worker.client, bundle, HISTORIES_DIR));

let n = 0;
function input(psn_no: string, overrides: Partial<FilingInput>): FilingInput {
  n += 1;
  return {
    filing_id: `filing-${psn_no}-k${n}`,
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
  suite.worker.client.workflow.start(filingWorkflow, {
    workflowId: i.filing_id,
    taskQueue: suite.worker.taskQueue,
    args: [i],
  });

const filingRow = (id: string) => suite.orm.em.fork().findOne(Filing, { id });
const statusIs = (id: string, status: string) => async () => {
  const row = await filingRow(id);
  return row?.status === status ? row : undefined;
};
const openTask =
  (case_id: string, status = 'open') =>
  async () =>
    (await suite.orm.em.fork().findOne(HumanTask, { case_id, status: status as HumanTask['status'] })) ??
    undefined;

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
    expect((error as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'FILING_LOCKED' });
    return String((error as WorkflowUpdateFailedError).cause?.message);
  };
  expect(
    await refusal(
      handle.executeUpdate(changeFilingUpdate, {
        args: [{ mdtrtarea_admdvs: '310000', memo: 'moved', requested_by: 't' }],
      }),
    ),
  ).toMatch(/^长期备案生效后6个月内不能变更或取消，\d{4}年\d{1,2}月\d{1,2}日后可办理$/);
  expect(
    await refusal(
      handle.executeUpdate(cancelFilingUpdate, { args: [{ reason: 'back home', requested_by: 't' }] }),
    ),
  ).toMatch(/不能变更或取消/);

  await suite.worker.env.sleep('190 days');
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

  await suite.worker.env.sleep('6 days'); // more than 3 working days, whatever the weekday
  const escalated = await eventually(openTask(i.filing_id, 'escalated'));
  expect(escalated.role).toBe('supervisor');
  expect((await suite.orm.em.fork().findOne(Referral, { filing_id: i.filing_id }))?.escalated).toBe(true);
  await suite.worker.env.sleep('6 days'); // the supervisors' own limit lapses too
  await eventually(async () =>
    (await suite.orm.em.fork().count(CaseEvent, { case_id: i.filing_id, kind: 'supervisor_overdue' })) === 1
      ? true
      : undefined,
  );

  const message = decision(task, { decided_by: 'super-ah' });
  const decide = (m: DecisionMessage) =>
    handle.executeUpdate(decideUpdate, { updateId: m.decision_id, args: [m] });
  expect(await decide(message)).toMatchObject({ accepted: true });
  // Redelivered from the outbox (same update id): answered as the first time, applied once.
  expect(await decide(message)).toMatchObject({ accepted: true });
  // Another decision on the same task is refused by the case, naming the first.
  const second = await decide(decision(task, { decision: 'reject', reason: 'x' })).then(
    () => undefined,
    (e: WorkflowUpdateFailedError) => e.cause,
  );
  expect(second).toMatchObject({
    type: expect.stringMatching(/^(ALREADY_DECIDED|TASK_NOT_CURRENT|CASE_CLOSED)$/),
  });
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
  const decide = (m: DecisionMessage) =>
    handle.executeUpdate(decideUpdate, { updateId: m.decision_id, args: [m] });
  await decide(decision(first, { decision: 'more_info', reason: '请补充转诊证明' }));
  await eventually(async () =>
    (await suite.orm.em.fork().findOne(Referral, { filing_id: i.filing_id }))?.status === 'MORE_INFO'
      ? true
      : undefined,
  );
  await suite.worker.env.sleep('2 days'); // the citizen takes two days to answer
  await handle.executeUpdate(answerMoreInfoUpdate, {
    updateId: 'answer-1',
    args: [{ answer_id: 'a1', answer: '已上传', documents: ['转诊证明.pdf'], answered_by: 'lixiuying' }],
  });
  // The API marks a task decided before it signals; these tests signal directly, so look the new round up by id.
  const second = await eventually(
    async () =>
      (await suite.orm.em.fork().findOne(HumanTask, { id: first.id.replace(/-t1$/, '-t2') })) ?? undefined,
  );
  expect(second.id).toMatch(/-t2$/);
  expect(second.due_at.getTime()).toBeGreaterThan(first.due_at.getTime());
  // The stale round's task is refused: only the current one takes decisions.
  const stale = await decide(decision(first, { decision: 'approve' })).then(
    () => undefined,
    (e: WorkflowUpdateFailedError) => e.cause,
  );
  expect(stale).toMatchObject({ type: 'TASK_NOT_CURRENT' });
  await decide(decision(second, { decision: 'reject', reason: '非转诊范围' }));
  const result = await handle.result();
  expect(result.status).toBe('REJECTED');
  expect(result.reason).toBe('非转诊范围');
});

test('a referral filing cancelled while its review is starting withdraws the review and stays CANCELLED', async () => {
  // Hold the first UNDER_REVIEW projection (the review task just opened) and cancel in that window.
  const activities = createActivities({ orm: suite.orm });
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const worker = await Worker.create({
    connection: suite.worker.env.nativeConnection,
    namespace: suite.worker.env.namespace ?? 'default',
    taskQueue: `${suite.worker.taskQueue}-gated`,
    workflowBundle: suite.bundle,
    activities: {
      ...activities,
      async projectCase(args: Parameters<typeof activities.projectCase>[0]) {
        if (args.filing.status === 'UNDER_REVIEW') {
          reached();
          await gate;
        }
        return activities.projectCase(args);
      },
    },
  });
  const running = worker.run();
  try {
    const i = input('P34010000000001', {
      category: 'referral',
      referral: { refl_fil_type: '1', summary: { diag_name: '冠心病' } },
    });
    const handle = await suite.worker.client.workflow.start(filingWorkflow, {
      workflowId: i.filing_id,
      taskQueue: `${suite.worker.taskQueue}-gated`,
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
      const row = await suite.orm.em.fork().findOne(Referral, { filing_id: i.filing_id });
      return row?.status === 'WITHDRAWN' ? row : undefined;
    });
    expect(referral.status).toBe('WITHDRAWN');
    expect(await suite.orm.em.fork().count(HumanTask, { case_id: i.filing_id, status: 'open' })).toBe(0);
  } finally {
    open();
    worker.shutdown();
    await running.catch(() => undefined);
  }
});

test('a step that can never succeed puts the case in NEEDS_ATTENTION with a task for staff, never a retry loop', async () => {
  // PostgreSQL refuses a NUL character in jsonb: the projection fails the same way every time.
  const i = input('P34010000000001', { form: { memo: 'bad\u0000byte' } });
  const handle = await start(i);
  const row = await eventually(statusIs(i.filing_id, 'NEEDS_ATTENTION'));
  expect(row.reason).toMatch(/^projection: InvalidData: PostgreSQL refused the data \(SQLSTATE 22/);
  const task = await eventually(openTask(i.filing_id));
  expect(task).toMatchObject({ kind: 'case_attention', role: 'staff', prov_admdvs: '340000' });
  const events = await suite.orm.em
    .fork()
    .find(CaseEvent, { case_id: i.filing_id }, { orderBy: { at: 'asc' } });
  expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['submitted', 'needs_attention']));
  // The attention task takes retry or reject; staff close the case with a reason.
  const refused = await handle
    .executeUpdate(decideUpdate, { updateId: 'x', args: [decision(task, { decision: 'approve' })] })
    .then(
      () => undefined,
      (e: WorkflowUpdateFailedError) => e.cause,
    );
  expect(refused).toMatchObject({ type: 'DECISION_NOT_ALLOWED' });
  const close = decision(task, { decision: 'reject', reason: '表单数据无法保存，请重新提交' });
  await handle.executeUpdate(decideUpdate, { updateId: close.decision_id, args: [close] });
  expect((await handle.result()).status).toBe('REJECTED');
  const closed = await eventually(statusIs(i.filing_id, 'REJECTED'));
  expect(closed.reason).toBe('表单数据无法保存，请重新提交');
});

/** Adds a person the insured-person register did not hold yet (a register corrected by staff). */
async function registerPerson(psn_no: string): Promise<void> {
  const em = suite.orm.em.fork();
  em.create(InsuredPerson, {
    psn_no,
    psn_name: '赵磊',
    certno: '340102199001010099',
    gend: '1',
    brdy: '1990-01-01',
    insutype: '310',
    psn_type: 'in_service',
    insuplc_admdvs: em.getReference(Admdvs, '340100'),
    insu_status: 'active',
  });
  await em.flush();
}

test('NEEDS_ATTENTION: staff retry the failed step and the case carries on from it to ACTIVE', async () => {
  // Not in the insured-person register yet: the status check fails for good, not retried forever.
  const i = input('P34010000000099', { prov_admdvs: '340000' });
  const handle = await start(i);
  const row = await eventually(statusIs(i.filing_id, 'NEEDS_ATTENTION'));
  expect(row.reason).toMatch(/^insured_status: /);
  const task = await eventually(openTask(i.filing_id));
  expect(task).toMatchObject({ kind: 'case_attention', prov_admdvs: '340000' });

  await registerPerson(i.psn_no);
  const retry = decision(task, { decision: 'retry' });
  await handle.executeUpdate(decideUpdate, { updateId: retry.decision_id, args: [retry] });
  const active = await eventually(statusIs(i.filing_id, 'ACTIVE'));
  expect(active).toMatchObject({ reason: null, insuplc_admdvs: '340100', prov_admdvs: '340000' });
  const events = await suite.orm.em
    .fork()
    .find(CaseEvent, { case_id: i.filing_id }, { orderBy: { at: 'asc', id: 'asc' } });
  const kinds = events.map((e) => e.kind);
  expect(kinds.slice(kinds.indexOf('needs_attention'))).toEqual([
    'needs_attention',
    'review_task_opened',
    'attention_retried',
    'insured_status_checked',
    'active',
  ]);
  // The case runs on as an active filing (until its end date); the API test checks the task row.
  expect((await handle.query(filingStateQuery)).status).toBe('ACTIVE');
});

test('NEEDS_ATTENTION: the citizen can cancel; the attention task is withdrawn and the case ends CANCELLED', async () => {
  // PostgreSQL refuses a NUL character in jsonb: the full projection fails every time, so the
  // cancellation must be written without it.
  const i = input('P34010000000001', { form: { memo: 'bad\u0000byte' } });
  const handle = await start(i);
  await eventually(statusIs(i.filing_id, 'NEEDS_ATTENTION'));
  const task = await eventually(openTask(i.filing_id));
  const cancelled = await handle.executeUpdate(cancelFilingUpdate, {
    args: [{ reason: '不需要了', requested_by: 'zhangwei' }],
  });
  expect(cancelled.status).toBe('CANCELLED');
  expect((await handle.result()).status).toBe('CANCELLED');
  const row = await eventually(statusIs(i.filing_id, 'CANCELLED'));
  expect(row.reason).toBe('不需要了');
  const cancelledTask = await eventually(openTask(i.filing_id, 'cancelled'));
  expect(cancelledTask.id).toBe(task.id);
  const events = await suite.orm.em.fork().find(CaseEvent, { case_id: i.filing_id });
  expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['needs_attention', 'cancelled']));
});

test('a case submitted earlier (backdated clock) counts its SLA from the submission: escalated at once', async () => {
  const submitted = Date.now() - 10 * 86_400_000; // ten days ago: more than 3 working days
  const i = input('P34010000000002', {
    category: 'referral',
    referral: { refl_fil_type: '1', summary: { diag_name: '冠心病' } },
    submitted_at: new Date(submitted).toISOString(),
    begndate: cstDate(submitted),
  });
  await start(i);
  const escalated = await eventually(openTask(i.filing_id, 'escalated'));
  expect(escalated.role).toBe('supervisor');
  const submittedEvent = await suite.orm.em
    .fork()
    .findOneOrFail(CaseEvent, { case_id: i.filing_id, kind: 'submitted' });
  expect(submittedEvent.at.toISOString()).toBe(new Date(submitted).toISOString());
});
