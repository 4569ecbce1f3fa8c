/** Thin helpers over the protobufjs reflection root shipped in @temporalio/proto. */
import { google, temporal } from '@temporalio/proto';
import type Long from 'long';

export { google, temporal };
export const enums = temporal.api.enums.v1;
export type IHistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type IPayloads = temporal.api.common.v1.IPayloads;
export type IPayload = temporal.api.common.v1.IPayload;
export type IFailure = temporal.api.failure.v1.IFailure;

/** int64 fields decode to Long; requests built by hand carry numbers. */
export type Int64 = number | { toNumber(): number } | null | undefined;

export function toNum(v: Int64): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function durationMs(d: Loose<google.protobuf.IDuration> | null | undefined): number {
  if (!d) return 0;
  return toNum(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function msToDuration(ms: number): Loose<google.protobuf.IDuration> {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export function timestampMs(t: Loose<google.protobuf.ITimestamp> | null | undefined): number {
  if (!t) return 0;
  return toNum(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export function msToTimestamp(ms: number): Loose<google.protobuf.ITimestamp> {
  const s = Math.floor(ms / 1000);
  return { seconds: s, nanos: (ms - s * 1000) * 1e6 };
}

export function packAny(typeName: string, value: Uint8Array): google.protobuf.IAny {
  return { type_url: `type.googleapis.com/${typeName}`, value };
}

/** Type name of an Any, without the `type.googleapis.com/` prefix. */
export function anyTypeName(a: google.protobuf.IAny | null | undefined): string {
  const url = a?.type_url ?? '';
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * The generated interfaces type int64 fields as Long only, but protobufjs encodes plain numbers
 * into them just as well. Messages we build are typed with numbers allowed, and cast once where
 * they enter protobufjs.
 */
export type Loose<T> = T extends Long
  ? number | Long
  : T extends Uint8Array
    ? T
    : T extends (infer U)[]
      ? Loose<U>[]
      : T extends object
        ? { [K in keyof T]: Loose<T[K]> }
        : T;

export function tight<T>(v: Loose<T>): T {
  return v as T;
}
