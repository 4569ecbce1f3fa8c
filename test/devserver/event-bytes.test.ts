// The devserver writes each history event's kept bytes into its answers (devserver/engine/event-bytes.ts):
// what goes on the wire must be exactly what protobufjs would have encoded from the events.
import { temporal } from '@temporalio/proto';
import { encodesByFields, eventBytes } from '../../devserver/engine/event-bytes';
import { type Loose, tight } from '../../devserver/proto';
import { reflectionRoot } from '../../devserver/runtime';

const ET = temporal.api.enums.v1.EventType;
const json = (v: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(v)),
});

function events(): temporal.api.history.v1.IHistoryEvent[] {
  return tight<temporal.api.history.v1.IHistoryEvent[]>([
    {
      eventId: 1,
      eventTime: { seconds: 1_764_000_000, nanos: 123_000_000 },
      eventType: ET.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      taskId: 1,
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'oneActivity' },
        taskQueue: { name: 'bench' },
        // Over 127 bytes: the length prefix takes two bytes.
        input: { payloads: [json('x'.repeat(300))] },
        attempt: 1,
      },
    },
    {
      eventId: 2,
      eventTime: { seconds: 1_764_000_000, nanos: 124_000_000 },
      eventType: ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      taskId: 2,
      workflowTaskScheduledEventAttributes: { taskQueue: { name: 'bench' }, attempt: 1 },
    },
  ] satisfies Loose<temporal.api.history.v1.IHistoryEvent>[]);
}

test('a poll response carries the same bytes with kept event encodings as protobufjs encodes', () => {
  const history = events();
  const response = tight<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>({
    taskToken: Buffer.from('{"kind":"workflow"}'),
    workflowType: { name: 'oneActivity' },
    startedEventId: 3,
    history: { events: history },
    attempt: 1,
  } satisfies Loose<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>);
  const plain = temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse.encode(response).finish();
  const type = reflectionRoot.lookupType('temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse');
  // Twice: the first answer encodes and keeps each event, the second writes the kept bytes.
  expect(Buffer.from(type.encode(response).finish())).toEqual(Buffer.from(plain));
  expect(Buffer.from(type.encode(response).finish())).toEqual(Buffer.from(plain));
  expect(eventBytes(history[0]!)).toBe(eventBytes(history[0]!));
  // Nested deeper (an eager task in a start's answer) and decoded back: the events round-trip.
  const start = reflectionRoot.lookupType('temporal.api.workflowservice.v1.StartWorkflowExecutionResponse');
  const decoded = start.toObject(
    start.decode(start.encode({ runId: 'r', eagerWorkflowTask: response }).finish()),
    {
      longs: Number,
    },
  );
  expect(decoded.eagerWorkflowTask.history.events.map((e: { eventId: number }) => e.eventId)).toEqual([1, 2]);
  expect(
    decoded.eagerWorkflowTask.history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0]
      .data,
  ).toEqual(json('x'.repeat(300)).data);
});

test('a history without events and one encoded on its own still encode', () => {
  const type = reflectionRoot.lookupType('temporal.api.history.v1.History');
  expect(type.encode({ events: [] }).finish().length).toBe(0);
  const alone = events();
  expect(Buffer.from(type.encode({ events: alone }).finish())).toEqual(
    Buffer.from(temporal.api.history.v1.History.encode({ events: alone }).finish()),
  );
});

test('events with every kind of HistoryEvent field encode to protobufjs bytes, field by field in number order', () => {
  const HistoryEvent = temporal.api.history.v1.HistoryEvent;
  const Long = require('long') as typeof import('long');
  const cases = tight<temporal.api.history.v1.IHistoryEvent[]>([
    // Keys out of field order, Long int64s, a zero version (skipped), the fields after the attributes.
    {
      workflowExecutionSignaledEventAttributes: { signalName: 'finish', input: { payloads: [json(1)] } },
      links: [{ workflowEvent: { namespace: 'default', workflowId: 'w', runId: 'r' } }, {}],
      taskId: Long.fromNumber(2 ** 40),
      eventId: Long.fromNumber(7),
      version: 0,
      eventType: ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      workerMayIgnore: true,
      userMetadata: { summary: json('s') },
      principal: { type: 'user', name: 'staff-1' },
      eventTime: { seconds: 1_764_000_001, nanos: 0 },
    },
    // Defaults that protobufjs leaves out, null and undefined fields, an empty repeated field.
    {
      eventId: 0,
      eventType: 0,
      workerMayIgnore: false,
      links: [],
      userMetadata: null,
      eventTime: undefined,
      timerFiredEventAttributes: { timerId: '1', startedEventId: 5 },
    },
    {},
  ] satisfies Loose<temporal.api.history.v1.IHistoryEvent>[]);
  // And protobufjs's own message instances (decoded), whose prototypes carry the field defaults.
  const decoded = events().map((e) => HistoryEvent.decode(HistoryEvent.encode(e).finish()));
  expect(encodesByFields).toBe(true);
  for (const event of [...cases, ...events(), ...decoded]) {
    expect(Buffer.from(eventBytes(event))).toEqual(Buffer.from(HistoryEvent.encode(event).finish()));
  }
});
