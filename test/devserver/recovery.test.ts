// Crash recovery through the real SDK: the devserver runs as a child process with --db-filename and
// is SIGKILLed 20 times at random points of a mixed workload (activity retries, timers, a child,
// continue-as-new, signals, updates), restarted on the same file each time. Every workflow must end
// with its exact result, every activity must have succeeded exactly once, and every history replays.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { bundleTestWorkflows, DEVSERVER_BIN, eventTypeName, uniq } from './env';
import { addBump, bump, recoveryEntity, recoverySteps } from './workflows/recovery';

const KILLS = 20;

/** One devserver process on a fixed port and state file. */
class ServerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(port: number, file: string) {
    this.child = spawn(DEVSERVER_BIN, ['--port', String(port), '--db-filename', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.ready = new Promise<void>((resolve, reject) => {
      let out = '';
      this.child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('devserver listening on')) resolve();
      });
      this.exited.then((code) => reject(new Error(`devserver exited ${code} before ready: ${this.stderr}`)));
    });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const random = (n: number) => Math.floor(Math.random() * n);

// sdk-core retries a failed activity completion for about 10 s, then drops it with this warning.
// On a busy machine two quick kills can keep the server away that long; the server then rightly
// retries the attempt after its start-to-close timeout. Those re-runs are counted, not hidden.
let droppedCompletions = 0;
try {
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      if (entry.message.includes('Network error while completing activity')) droppedCompletions++;
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
    },
  });
} catch {
  // Installed by an earlier file in this process: dropped completions cannot be seen, so none are allowed.
}

test(`every workflow completes exactly once across ${KILLS} SIGKILLs of the server`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-recovery-'));
  const file = path.join(dir, 'temporal.db');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const workflowBundle = await bundleTestWorkflows();
  let server = new ServerProcess(port, file);
  await server.ready;

  // Side effects of the activity, per workflow + activity key: executions that returned successfully.
  const succeeded = new Map<string, number[]>();
  let executions = 0;
  let killAtExecution = Number.POSITIVE_INFINITY;
  const activities = {
    async step(key: string, failFirst: boolean): Promise<number> {
      executions++;
      // Half the kills land while an activity runs: its completion must survive the restart.
      if (executions >= killAtExecution) {
        killAtExecution = Number.POSITIVE_INFINITY;
        server.kill();
      }
      if (failFirst && Context.current().info.attempt === 1) {
        throw ApplicationFailure.create({ type: 'Flaky', message: 'the first attempt fails' });
      }
      succeeded.set(key, [...(succeeded.get(key) ?? []), Context.current().info.attempt]);
      return 1;
    },
  };

  // One long poll (result()) may span several kills: the default 10 retries run out, so allow more.
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 100 }))],
  });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = uniq('recovery');
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities });
  const running = worker.run();

  const steps: WorkflowHandle<typeof recoverySteps>[] = [];
  const entities: WorkflowHandle<typeof recoveryEntity>[] = [];
  const outcomes: Promise<unknown>[] = [];
  const startWave = (wave: number) => {
    const s = client.workflow
      .start(recoverySteps, { taskQueue, workflowId: uniq(`steps-${wave}`), args: [0, 0] })
      .then((h) => {
        steps.push(h);
        return h.result();
      });
    const e = client.workflow
      .start(recoveryEntity, { taskQueue, workflowId: uniq(`entity-${wave}`) })
      .then(async (h) => {
        entities.push(h);
        await h.signal(bump, 10);
        await h.executeUpdate(addBump, { args: [100], updateId: 'add-100' });
        return h.result();
      });
    outcomes.push(s, e);
  };

  try {
    startWave(0);
    for (let k = 1; k <= KILLS; k++) {
      if (k % 2 === 0) startWave(k);
      if (k % 2 === 0) killAtExecution = executions + 1 + random(3);
      else setTimeout(() => server.kill(), random(400));
      await server.exited;
      server = new ServerProcess(port, file);
      await server.ready;
    }

    const results = await Promise.all(outcomes);
    expect(results).toEqual(outcomes.map((_, i) => (i % 2 === 0 ? 6 : 111)));

    // One successful execution per activity: an acknowledged completion is never lost (which would
    // re-run it). The only re-runs allowed are later attempts after a completion the worker dropped.
    const expected = [
      ...steps.flatMap((h) =>
        [0, 1].flatMap((r) => ['a', 'child', 'b'].map((x) => `${h.workflowId}/r${r}/${x}`)),
      ),
      ...entities.map((h) => `${h.workflowId}/final`),
    ];
    expect(expected).toHaveLength((KILLS / 2 + 1) * 7);
    expect([...succeeded.keys()].sort()).toEqual(expected.sort());
    let reruns = 0;
    for (const [key, attempts] of succeeded) {
      // Never the same attempt twice: a started attempt is not handed out again after a restart.
      expect({ key, attempts }).toEqual({ key, attempts: [...new Set(attempts)].sort((a, b) => a - b) });
      reruns += attempts.length - 1;
    }
    expect(reruns).toBeLessThanOrEqual(droppedCompletions);

    // Each scheduled activity closed exactly once in the history, and every history replays.
    const histories = await Promise.all(
      [...steps, ...entities].map(async (h) => ({
        workflowId: h.workflowId,
        history: await h.fetchHistory(),
      })),
    );
    for (const { history } of histories) {
      const types = (history.events ?? []).map((e) => eventTypeName(e.eventType));
      const scheduled = types.filter((t) => t === 'ActivityTaskScheduled').length;
      const closed = types.filter((t) => /^ActivityTask(Completed|Failed|TimedOut|Canceled)$/.test(t)).length;
      expect(closed).toBe(scheduled);
    }
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    }
    expect(failures).toEqual([]);
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    server.child.kill('SIGINT');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
