/** Entry point: start a Temporal-compatible server on a port, in memory or durable in a state file. */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { addService, type Loaded } from './grpc';
import { SERVICE_METHODS } from './methods';
import type * as Runtime from './runtime';
import type { CallContext, Handler } from './service';
import { DurableStore } from './store';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface DevServerOptions {
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  ip?: string;
  /** 'default' is always registered. */
  namespaces?: string[];
  /** name → IndexedValueType name, e.g. { CaseStatus: 'Keyword' }. */
  searchAttributes?: Record<string, string>;
  timeSkipping?: boolean;
  /** Time skipping starts unlocked (Java test server's --enable-time-skipping); default starts locked once. */
  timeSkippingUnlocked?: boolean;
  /**
   * Keep the server's state in this file (like `temporal server start-dev --db-filename`): every
   * change is on disk before the RPC that made it answers, and a restart on the same file brings
   * every run back. Unset: in memory only. A lock file next to it keeps a second server off.
   */
  dbFilename?: string;
  /** Dynamic config values by key (`--dynamic-config-value KEY=VALUE`); see engine/limits.ts for those honoured. */
  dynamicConfig?: Record<string, string>;
  log?: (level: LogLevel, msg: string) => void;
}

export interface DevServer {
  address: string;
  port: number;
  /** gRPC calls answered since start, per method name (e.g. `PollWorkflowTaskQueue`). */
  rpcCounts(): ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

/** IndexedValueType names (engine/namespaces.ts parses them), checked before the engine is loaded. */
const SEARCH_ATTRIBUTE_TYPES = ['TEXT', 'KEYWORD', 'INT', 'DOUBLE', 'BOOL', 'DATETIME', 'KEYWORD_LIST'];

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const log =
    opts.log ??
    ((level: LogLevel, msg: string) => {
      if (level === 'error' || level === 'warn') process.stderr.write(`devserver ${level}: ${msg}\n`);
    });
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    if (!SEARCH_ATTRIBUTE_TYPES.includes(type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase())) {
      throw new Error(`unknown search attribute type ${type} for ${name}`);
    }
  }
  // Opened (locked and read) first: a file that cannot be used stops the start before anything listens.
  const store = opts.dbFilename ? DurableStore.open(opts.dbFilename, log) : undefined;
  // The engine and the proto definitions load after the port is bound (or on the first call, if sooner):
  // a caller that only waits for the port to accept, like sdk-core, sees the server up ~0.5 s earlier.
  let engine: ReturnType<typeof Runtime.createServices>['engine'] | undefined;
  let loading: Promise<Loaded> | undefined;
  const load = (): Promise<Loaded> => {
    loading ??= new Promise<Loaded>((resolve) => {
      const runtime = require('./runtime') as typeof Runtime;
      const services = runtime.createServices(
        {
          timeSkipping: opts.timeSkipping ?? false,
          timeSkippingUnlocked: opts.timeSkippingUnlocked,
          searchAttributes: opts.searchAttributes ?? {},
          dynamicConfig: opts.dynamicConfig,
        },
        log,
      );
      engine = services.engine;
      // The saved state comes back here, so every request (they wait for the load) sees it.
      store?.attach(engine);
      for (const ns of ['default', ...(opts.namespaces ?? [])]) {
        if (!engine.namespaces.find(ns)) {
          engine.namespaces.register(ns);
          engine.namespacesChanged();
        }
      }
      const durable = (handlers: Record<string, Handler>) =>
        store ? awaitDurable(handlers, store) : handlers;
      resolve({
        root: runtime.reflectionRoot,
        errors: runtime.errors,
        handlers: {
          'temporal.api.workflowservice.v1.WorkflowService': durable(services.workflowService),
          'temporal.api.operatorservice.v1.OperatorService': durable(services.operatorService),
          'temporal.api.testservice.v1.TestService': durable(services.testService),
        },
      });
    });
    return loading;
  };

  const server = new Server({
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    // Channelz keeps per-call statistics nobody reads here; off, each call costs less (~3% of the server's CPU).
    'grpc.enable_channelz': 0,
  });
  const open = new Set<{ cancel(): void }>();
  // Calls per method since start: benchmarks divide by workflows to see what a workflow costs in RPCs.
  const calls = new Map<string, number>();
  const track = (c: { cancel(): void }) => {
    open.add(c);
    return () => open.delete(c);
  };
  for (const [service, methods] of Object.entries(SERVICE_METHODS)) {
    addService(server, service, methods, load, log, track, calls);
  }

  const ip = opts.ip ?? '127.0.0.1';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${opts.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
  } catch (e) {
    await store?.close();
    throw e;
  }
  let stopped = false;
  setImmediate(() => {
    if (stopped) return;
    load().catch((err: unknown) =>
      log('error', `loading the engine failed: ${(err as Error)?.stack ?? err}`),
    );
  });
  return {
    address: `${ip}:${port}`,
    port,
    rpcCounts: () => new Map(calls),
    async stop() {
      stopped = true;
      engine?.stop();
      // Answer every long poll empty so clients and workers are not left hanging.
      for (const c of [...open]) c.cancel();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
      await store?.close();
    },
  };
}

/**
 * Each handler answers only once what it changed is on disk (group commit: concurrent RPCs share
 * one write and fsync). A read waits too when changes are pending, so it never shows what a crash
 * could still take back.
 */
function awaitDurable(handlers: Record<string, Handler>, store: DurableStore): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const h = handler as (req: unknown, ctx: CallContext) => Promise<object>;
    out[name] = (async (req: unknown, ctx: CallContext) => {
      const res = await h(req, ctx);
      await store.sync();
      return res;
    }) as Handler;
  }
  return out;
}
