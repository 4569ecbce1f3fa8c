/**
 * Each history event is encoded once: the bytes count for history_size_bytes and are written as they are
 * into every answer that carries the event (poll responses, eager tasks, GetWorkflowExecutionHistory), so
 * a sticky task or a full-history poll does not re-encode what the server wrote before. Events are never
 * changed once appended (the real server's are immutable rows), which is what makes the cache safe.
 */
import type Long from 'long';
import type { Field, Message, Root, Type } from 'protobufjs';
import { Writer } from 'protobufjs/light';
import { type IHistoryEvent, temporal } from '../proto';

const encoded = new WeakMap<object, Uint8Array>();
const HistoryEvent = temporal.api.history.v1.HistoryEvent;

type Encode = (message: unknown, writer: Writer, depth?: number) => Writer;
type WriteField = (writer: Writer, value: never) => void;

/**
 * protobufjs's generated HistoryEvent encoder tests each of its ~70 fields (60 of them the attributes
 * oneof) on every event, and on events of many shapes each miss is a slow property lookup: most of an
 * event's encoding time. This one walks the few keys the event has and writes them in field-number order,
 * with the same wire bytes (same defaults skipped, sub-messages by protobufjs's own encoders).
 */
function fieldWriter(field: Field): WriteField | undefined {
  field.resolve();
  const id = field.id;
  if (field.resolvedType && 'fields' in field.resolvedType && !field.map) {
    // Not set up here: protobufjs generates a type's codec on its first encode (~60 attribute types,
    // ~0.25 s of code generation at load otherwise). Hence `type.encode` is looked up on each call.
    const type = field.resolvedType as Type;
    const tag = (id << 3) | 2;
    if (field.repeated) {
      return (w, v: unknown[]) => {
        for (const item of v) (type.encode as Encode)(item, w.uint32(tag).fork(), 1).ldelim();
      };
    }
    return (w, v: unknown) => {
      (type.encode as Encode)(v, w.uint32(tag).fork(), 1).ldelim();
    };
  }
  if (field.repeated || field.map) return undefined;
  const tag = id << 3;
  if (field.resolvedType) {
    return (w, v: number) => {
      if (v !== 0) w.uint32(tag).int32(v); // an enum
    };
  }
  switch (field.type) {
    case 'int64':
      return (w, v: number | Long) => {
        if (typeof v === 'object' ? v.low || v.high : v !== 0) w.uint32(tag).int64(v);
      };
    case 'bool':
      return (w, v: boolean) => {
        if (v !== false) w.uint32(tag).bool(v);
      };
    default:
      return undefined;
  }
}

interface EventField {
  id: number;
  write: WriteField;
}

/** The fast encoder, or undefined if HistoryEvent has a field kind it does not know (then protobufjs's). */
function eventEncoder(): ((event: IHistoryEvent) => Uint8Array) | undefined {
  const type = HistoryEvent as unknown as Type;
  const fields = new Map<string, EventField>();
  for (const field of type.fieldsArray) {
    const write = fieldWriter(field);
    if (!write) return undefined;
    fields.set(field.name, { id: field.id, write });
  }
  const present: EventField[] = [];
  const values: unknown[] = [];
  return (event) => {
    present.length = 0;
    values.length = 0;
    for (const key of Object.keys(event)) {
      const value = (event as Record<string, unknown>)[key];
      if (value == null) continue;
      const field = fields.get(key);
      if (!field) continue;
      // Insertion by field number (an event has ~5 keys).
      let i = present.length;
      while (i > 0 && present[i - 1]!.id > field.id) {
        present[i] = present[i - 1]!;
        values[i] = values[i - 1];
        i--;
      }
      present[i] = field;
      values[i] = value;
    }
    const w = Writer.create();
    for (let i = 0; i < present.length; i++) present[i]!.write(w, values[i] as never);
    return w.finish();
  };
}

const byFields = eventEncoder();
/** False if this HistoryEvent has a field kind the fast encoder does not know (then protobufjs encodes). */
export const encodesByFields = byFields !== undefined;
const encodeEvent = byFields ?? ((event: IHistoryEvent) => HistoryEvent.encode(event).finish());

/** The event's protobuf encoding, made on first use and kept as long as the event lives. */
export function eventBytes(event: IHistoryEvent): Uint8Array {
  let bytes = encoded.get(event);
  if (!bytes) {
    bytes = encodeEvent(event);
    encoded.set(event, bytes);
  }
  return bytes;
}

/**
 * Makes the reflection root's `History` encoder write each event's kept bytes (field 1, length-delimited),
 * the same bytes protobufjs would produce. Every message that holds a History goes through it.
 */
export function encodeHistoriesFromEventBytes(root: Root): void {
  const history = root.lookupType('temporal.api.history.v1.History');
  history.setup(); // generates the codecs now, so they do not replace this encoder on first use
  const plain = history.encode;
  history.encode = (message: Message | Record<string, unknown>, writer?: Writer) => {
    // Only a History encoded on its own comes without a writer (nothing on the hot path does that).
    if (!writer) return plain.call(history, message);
    for (const event of (message as temporal.api.history.v1.IHistory).events ?? []) {
      const bytes = eventBytes(event);
      writer.uint32(10).uint32(bytes.length).raw(bytes);
    }
    return writer;
  };
}
