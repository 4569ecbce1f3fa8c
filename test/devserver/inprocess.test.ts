// The devserver started in-process (what `npm start` and `npm test` do): connect, run a worker, stop.
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startDevServer } from '../../devserver/index';
import { createActivities, Probe } from './activities';
import { bundleTestWorkflows, uniq } from './env';
import { oneActivity } from './workflows/activity-workflows';

let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundleTestWorkflows();
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

test('startDevServer({ port: 0 }) serves the real client and worker, and stop() frees the port', async () => {
  const server = await startDevServer({ port: 0 });
  expect(server.port).toBeGreaterThan(0);
  expect(server.address).toBe(`127.0.0.1:${server.port}`);
  expect(await canListen(server.port)).toBe(false);

  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  try {
    const taskQueue = uniq('inproc');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
    });
    const client = new Client({ connection });
    const result = await worker.runUntil(
      client.workflow.execute(oneActivity, {
        taskQueue,
        workflowId: uniq('inproc-wf'),
        args: ['in-process'],
      }),
    );
    expect(result).toBe('Hello, in-process!');
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
  expect(await canListen(server.port)).toBe(true);
});

test('two in-process servers are independent', async () => {
  const a = await startDevServer({ port: 0 });
  const b = await startDevServer({ port: 0, namespaces: ['only-b'] });
  try {
    expect(a.port).not.toBe(b.port);
    const ca = await Connection.connect({ address: a.address });
    const cb = await Connection.connect({ address: b.address });
    await expect(cb.workflowService.describeNamespace({ namespace: 'only-b' })).resolves.toBeDefined();
    await expect(ca.workflowService.describeNamespace({ namespace: 'only-b' })).rejects.toThrow();
    await ca.close();
    await cb.close();
  } finally {
    await a.stop();
    await b.stop();
  }
});
