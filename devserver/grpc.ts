/**
 * gRPC wiring: service definitions built from the protobufjs reflection root in @temporalio/proto,
 * one generic unary handler per method that decodes, calls, encodes and maps errors to statuses.
 */
import { Metadata, type Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/grpc-js/build/src/make-client';
import type * as protobuf from 'protobufjs';
import { invalidArgument, ServiceError, unimplemented } from './errors';
import type { CallContext, Handler } from './service';

// The json-module root is a full reflection root (methods, request/response types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reflectionRoot: protobuf.Root = require('@temporalio/proto/protos/json-module');

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export function addService(
  server: Server,
  serviceName: string,
  handlers: Record<string, Handler>,
  log: Log,
  track: (ctx: { cancel(): void }) => () => void,
  calls: Map<string, number>,
): void {
  const service = reflectionRoot.lookupService(serviceName);
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const impl: Record<string, (call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => void> =
    {};
  for (const method of service.methodsArray) {
    method.resolve();
    const req = method.resolvedRequestType;
    const res = method.resolvedResponseType;
    if (!req || !res || method.requestStream || method.responseStream) continue;
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: unknown) => Buffer.from(req.encode(v as protobuf.Message).finish()),
      // Decoded in the handler, so a malformed request is INVALID_ARGUMENT rather than grpc-js's INTERNAL.
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (v: unknown) => Buffer.from(res.encode(v as protobuf.Message).finish()),
      responseDeserialize: (b: Buffer) => res.decode(b),
      originalName: method.name,
    };
    const handler = handlers[method.name];
    impl[method.name] = (call, callback) => {
      let cancelled = false;
      const cancelCbs: (() => void)[] = [];
      const fireCancel = () => {
        if (cancelled) return;
        cancelled = true;
        for (const cb of cancelCbs.splice(0)) cb();
      };
      call.on('cancelled', fireCancel);
      const untrack = track({ cancel: fireCancel });
      calls.set(method.name, (calls.get(method.name) ?? 0) + 1);
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
        if (!handler) throw unimplemented(method.name);
        let request: unknown;
        try {
          request = req.decode(call.request as Buffer);
        } catch (e) {
          throw invalidArgument(`Error deserializing request: ${(e as Error).message}`);
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
            log('error', `${method.name}: encoding response failed: ${(e as Error).stack ?? String(e)}`);
            callback({ code: status.INTERNAL, details: `encoding response failed: ${(e as Error).message}` });
          }
        },
        (err: unknown) => {
          settle();
          if (cancelled) return;
          if (err instanceof ServiceError) {
            const metadata = new Metadata();
            const bin = err.statusDetails();
            if (bin) metadata.set('grpc-status-details-bin', bin);
            callback({ code: err.code, details: err.message, metadata });
          } else {
            log('error', `${method.name}: ${(err as Error)?.stack ?? String(err)}`);
            callback({ code: status.INTERNAL, details: (err as Error)?.message ?? String(err) });
          }
        },
      );
    };
  }
  server.addService(definition, impl);
}
