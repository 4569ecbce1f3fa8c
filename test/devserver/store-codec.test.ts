// The durable store's state encoding: what a run's records hold (protobufjs messages with payload
// bytes and int64 Longs, plain engine state) comes back the same from the journal text.
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { decodeState, encodeState } from '../../devserver/store/codec';

const { HistoryEvent } = temporal.api.history.v1;
const { EventType } = temporal.api.enums.v1;

/** A decoded event, as the engine keeps those it built from a request: a message, Longs, Uint8Arrays. */
function decodedEvent(data: string): temporal.api.history.v1.HistoryEvent {
  const bytes = HistoryEvent.encode({
    eventId: Long.fromNumber(7),
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    eventTime: { seconds: Long.fromNumber(1_764_720_000), nanos: 5 },
    workflowExecutionUpdateAcceptedEventAttributes: {
      protocolInstanceId: 'u-1',
      acceptedRequest: {
        meta: { updateId: 'u-1' },
        input: {
          name: 'uploadFees',
          args: {
            payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(data) }],
          },
        },
      },
    },
  }).finish();
  return HistoryEvent.decode(bytes);
}

describe('the store codec', () => {
  test('a decoded history event comes back with its bytes and int64 values, not as the message toJSON writes them', () => {
    const event = decodedEvent('{"feedetl_sn":"0001","det_item_fee_sumamt":"240.00"}');
    const text = encodeState([{ t: 'run', events: [event] }]);
    // Bytes and Longs tagged, not the base64 strings / numbers of the message's own toJSON.
    expect(text).toContain('"eventId":{"$l":"7"}');
    expect(text).toContain(
      `"data":{"$b":"${Buffer.from('{"feedetl_sn":"0001","det_item_fee_sumamt":"240.00"}').toString('base64')}"}`,
    );
    const [back] = decodeState(text) as { events: temporal.api.history.v1.IHistoryEvent[] }[];
    const again = back!.events[0]!;
    expect(Long.isLong(again.eventId)).toBe(true);
    expect(again.eventId!.toString()).toBe('7');
    const payload =
      again.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]!;
    expect(Buffer.isBuffer(payload.data)).toBe(true);
    expect(Buffer.from(payload.data!).toString()).toBe(
      '{"feedetl_sn":"0001","det_item_fee_sumamt":"240.00"}',
    );
    expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('json/plain');
    // The round trip re-encodes to the same text: nothing lost or reshaped.
    expect(encodeState(decodeState(text))).toBe(text);
  });

  test('unsigned Longs, a Uint8Array view into a larger buffer, and empty bytes keep their values', () => {
    const big = Buffer.from('xxabcxx');
    const view = new Uint8Array(big.buffer, big.byteOffset + 2, 3);
    const value = {
      u: Long.fromString('18446744073709551615', true),
      s: Long.fromNumber(-3),
      view,
      empty: new Uint8Array(0),
    };
    const back = decodeState(encodeState(value)) as typeof value;
    expect(back.u.unsigned).toBe(true);
    expect(back.u.toString()).toBe('18446744073709551615');
    expect(back.s.unsigned).toBe(false);
    expect(back.s.toString()).toBe('-3');
    expect(Buffer.from(back.view).toString()).toBe('abc');
    expect(Buffer.from(back.empty).length).toBe(0);
  });

  test('plain engine state is written as JSON.stringify writes it (undefined fields left out, in lists null)', () => {
    const state = {
      status: 'Running',
      startTime: 1_764_720_000_000,
      resetRunId: undefined,
      cancelRequested: false,
      timers: [{ timerId: '1', fireAt: 5 }],
      signalRequestIds: ['a', undefined, 'b'],
      wt: null,
      nested: { deep: [[1, 2], { x: 'é"\n' }] },
    };
    expect(encodeState(state)).toBe(JSON.stringify(state));
    expect(decodeState(encodeState(state))).toEqual(JSON.parse(JSON.stringify(state)));
  });
});
