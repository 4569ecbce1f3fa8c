// The durable devserver (--db-filename / startDevServer({ dbFilename })): the journal on its own, a
// restart that brings back what users see, and state files that cannot be used (corrupt, torn, locked).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import Long from 'long';
import { startDevServer } from '../../devserver/index';
import { Journal, StateFileError } from '../../devserver/store/journal';
import { createActivities, Probe } from './activities';
import { bundleTestWorkflows, DEVSERVER_BIN, eventTypeName, uniq } from './env';
import { hello } from './workflows/basics';
import { addAndCount, entity, items } from './workflows/messages';
import { release, waitForRelease } from './workflows/timers';
import { CaseStage, done, tracked, upsertStage } from './workflows/visibility';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-durable-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

// How @temporalio/testing gets a connection with the TestService (time skipping) client.
const withTestService = { [InternalConnectionOptionsSymbol]: { supportsTestService: true } };

type Logged = { level: string; msg: string }[];
const collect = (logged: Logged) => (level: string, msg: string) => logged.push({ level, msg });

describe('the journal', () => {
  test('frames come back in order after a reopen, and later appends follow them', async () => {
    const file = path.join(dir, 'j.db');
    const a = Journal.open(file, () => {});
    expect(a.frames).toEqual([]);
    await a.journal.append(Buffer.from('["one"]'));
    await a.journal.append(Buffer.from('["two"]'));
    a.journal.close();
    const b = Journal.open(file, () => {});
    expect(b.frames).toEqual(['["one"]', '["two"]']);
    await b.journal.append(Buffer.from('["three"]'));
    b.journal.close();
    const c = Journal.open(file, () => {});
    expect(c.frames).toEqual(['["one"]', '["two"]', '["three"]']);
    c.journal.close();
  });

  test('a torn last frame (a crash mid-write) is cut off with a warning, and the file stays usable', async () => {
    const file = path.join(dir, 'j.db');
    const a = Journal.open(file, () => {});
    await a.journal.append(Buffer.from('["kept"]'));
    await a.journal.append(Buffer.from('["torn record"]'));
    a.journal.close();
    const whole = fs.statSync(file).size;
    fs.truncateSync(file, whole - 5);

    const logged: Logged = [];
    const b = Journal.open(file, collect(logged));
    expect(b.frames).toEqual(['["kept"]']);
    expect(logged).toEqual([
      { level: 'warn', msg: expect.stringMatching(/j\.db: cut off a torn last record/) },
    ]);
    await b.journal.append(Buffer.from('["after"]'));
    b.journal.close();
    const c = Journal.open(file, () => {});
    expect(c.frames).toEqual(['["kept"]', '["after"]']);
    c.journal.close();
  });

  test('a corrupt frame with more after it is an error naming the file, never an empty state', async () => {
    const file = path.join(dir, 'j.db');
    const a = Journal.open(file, () => {});
    await a.journal.append(Buffer.from('["first record"]'));
    await a.journal.append(Buffer.from('["second record"]'));
    a.journal.close();
    const bytes = fs.readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(19) ^ 0xff, 19); // inside the first payload
    fs.writeFileSync(file, bytes);
    expect(() => Journal.open(file, () => {})).toThrow(StateFileError);
    expect(() => Journal.open(file, () => {})).toThrow(`${file}: corrupt record at byte 8`);
  });

  test('a file that is not a state file is refused, naming it', () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'my notes, not a journal\n');
    expect(() => Journal.open(file, () => {})).toThrow(`${file}: not a devserver state file`);
    expect(fs.readFileSync(file, 'utf8')).toBe('my notes, not a journal\n');
  });

  test('one writer: refused while locked here or by another live process; a dead owner’s lock is taken over', () => {
    const file = path.join(dir, 'j.db');
    const a = Journal.open(file, () => {});
    expect(() => Journal.open(file, () => {})).toThrow(/in use by another devserver in this process/);
    a.journal.close();

    fs.writeFileSync(`${file}.lock`, `${process.ppid}\n`);
    expect(() => Journal.open(file, () => {})).toThrow(
      `in use by another running devserver (pid ${process.ppid}, lock file ${file}.lock)`,
    );

    const dead = spawnSync('true').pid;
    fs.writeFileSync(`${file}.lock`, `${dead}\n`);
    const b = Journal.open(file, () => {});
    expect(fs.readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    b.journal.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('a restart on the same file', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflowBundle = await bundleTestWorkflows();
  });

  async function withServer<T>(
    file: string,
    run: (s: { client: Client; connection: Connection; taskQueue: string }) => Promise<T>,
    taskQueue = 'durable',
  ): Promise<T> {
    const server = await startDevServer({
      port: 0,
      dbFilename: file,
      searchAttributes: { CaseStage: 'Keyword' },
    });
    const connection = await Connection.connect({ address: server.address });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
    });
    try {
      return await worker.runUntil(run({ client: new Client({ connection }), connection, taskQueue }));
    } finally {
      await nativeConnection.close();
      await connection.close();
      await server.stop();
    }
  }

  test('brings back running and closed runs, memo, search attributes and namespaces; workers carry on', async () => {
    const file = path.join(dir, 'temporal.db');
    const ids = { waiting: uniq('waiting'), tracked: uniq('tracked'), hello: uniq('hello') };
    const before = await withServer(file, async ({ client, connection, taskQueue }) => {
      await connection.workflowService.registerNamespace({
        namespace: 'durable-ns',
        workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(7 * 86400) },
      });
      const waiting = await client.workflow.start(waitForRelease, {
        taskQueue,
        workflowId: ids.waiting,
        args: ['1 day'],
      });
      const t = await client.workflow.start(tracked, {
        taskQueue,
        workflowId: ids.tracked,
        memo: { mdtrt_id: 'MD-001' },
        typedSearchAttributes: [{ key: CaseStage, value: 'filed' }],
      });
      await t.signal(upsertStage, 'review');
      await t.signal(done);
      const trackedResult = await t.result();
      const greeting = await client.workflow.execute(hello, {
        taskQueue,
        workflowId: ids.hello,
        args: ['Li'],
      });
      const helloHistory = await client.workflow.getHandle(ids.hello).fetchHistory();
      // The timer is set: the run is waiting for the signal or the day to pass.
      expect((await waiting.describe()).status.name).toBe('RUNNING');
      return { trackedResult, greeting, helloHistory };
    });
    expect(before.trackedResult).toEqual({ memo: { mdtrt_id: 'MD-001' }, stage: 'review' });

    await withServer(file, async ({ client, connection }) => {
      const ns = await connection.workflowService.describeNamespace({ namespace: 'durable-ns' });
      expect(Number(ns.config?.workflowExecutionRetentionTtl?.seconds)).toBe(7 * 86400);

      const t = await client.workflow.getHandle(ids.tracked).describe();
      expect(t.status.name).toBe('COMPLETED');
      expect(t.memo).toEqual({ mdtrt_id: 'MD-001' });
      const found = [];
      for await (const w of client.workflow.list({ query: `CaseStage = 'review'` })) found.push(w.workflowId);
      expect(found).toEqual([ids.tracked]);
      expect(await client.workflow.getHandle(ids.tracked).result()).toEqual(before.trackedResult);

      const helloHistory = await client.workflow.getHandle(ids.hello).fetchHistory();
      expect(helloHistory).toEqual(before.helloHistory);
      expect(await client.workflow.getHandle(ids.hello).result()).toBe(before.greeting);

      const waiting = client.workflow.getHandle<typeof waitForRelease>(ids.waiting);
      await waiting.signal(release);
      expect(await waiting.result()).toMatchObject({ released: true });

      const histories = await Promise.all(
        [ids.waiting, ids.tracked, ids.hello].map(async (workflowId) => ({
          workflowId,
          history: await client.workflow.getHandle(workflowId).fetchHistory(),
        })),
      );
      const failures: string[] = [];
      for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) {
        if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
      }
      expect(failures).toEqual([]);
    });
  });

  test('a schedule created before the restart is found after it, and it keeps firing', async () => {
    const file = path.join(dir, 'schedules.db');
    const scheduleId = uniq('monthly-clearing');
    const taskQueue = uniq('durable-schedules');
    // Time skipping, locked: the clock moves only by the sleeps below, so the schedule fires then.
    const withSchedules = async <T>(
      run: (client: Client, sleep: (ms: number) => Promise<void>) => Promise<T>,
    ) => {
      const server = await startDevServer({ port: 0, timeSkipping: true, dbFilename: file });
      const connection = await Connection.connect({ address: server.address, ...withTestService });
      const nativeConnection = await NativeConnection.connect({ address: server.address });
      const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle });
      const sleep = async (ms: number) => {
        await connection.testService?.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
      };
      try {
        return await worker.runUntil(run(new Client({ connection }), sleep));
      } finally {
        await nativeConnection.close();
        await connection.close();
        await server.stop();
      }
    };
    /** The schedule's actions so far, once the workflow of the latest has completed. */
    const actions = async (client: Client) => {
      const { info } = await client.schedule.getHandle(scheduleId).describe();
      const latest = info.recentActions.at(-1);
      if (latest) await client.workflow.getHandle(latest.action.workflow.workflowId).result();
      return info.recentActions.map((a) => a.action.workflow.workflowId);
    };

    const before = await withSchedules(async (client, sleep) => {
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1 hour' }] },
        action: {
          type: 'startWorkflow',
          workflowType: hello,
          args: ['清算'],
          taskQueue,
          workflowId: scheduleId,
        },
        memo: { owner: 'province-ah' },
      });
      await sleep(90 * 60_000);
      return actions(client);
    });
    expect(before.length).toBeGreaterThanOrEqual(1);

    await withSchedules(async (client, sleep) => {
      const d = await client.schedule.getHandle(scheduleId).describe();
      expect(d.memo).toEqual({ owner: 'province-ah' });
      expect(d.spec.intervals).toEqual([{ every: 3600_000, offset: 0 }]);
      expect(d.info.recentActions.map((a) => a.action.workflow.workflowId)).toEqual(before);

      await sleep(2 * 3600_000);
      const after = await actions(client);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.length).toBeGreaterThan(before.length);
      const latest = client.workflow.getHandle(after.at(-1)!);
      expect(await latest.result()).toBe('Hello, 清算!');
    });
  });

  test('finished updates written a few per commit come back whole: a repeated update id answers as before, after a restart and after the compaction', async () => {
    const file = path.join(dir, 'updates.db');
    const workflowId = uniq('entity');
    await withServer(file, async ({ client, taskQueue }) => {
      const h = await client.workflow.start(entity, { taskQueue, workflowId });
      // One commit each: every record after the first holds only the update it finished.
      for (const [i, item] of ['a', 'b', 'c'].entries()) {
        expect(await h.executeUpdate(addAndCount, { args: [item], updateId: `u-${i + 1}` })).toBe(i + 1);
      }
    });
    // The first restart replays the records as appended; the second reads the snapshot it compacted.
    for (const round of [1, 2]) {
      await withServer(file, async ({ client }) => {
        const h = client.workflow.getHandle(workflowId);
        for (const [i, item] of ['a', 'b', 'c'].entries()) {
          expect(await h.executeUpdate(addAndCount, { args: [item], updateId: `u-${i + 1}` })).toBe(i + 1);
        }
        expect(await h.query(items)).toEqual(['a', 'b', 'c', ...(round === 2 ? ['d'] : [])]);
        if (round === 1) expect(await h.executeUpdate(addAndCount, { args: ['d'], updateId: 'u-4' })).toBe(4);
      });
    }
  });

  test('time skipped before the restart stays skipped', async () => {
    const file = path.join(dir, 'skipping.db');
    const opts = { port: 0, timeSkipping: true, timeSkippingUnlocked: true, dbFilename: file };
    const first = await startDevServer(opts);
    const c1 = await Connection.connect({ address: first.address, ...withTestService });
    await c1.testService?.sleep({ duration: { seconds: Long.fromNumber(30 * 86400) } });
    const skipped = await c1.testService?.getCurrentTime({});
    await c1.close();
    await first.stop();

    const second = await startDevServer(opts);
    const c2 = await Connection.connect({ address: second.address, ...withTestService });
    const now = await c2.testService?.getCurrentTime({});
    await c2.close();
    await second.stop();
    expect(Number(now?.time?.seconds)).toBeGreaterThanOrEqual(Number(skipped?.time?.seconds));
    expect(Number(now?.time?.seconds) * 1000).toBeGreaterThan(Date.now() + 29 * 86400_000);
  });
});

describe('a SIGKILL of the server', () => {
  /** bin/yidi-devserver (the compiled one) on a fixed port and state file. */
  async function spawnServer(port: number, file: string) {
    const child = spawn(DEVSERVER_BIN, ['--port', String(port), '--db-filename', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      exited.then(() => reject(new Error(`devserver exited before ready: ${stderr}`)));
    });
    return { child, exited };
  }

  function freePort(): Promise<number> {
    return new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(p));
      });
    });
  }

  test('a workflow task handed out by an eager start is on disk before the start answers: its token completes it after a restart', async () => {
    const file = path.join(dir, 'eager-start.db');
    const port = await freePort();
    const namespace = 'default';
    const workflowId = uniq('eager-start-kill');
    const first = await spawnServer(port, file);
    const c1 = await Connection.connect({ address: `127.0.0.1:${port}` });
    let taskToken: Uint8Array | null | undefined;
    try {
      const started = await c1.workflowService.startWorkflowExecution({
        namespace,
        workflowId,
        workflowType: { name: 'protocolOnly' },
        taskQueue: { name: uniq('eager-start-kill') },
        requestId: randomUUID(),
        requestEagerExecution: true,
      });
      taskToken = started.eagerWorkflowTask?.taskToken;
      expect(taskToken?.length).toBeGreaterThan(0);
    } finally {
      await c1.close();
      first.child.kill('SIGKILL');
      await first.exited;
    }

    const second = await spawnServer(port, file);
    const c2 = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      const svc = c2.workflowService;
      await svc.respondWorkflowTaskCompleted({
        namespace,
        taskToken,
        identity: 'w1',
        commands: [
          {
            commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
            completeWorkflowExecutionCommandAttributes: {},
          },
        ],
      });
      const { history } = await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
      expect(history?.events?.map((e) => eventTypeName(e.eventType))).toEqual([
        'WorkflowExecutionStarted',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskCompleted',
        'WorkflowExecutionCompleted',
      ]);
    } finally {
      await c2.close();
      second.child.kill('SIGINT');
      await second.exited;
    }
  });

  test('an eager activity started before it times out and is retried after the restart, like a polled one', async () => {
    const file = path.join(dir, 'eager.db');
    const port = await freePort();
    const namespace = 'default';
    const taskQueue = uniq('eager-kill');
    const workflowId = uniq('eager-kill-wf');
    const activity = (activityId: string, requestEagerExecution: boolean) => ({
      commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
      scheduleActivityTaskCommandAttributes: {
        activityId,
        activityType: { name: 'greet' },
        taskQueue: { name: taskQueue },
        startToCloseTimeout: { seconds: Long.fromNumber(1) },
        retryPolicy: { initialInterval: { nanos: 10_000_000 }, maximumAttempts: 3 },
        requestEagerExecution,
      },
    });

    const first = await spawnServer(port, file);
    const c1 = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      const svc = c1.workflowService;
      await svc.startWorkflowExecution({
        namespace,
        workflowId,
        workflowType: { name: 'protocolOnly' },
        taskQueue: { name: taskQueue },
        requestId: randomUUID(),
      });
      const task = await svc.pollWorkflowTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        identity: 'w1',
      });
      const response = await svc.respondWorkflowTaskCompleted({
        namespace,
        taskToken: task.taskToken,
        identity: 'w1',
        commands: [activity('eager', true), activity('polled', false)],
      });
      expect(response.activityTasks?.map((t) => [t.activityId, t.attempt])).toEqual([['eager', 1]]);
      const polled = await svc.pollActivityTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        identity: 'w1',
      });
      expect([polled.activityId, polled.attempt]).toEqual(['polled', 1]);
    } finally {
      await c1.close();
      // Both attempts are held by a worker that never answers; the server dies without a goodbye.
      first.child.kill('SIGKILL');
      await first.exited;
    }

    const second = await spawnServer(port, file);
    const c2 = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      const svc = c2.workflowService;
      const retried: [string, number][] = [];
      for (let i = 0; i < 2; i++) {
        const t = await svc.pollActivityTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          identity: 'w2',
        });
        retried.push([t.activityId ?? '', t.attempt ?? 0]);
      }
      expect(retried.sort()).toEqual([
        ['eager', 2],
        ['polled', 2],
      ]);
      const { history } = await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
      expect(history?.events?.map((e) => eventTypeName(e.eventType))).not.toContain('ActivityTaskTimedOut');
    } finally {
      await c2.close();
      second.child.kill('SIGINT');
      await second.exited;
    }
  });
});

describe('state files that cannot be used', () => {
  test('a second devserver on the same file is refused and the first one keeps it', async () => {
    const file = path.join(dir, 'temporal.db');
    const first = await startDevServer({ port: 0, dbFilename: file });
    try {
      await expect(startDevServer({ port: 0, dbFilename: file })).rejects.toThrow(
        /in use by another devserver/,
      );
      let status = 0;
      let stderr = '';
      try {
        execFileSync(DEVSERVER_BIN, ['--port', '0', '--db-filename', file], { stdio: 'pipe' });
      } catch (e) {
        ({ status, stderr } = e as { status: number; stderr: string });
      }
      expect(status).toBe(1);
      expect(String(stderr).trim()).toBe(
        `yidi-devserver: devserver state file ${file}: in use by another running devserver ` +
          `(pid ${process.pid}, lock file ${file}.lock); stop it first`,
      );
    } finally {
      await first.stop();
    }
  });

  test('a corrupt file stops the start with one line naming it', () => {
    const file = path.join(dir, 'temporal.db');
    fs.writeFileSync(file, Buffer.from('YIDIDSJ1\u0005\u0000\u0000\u0000garbagegarbage'));
    fs.appendFileSync(file, Buffer.alloc(40, 1));
    let status = 0;
    let stderr = '';
    try {
      execFileSync(DEVSERVER_BIN, ['--port', '0', '--db-filename', file], { stdio: 'pipe' });
    } catch (e) {
      ({ status, stderr } = e as { status: number; stderr: string });
    }
    expect(status).toBe(1);
    expect(String(stderr).trim().split('\n')).toEqual([
      expect.stringContaining(`yidi-devserver: devserver state file ${file}: corrupt record at byte 8`),
    ]);
  });
});

describe('a write that fails', () => {
  test('fails the RPC UNAVAILABLE, acknowledges nothing after it, and a restart keeps what was acknowledged', async () => {
    const file = path.join(dir, 'temporal.db');
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    // A real EFBIG from the kernel: a 40 KiB file-size limit (SIGXFSZ ignored, so write() fails instead).
    const child = spawn(
      'bash',
      ['-c', `trap '' XFSZ; ulimit -f 40; exec "${DEVSERVER_BIN}" --port ${port} --db-filename "${file}"`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      exited.then(() => reject(new Error(`devserver exited before ready: ${stderr}`)));
    });
    // No client-side retries: the test wants to see each answer.
    const connection = await Connection.connect({
      address: `127.0.0.1:${port}`,
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 1 }))],
    });
    const client = new Client({ connection });
    const acknowledged: string[] = [];
    const input = 'x'.repeat(2000);
    let failure: unknown;
    try {
      for (let i = 0; i < 100 && !failure; i++) {
        const workflowId = `case-${i}`;
        try {
          await client.workflow.start('waitForFinish', { taskQueue: 'none', workflowId, args: [input] });
          acknowledged.push(workflowId);
        } catch (e) {
          failure = e;
        }
      }
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(String((failure as Error & { cause?: Error }).cause ?? failure)).toMatch(
        /14 UNAVAILABLE: devserver state file .*temporal\.db cannot be written/,
      );
      // Every later change is refused too: memory and disk have parted.
      await expect(
        client.workflow.start('waitForFinish', { taskQueue: 'none', workflowId: 'after' }),
      ).rejects.toThrow();
      expect(stderr).toMatch(/write failed, refusing every change from now on/);
    } finally {
      await connection.close();
      child.kill('SIGINT');
      await exited;
    }

    const logged: Logged = [];
    const server = await startDevServer({ port: 0, dbFilename: file, log: collect(logged) });
    const again = await Connection.connect({ address: server.address });
    try {
      const c = new Client({ connection: again });
      for (const id of acknowledged)
        expect((await c.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      await expect(c.workflow.getHandle('after').describe()).rejects.toThrow(/not found/);
    } finally {
      await again.close();
      await server.stop();
    }
  });
});
