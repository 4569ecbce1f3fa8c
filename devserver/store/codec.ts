/**
 * JSON for engine state: payload bytes and int64 values survive the round trip. Bytes become
 * { $b: base64 }, protobufjs Longs { $l: decimal }; protobufjs messages are written as their plain
 * fields (their own toJSON would turn bytes into strings and lose the type).
 */
import Long from 'long';

/**
 * The value as JSON.stringify should see it: bytes and Longs tagged, any other object copied field by
 * field. One walk, then JSON.stringify without a replacer: a replacer function runs for every key and
 * lets Buffer.toJSON build a number array per payload first (≈5–7% of the devserver's main thread).
 */
function tagged(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) {
    return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (Long.isLong(value)) return value.unsigned ? { $l: value.toString(), u: 1 } : { $l: value.toString() };
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = tagged(value[i]);
    return out;
  }
  // Own enumerable fields, as JSON.stringify reads a plain object; a toJSON of its own is not called
  // (protobufjs messages, and a Date, which the previous replacer also wrote as its fields: {}).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = tagged((value as Record<string, unknown>)[key]);
  return out;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as { $b?: unknown; $l?: unknown; u?: unknown };
  if (typeof v.$b === 'string') return Buffer.from(v.$b, 'base64');
  if (typeof v.$l === 'string') return Long.fromString(v.$l, v.u === 1);
  return value;
}

export function encodeState(value: unknown): string {
  return JSON.stringify(tagged(value));
}

export function decodeState(text: string): unknown {
  return JSON.parse(text, reviver);
}
