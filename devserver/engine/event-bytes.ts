/**
 * Each history event is encoded once: the bytes count for history_size_bytes and are written as they are
 * into every answer that carries the event (poll responses, eager tasks, GetWorkflowExecutionHistory), so
 * a sticky task or a full-history poll does not re-encode what the server wrote before. Events are never
 * changed once appended (the real server's are immutable rows), which is what makes the cache safe.
 */
import type { Message, Root, Writer } from 'protobufjs';
import { type IHistoryEvent, temporal } from '../proto';

const encoded = new WeakMap<object, Uint8Array>();
const HistoryEvent = temporal.api.history.v1.HistoryEvent;

/** The event's protobuf encoding, made on first use and kept as long as the event lives. */
export function eventBytes(event: IHistoryEvent): Uint8Array {
  let bytes = encoded.get(event);
  if (!bytes) {
    bytes = HistoryEvent.encode(event).finish();
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
