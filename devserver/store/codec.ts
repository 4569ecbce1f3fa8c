/**
 * JSON for engine state: payload bytes and int64 values survive the round trip. Bytes become
 * { $b: base64 }, protobufjs Longs { $l: decimal }; protobufjs messages are written as their plain
 * fields (their own toJSON would turn bytes into strings and lose the type).
 */
import Long from 'long';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw === null || typeof raw !== 'object') return value;
  if (raw instanceof Uint8Array) {
    return { $b: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  }
  if (Long.isLong(raw)) return { $l: raw.toString(), ...(raw.unsigned ? { u: 1 } : {}) };
  // A value with its own toJSON (protobufjs messages): keep its fields as they are.
  if (raw !== value && !Array.isArray(raw)) return { ...raw };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as { $b?: unknown; $l?: unknown; u?: unknown };
  if (typeof v.$b === 'string') return Buffer.from(v.$b, 'base64');
  if (typeof v.$l === 'string') return Long.fromString(v.$l, v.u === 1);
  return value;
}

export function encodeState(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decodeState(text: string): unknown {
  return JSON.parse(text, reviver);
}
