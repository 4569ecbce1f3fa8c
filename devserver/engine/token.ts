/** Task tokens: opaque to workers, self-describing to us. */
import { invalidArgument } from '../errors';

export type TaskToken =
  | { kind: 'workflow'; namespace: string; workflowId: string; runId: string; seq: number }
  | {
      kind: 'activity';
      namespace: string;
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
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
  if (typeof v !== 'object' || v === null || !('kind' in v) || !('runId' in v)) {
    throw invalidArgument('Error deserializing task token.');
  }
  return v as TaskToken;
}
