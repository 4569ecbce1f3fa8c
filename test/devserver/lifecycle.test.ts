// Start, id reuse and conflict policies, describe, result, terminate, cancel, errors like Temporal's,
// namespaces, memo and search attributes, List/Count — through the real client and worker.
import * as grpc from '@grpc/grpc-js';
import {
  Client,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowNotFoundError,
} from '@temporalio/client';
import {
  ApplicationFailure,
  CancelledFailure,
  defineSearchAttributeKey,
  NamespaceNotFoundError,
  SearchAttributeType,
  TerminatedFailure,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { eventually } from '../support/eventually';
import { Harness, uniq } from './env';
import { cancellable, failing, hello, waitForFinish } from './workflows/basics';
import { CaseStage, done, tracked, upsertStage } from './workflows/visibility';

const SECOND_NAMESPACE = 'yidi-second';
const PsnNo = defineSearchAttributeKey('PsnNo', SearchAttributeType.KEYWORD);

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('local', {
    namespace: 'yidi',
    extraArgs: ['--namespace', SECOND_NAMESPACE],
    searchAttributes: [CaseStage, PsnNo],
  });
});

afterAll(async () => {
  await h?.teardown();
});

function opts(prefix: string) {
  return { taskQueue: h.taskQueue, workflowId: uniq(prefix) };
}

async function finished<T>(handle: WorkflowHandle, run: Promise<T>): Promise<T> {
  try {
    return await run;
  } finally {
    await h.keepHistory(handle);
  }
}

describe('start and result', () => {
  test('a started workflow runs on the worker and returns its result', async () => {
    const handle = await h.client.workflow.start(hello, { ...opts('hello'), args: ['Yidi'] });
    expect(handle.firstExecutionRunId).toMatch(/\S/);
    expect(await finished(handle, handle.result())).toBe('Hello, Yidi!');
    const desc = await handle.describe();
    expect(desc.status.name).toBe('COMPLETED');
    expect(desc.type).toBe('hello');
    expect(desc.taskQueue).toBe(h.taskQueue);
    expect(desc.runId).toBe(handle.firstExecutionRunId);
    expect(desc.closeTime).toBeInstanceOf(Date);
    expect(desc.historyLength).toBeGreaterThanOrEqual(5);
  });

  test('execute starts and awaits in one call', async () => {
    expect(await h.client.workflow.execute(hello, { ...opts('execute'), args: ['again'] })).toBe(
      'Hello, again!',
    );
  });

  test('a workflow failure reaches the client as WorkflowFailedError with the ApplicationFailure cause', async () => {
    const handle = await h.client.workflow.start(failing, { ...opts('failing'), args: ['bad input'] });
    const err = await finished(handle, handle.result()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('BadInput');
    expect((cause as ApplicationFailure).message).toBe('bad input');
    expect((await handle.describe()).status.name).toBe('FAILED');
  });
});

describe('workflow id uniqueness', () => {
  test('starting a running id again is refused with WorkflowExecutionAlreadyStartedError', async () => {
    const o = opts('dup');
    const first = await h.client.workflow.start(waitForFinish, o);
    const err = await h.client.workflow.start(waitForFinish, o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect((err as WorkflowExecutionAlreadyStartedError).workflowId).toBe(o.workflowId);
    expect((err as WorkflowExecutionAlreadyStartedError).workflowType).toBe('waitForFinish');
    await first.signal('finish');
    await finished(first, first.result());
  });

  test('conflict policy USE_EXISTING returns the running execution', async () => {
    const o = opts('use-existing');
    const first = await h.client.workflow.start(waitForFinish, o);
    const second = await h.client.workflow.start(waitForFinish, {
      ...o,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    await first.signal('finish');
    await finished(first, first.result());
  });

  test('conflict policy TERMINATE_EXISTING terminates the running execution and starts a new one', async () => {
    const o = opts('terminate-existing');
    const first = await h.client.workflow.start(waitForFinish, o);
    const second = await h.client.workflow.start(waitForFinish, {
      ...o,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.TERMINATE_EXISTING,
    });
    expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    const old = h.client.workflow.getHandle(o.workflowId, first.firstExecutionRunId);
    expect((await old.describe()).status.name).toBe('TERMINATED');
    await second.signal('finish');
    await finished(second, second.result());
  });

  test('reuse policy ALLOW_DUPLICATE (the default) starts a new run after a completed one', async () => {
    const o = opts('allow-dup');
    const first = await h.client.workflow.start(hello, { ...o, args: ['1'] });
    await first.result();
    const second = await h.client.workflow.start(hello, {
      ...o,
      args: ['2'],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    expect(await finished(second, second.result())).toBe('Hello, 2!');
    // The id now names the latest run; the first run is still reachable by run id.
    expect((await h.client.workflow.getHandle(o.workflowId).describe()).runId).toBe(
      second.firstExecutionRunId,
    );
    expect(
      (await h.client.workflow.getHandle(o.workflowId, first.firstExecutionRunId).describe()).runId,
    ).toBe(first.firstExecutionRunId);
  });

  test('reuse policy REJECT_DUPLICATE refuses an id that has been used', async () => {
    const o = opts('reject-dup');
    await h.client.workflow.execute(hello, { ...o, args: ['1'] });
    const err = await h.client.workflow
      .start(hello, { ...o, args: ['2'], workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  test('reuse policy ALLOW_DUPLICATE_FAILED_ONLY allows a new run only after a failed one', async () => {
    const policy = { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY };
    const ok = opts('failed-only-ok');
    await h.client.workflow.execute(hello, { ...ok, args: ['1'] });
    const refused = await h.client.workflow
      .start(hello, { ...ok, ...policy, args: ['2'] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

    const bad = opts('failed-only-bad');
    await h.client.workflow.execute(failing, { ...bad, args: ['x'] }).catch(() => undefined);
    const again = await h.client.workflow.start(hello, { ...bad, ...policy, args: ['3'] });
    expect(await finished(again, again.result())).toBe('Hello, 3!');
  });

  test('reuse policy TERMINATE_IF_RUNNING replaces a running execution', async () => {
    const o = opts('terminate-if-running');
    const first = await h.client.workflow.start(waitForFinish, o);
    const second = await h.client.workflow.start(waitForFinish, {
      ...o,
      workflowIdReusePolicy: WorkflowIdReusePolicy.TERMINATE_IF_RUNNING,
    });
    expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    const firstResult = await h.client.workflow
      .getHandle(o.workflowId, first.firstExecutionRunId)
      .result()
      .catch((e: unknown) => e);
    expect(firstResult).toBeInstanceOf(WorkflowFailedError);
    expect((firstResult as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    await second.terminate('cleanup');
  });
});

describe('terminate and cancel', () => {
  test('terminate ends a running workflow with TerminatedFailure and its reason', async () => {
    const handle = await h.client.workflow.start(waitForFinish, opts('terminate'));
    await handle.terminate('no longer needed');
    const err = await finished(handle, handle.result()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    expect((err as WorkflowFailedError).cause?.message).toBe('no longer needed');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  });

  test('cancel reaches the workflow as CancelledFailure and ends it CANCELLED', async () => {
    const handle = await h.client.workflow.start(cancellable, { ...opts('cancel'), args: ['rethrow'] });
    await handle.cancel();
    const err = await finished(handle, handle.result()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });

  test('a workflow may catch the cancellation (isCancellation) and complete normally', async () => {
    const handle = await h.client.workflow.start(cancellable, { ...opts('cancel-report'), args: ['report'] });
    await handle.cancel();
    expect(await finished(handle, handle.result())).toBe('saw CancelledFailure');
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});

describe('delete', () => {
  test('DeleteWorkflowExecution terminates a running run and removes it; describe is then NOT_FOUND', async () => {
    const handle = await h.client.workflow.start(waitForFinish, { ...opts('delete'), args: [] });
    await h.client.workflowService.deleteWorkflowExecution({
      namespace: h.env.namespace,
      workflowExecution: { workflowId: handle.workflowId, runId: handle.firstExecutionRunId },
    });
    await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const listed: string[] = [];
    for await (const e of h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }))
      listed.push(e.workflowId);
    expect(listed).toEqual([]);
  });
});

describe('errors like Temporal', () => {
  test('describe of an unknown workflow is WorkflowNotFoundError', async () => {
    const err = await h.client.workflow
      .getHandle('nope')
      .describe()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowNotFoundError);
  });

  test('signal, terminate and result of an unknown workflow are WorkflowNotFoundError', async () => {
    const handle = h.client.workflow.getHandle(uniq('missing'));
    expect(await handle.signal('finish').catch((e: unknown) => e)).toBeInstanceOf(WorkflowNotFoundError);
    expect(await handle.terminate().catch((e: unknown) => e)).toBeInstanceOf(WorkflowNotFoundError);
    expect(await handle.result().catch((e: unknown) => e)).toBeInstanceOf(WorkflowNotFoundError);
  });

  test('an unknown run id of a known workflow is WorkflowNotFoundError', async () => {
    const o = opts('bad-run');
    await h.client.workflow.execute(hello, { ...o, args: ['x'] });
    const err = await h.client.workflow
      .getHandle(o.workflowId, '00000000-0000-4000-8000-000000000000')
      .describe()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('namespaces', () => {
  test('the namespace given to createLocal is the one the env uses', async () => {
    expect(h.env.namespace).toBe('yidi');
    const desc = await h.env.connection.workflowService.describeNamespace({ namespace: 'yidi' });
    expect(desc.namespaceInfo?.name).toBe('yidi');
  });

  test('default and a namespace given with --namespace both serve workflows', async () => {
    for (const namespace of ['default', SECOND_NAMESPACE]) {
      const taskQueue = uniq(`tq-${namespace}`);
      await h.startWorker({ taskQueue, namespace });
      const client = new Client({ connection: h.env.connection, namespace });
      const result = await client.workflow.execute(hello, {
        taskQueue,
        workflowId: uniq('ns'),
        args: [namespace],
      });
      expect(result).toBe(`Hello, ${namespace}!`);
    }
  });

  test('closed runs are removed after the namespace retention, open ones stay', async () => {
    const namespace = uniq('retention');
    await h.env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1s'),
    });
    const client = new Client({ connection: h.env.connection, namespace });
    const o = { taskQueue: uniq('tq-retention'), args: [] } as const;
    const old = await client.workflow.start(waitForFinish, { ...o, workflowId: uniq('expired') });
    await old.terminate('done');
    const open = await client.workflow.start(waitForFinish, { ...o, workflowId: uniq('open') });
    await new Promise((r) => setTimeout(r, 1200));
    // Closing another run sweeps expired ones (an idle server sweeps every minute).
    const fresh = await client.workflow.start(waitForFinish, { ...o, workflowId: uniq('fresh') });
    await fresh.terminate('done');
    await expect(old.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await open.describe()).status.name).toBe('RUNNING');
    expect((await fresh.describe()).status.name).toBe('TERMINATED');
    const listed: string[] = [];
    for await (const e of client.workflow.list()) listed.push(e.workflowId);
    expect(listed.sort()).toEqual([fresh.workflowId, open.workflowId].sort());
    // The id of a removed run is free again, as on the real server.
    const again = await client.workflow.start(waitForFinish, {
      ...o,
      workflowId: old.workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    await again.terminate('done');
    await open.terminate('done');
  });

  test('an unknown namespace is NamespaceNotFoundError', async () => {
    const client = new Client({ connection: h.env.connection, namespace: 'no-such-namespace' });
    const err = await client.workflow
      .start(hello, { ...opts('unknown-ns'), args: ['x'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NamespaceNotFoundError);
  });
});

describe('memo, search attributes, list and count', () => {
  test('memo and search attributes given at start are visible inside, in describe and after upsert', async () => {
    const psnNo = uniq('psn');
    const handle = await h.client.workflow.start(tracked, {
      ...opts('tracked'),
      memo: { note: '备案 for Hubei', n: 3 },
      typedSearchAttributes: [
        { key: PsnNo, value: psnNo },
        { key: CaseStage, value: 'filed' },
      ],
    });
    let desc = await handle.describe();
    expect(desc.memo).toEqual({ note: '备案 for Hubei', n: 3 });
    expect(desc.typedSearchAttributes.get(PsnNo)).toBe(psnNo);
    expect(desc.typedSearchAttributes.get(CaseStage)).toBe('filed');

    await handle.signal(upsertStage, 'review');
    desc = await eventually(async () => {
      const d = await handle.describe();
      return d.typedSearchAttributes.get(CaseStage) === 'review' ? d : undefined;
    });
    expect(desc.typedSearchAttributes.get(PsnNo)).toBe(psnNo);

    await handle.signal(done);
    expect(await finished(handle, handle.result())).toEqual({
      memo: { note: '备案 for Hubei', n: 3 },
      stage: 'review',
    });
  });

  test('list and count filter on type, status, id, a custom Keyword and AND', async () => {
    const psnNo = uniq('psn');
    const sa = (stage: string) => [
      { key: PsnNo, value: psnNo },
      { key: CaseStage, value: stage },
    ];
    const a = await h.client.workflow.start(waitForFinish, {
      ...opts('list-a'),
      typedSearchAttributes: sa('review'),
    });
    const b = await h.client.workflow.start(waitForFinish, {
      ...opts('list-b'),
      typedSearchAttributes: sa('settled'),
    });
    const c = await h.client.workflow.start(tracked, {
      ...opts('list-c'),
      typedSearchAttributes: sa('review'),
    });
    await b.signal('finish');
    await b.result();

    const ids = async (query: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const wf of h.client.workflow.list({ query })) out.push(wf.workflowId);
      return out.sort();
    };
    const mine = `PsnNo = '${psnNo}'`;
    expect(await ids(mine)).toEqual([a.workflowId, b.workflowId, c.workflowId].sort());
    expect(await ids(`${mine} AND WorkflowType = 'waitForFinish'`)).toEqual(
      [a.workflowId, b.workflowId].sort(),
    );
    expect(await ids(`${mine} AND ExecutionStatus = 'Running'`)).toEqual([a.workflowId, c.workflowId].sort());
    expect(await ids(`WorkflowId = '${b.workflowId}'`)).toEqual([b.workflowId]);
    expect(await ids(`${mine} AND CaseStage = 'review' AND WorkflowType = 'tracked'`)).toEqual([
      c.workflowId,
    ]);
    expect(await ids(`${mine} AND (CaseStage = 'settled' OR WorkflowType = 'tracked')`)).toEqual(
      [b.workflowId, c.workflowId].sort(),
    );

    expect((await h.client.workflow.count(mine)).count).toBe(3);
    expect((await h.client.workflow.count(`${mine} AND ExecutionStatus = 'Completed'`)).count).toBe(1);

    const listed = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${a.workflowId}'` }))
      listed.push(wf);
    expect(listed[0]?.type).toBe('waitForFinish');
    expect(listed[0]?.status.name).toBe('RUNNING');
    expect(listed[0]?.typedSearchAttributes.get(CaseStage)).toBe('review');

    const badQuery = await ids("WorkflowId = 'x' FOO").catch((e: unknown) => e);
    expect(badQuery).toBeInstanceOf(ServiceError);
    const grpcCause = (badQuery as ServiceError).cause as { code?: number; details?: string } | undefined;
    expect(grpcCause?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(grpcCause?.details).toMatch(/invalid query: unexpected token 'FOO'/);

    await a.signal('finish');
    await c.signal(done);
    await finished(a, a.result());
    await finished(c, c.result());
  });
});

describe('count group by', () => {
  test('count GROUP BY ExecutionStatus answers per status, and a long query answers at once', async () => {
    const a = await h.client.workflow.start(waitForFinish, { ...opts('grouped'), args: [] });
    const b = await h.client.workflow.start(waitForFinish, { ...opts('grouped'), args: [] });
    await b.terminate('done');
    const mine = `WorkflowId IN ('${a.workflowId}', '${b.workflowId}')`;
    const grouped = await h.client.workflow.count(`${mine} GROUP BY ExecutionStatus`);
    expect(grouped.count).toBe(2);
    const byStatus = Object.fromEntries(grouped.groups.map((g) => [String(g.groupValues[0]), g.count]));
    expect(byStatus).toEqual({ Running: 1, Terminated: 1 });
    // Spaces that are not followed by GROUP BY once made the matching regex backtrack quadratically.
    const started = Date.now();
    await expect(h.client.workflow.count(`a${' '.repeat(200_000)}x`)).rejects.toBeInstanceOf(ServiceError);
    expect(Date.now() - started).toBeLessThan(2000);
    await a.terminate('done');
  });
});

test('every history of this file replays on a fresh worker', async () => {
  expect(h.histories.length).toBeGreaterThan(5);
  expect(await h.replayKeptHistories()).toEqual([]);
});
