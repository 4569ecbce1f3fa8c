// The devserver registers its methods by name before it loads the proto definitions (so it listens at once);
// that list must be the services' real method list, or a method would answer UNIMPLEMENTED.
import { spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import type * as protobuf from 'protobufjs';
import { SERVICE_METHODS } from '../../devserver/methods';
import { DEVSERVER_BIN } from './env';

const root: protobuf.Root = require('@temporalio/proto/protos/json-module');

test('the method list is every method of the three services in @temporalio/proto', () => {
  for (const [service, methods] of Object.entries(SERVICE_METHODS)) {
    expect([...methods].sort()).toEqual(
      root
        .lookupService(service)
        .methodsArray.map((m) => m.name)
        .sort(),
    );
  }
  expect(Object.keys(SERVICE_METHODS).sort()).toEqual([
    'temporal.api.operatorservice.v1.OperatorService',
    'temporal.api.testservice.v1.TestService',
    'temporal.api.workflowservice.v1.WorkflowService',
  ]);
});

test('a call made the moment the ready line appears is answered (it waits for the engine to load)', async () => {
  const child = spawn(DEVSERVER_BIN, ['--port', '0', '--namespace', 'early'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(/listening on (\S+)/.exec(d.toString())?.[1] ?? ''));
      child.once('exit', (code) => reject(new Error(`devserver exited ${code} before ready`)));
    });
    const connection = await Connection.connect({ address });
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace: 'early' });
      expect(ns.namespaceInfo?.name).toBe('early');
    } finally {
      await connection.close();
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});
