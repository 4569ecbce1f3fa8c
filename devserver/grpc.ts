/**
 * gRPC wiring: one generic unary handler per method that decodes, calls, encodes and maps errors to
 * statuses. The methods are registered by name before the proto definitions are loaded (see runtime.ts), so
 * the server listens at once; a call that arrives before they are loaded waits for them.
 */
import { Metadata, type Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/grpc-js/build/src/make-client';
import type * as protobuf from 'protobufjs';
import type * as Errors from './errors';
import type { CallContext, Handler } from './service';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/** What the handlers need once loaded: the reflection root, the error types, the handlers per service. */
export interface Loaded {
  root: protobuf.Root;
  errors: typeof Errors;
  handlers: Record<string, Record<string, Handler>>;
}

/** protobufjs's writer already gives a Buffer on node: no copy of an answer (a full history can be large). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function addService(
  server: Server,
  serviceName: string,
  methodNames: readonly string[],
  load: () => Promise<Loaded>,
  log: Log,
  track: (ctx: { cancel(): void }) => () => void,
  calls: Map<string, number>,
): void {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const impl: Record<string, (call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => void> =
    {};
  let loaded: Loaded | undefined;
  for (const name of methodNames) {
    let types: { req: protobuf.Type; res: protobuf.Type } | undefined;
    // Resolved on first use: only called once `loaded` is set (requests wait for it below).
    const codec = () => {
      if (!types) {
        const method = loaded!.root.lookupService(serviceName).methods[name]!;
        method.resolve();
        types = { req: method.resolvedRequestType!, res: method.resolvedResponseType! };
      }
      return types;
    };
    definition[name] = {
      path: `/${serviceName}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: unknown) =>
        Buffer.from(
          codec()
            .req.encode(v as protobuf.Message)
            .finish(),
        ),
      // Decoded in the handler, so a malformed request is INVALID_ARGUMENT rather than grpc-js's INTERNAL.
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (v: unknown) =>
        asBuffer(
          codec()
            .res.encode(v as protobuf.Message)
            .finish(),
        ),
      responseDeserialize: (b: Buffer) => codec().res.decode(b),
      originalName: name,
    };
    impl[name] = (call, callback) => {
      let cancelled = false;
      const cancelCbs: (() => void)[] = [];
      const fireCancel = () => {
        if (cancelled) return;
        cancelled = true;
        for (const cb of cancelCbs.splice(0)) cb();
      };
      call.on('cancelled', fireCancel);
      const untrack = track({ cancel: fireCancel });
      calls.set(name, (calls.get(name) ?? 0) + 1);
      const deadline = call.getDeadline();
      const deadlineMs =
        deadline instanceof Date
          ? deadline.getTime()
          : typeof deadline === 'number' && Number.isFinite(deadline)
            ? deadline
            : Infinity;
      const ctx: CallContext = {
        get cancelled() {
          return cancelled;
        },
        onCancel: (cb) => {
          if (cancelled) cb();
          else cancelCbs.push(cb);
        },
        remainingMs: () => deadlineMs - Date.now(),
      };
      const run = async (): Promise<object> => {
        loaded ??= await load();
        const { errors } = loaded;
        const handler = loaded.handlers[serviceName]?.[name];
        if (!handler) throw errors.unimplemented(name);
        let request: unknown;
        try {
          request = codec().req.decode(call.request as Buffer);
        } catch (e) {
          throw errors.invalidArgument(`Error deserializing request: ${(e as Error).message}`);
        }
        return (handler as (r: unknown, c: CallContext) => Promise<object>)(request, ctx);
      };
      const settle = () => {
        untrack();
        // A call that already answered has nothing left to cancel.
        cancelCbs.length = 0;
        call.removeListener('cancelled', fireCancel);
      };
      run().then(
        (value) => {
          settle();
          if (cancelled) return;
          try {
            callback(null, value);
          } catch (e) {
            log('error', `${name}: encoding response failed: ${(e as Error).stack ?? String(e)}`);
            callback({ code: status.INTERNAL, details: `encoding response failed: ${(e as Error).message}` });
          }
        },
        (err: unknown) => {
          settle();
          if (cancelled) return;
          if (loaded && err instanceof loaded.errors.ServiceError) {
            const metadata = new Metadata();
            const bin = err.statusDetails();
            if (bin) metadata.set('grpc-status-details-bin', bin);
            callback({ code: err.code, details: err.message, metadata });
          } else {
            log('error', `${name}: ${(err as Error)?.stack ?? String(err)}`);
            callback({ code: status.INTERNAL, details: (err as Error)?.message ?? String(err) });
          }
        },
      );
    };
  }
  server.addService(definition, impl);
}
