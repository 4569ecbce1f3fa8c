/** Task tokens: opaque to workers, self-describing to us. */
import { invalidArgument } from '../errors';

export type TaskToken =
  | { kind: 'workflow'; namespace: string; workflowId: string; runId: string; seq: number }
  | {
      kind: 'activity';
      namespace: string;
      /** Set instead of `namespace` when the token is in the real server's format (see serverActivityToken). */
      namespaceId?: string;
      workflowId: string;
      runId: string;
      scheduledEventId: number;
      attempt: number;
    }
  | { kind: 'query'; namespace: string; workflowId: string; runId: string; queryId: string };

export function encodeToken(t: TaskToken): Uint8Array {
  return Buffer.from(JSON.stringify(t));
}

export function decodeToken(bytes: Uint8Array | null | undefined): TaskToken {
  if (!bytes || bytes.length === 0) throw invalidArgument('Task token not set on request.');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    const server = serverActivityToken(bytes);
    if (server) return server;
    throw invalidArgument('Error deserializing task token.');
  }
  if (typeof v !== 'object' || v === null || !('kind' in v) || !('runId' in v)) {
    throw invalidArgument('Error deserializing task token.');
  }
  return v as TaskToken;
}

/**
 * A token in the real server's format (temporal.server.api.token.v1.Task: 1 namespace_id, 2 workflow_id,
 * 3 run_id, 4 scheduled_event_id, 5 attempt), as a client may hold one from elsewhere: it is well formed,
 * so it names an activity that is not here (NOT_FOUND), not a bad request. Undefined if it is not one.
 */
function serverActivityToken(bytes: Uint8Array): TaskToken | undefined {
  const strings: Record<number, string> = {};
  const ints: Record<number, number> = {};
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (i >= bytes.length || shift > 63) throw new Error('truncated varint');
      const b = bytes[i++]!;
      n += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return n;
      shift += 7;
    }
  };
  try {
    while (i < bytes.length) {
      const key = varint();
      const field = Math.floor(key / 8);
      switch (key & 7) {
        case 0:
          ints[field] = varint();
          break;
        case 2: {
          const len = varint();
          if (i + len > bytes.length) return undefined;
          strings[field] = Buffer.from(bytes.subarray(i, i + len)).toString('utf8');
          i += len;
          break;
        }
        case 1:
          i += 8;
          break;
        case 5:
          i += 4;
          break;
        default:
          return undefined;
      }
    }
  } catch {
    return undefined;
  }
  if (i !== bytes.length || !strings[1] || !strings[2]) return undefined;
  return {
    kind: 'activity',
    namespace: '',
    namespaceId: strings[1],
    workflowId: strings[2],
    runId: strings[3] ?? '',
    scheduledEventId: ints[4] ?? 0,
    attempt: ints[5] ?? 0,
  };
}
