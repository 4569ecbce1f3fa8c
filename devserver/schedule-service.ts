/**
 * WorkflowService's schedule methods over the ScheduleStore: request validation and the real
 * server's response shapes (the canonical spec, policies with defaults filled in, info).
 */

import { decodeSearchAttributes } from './engine/execution';
import { type Namespace, SYSTEM_SEARCH_ATTRIBUTES } from './engine/namespaces';
import { specToProto } from './engine/schedule-spec';
import {
  type ActionResult,
  decodeAction,
  decodeFields,
  SCHEDULE_DEFAULTS,
  type ScheduleRecord,
  type ScheduleStore,
} from './engine/schedules';
import { invalidArgument, required } from './errors';
import { enums, type Loose, msToDuration, msToTimestamp, type temporal, timestampMs } from './proto';
import type { Handler } from './service';
import { compileVisibilityQuery, type SearchAttributeTypeName } from './visibility';

function conflictToken(rec: ScheduleRecord): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(rec.conflictToken));
  return b;
}

function actionResult(a: ActionResult): Loose<temporal.api.schedule.v1.IScheduleActionResult> {
  return {
    scheduleTime: msToTimestamp(a.scheduleTime),
    actualTime: msToTimestamp(a.actualTime),
    startWorkflowResult: { workflowId: a.workflowId, runId: a.runId },
    startWorkflowStatus: a.status,
  };
}

function scheduleIdOf(id: string | null | undefined): string {
  const scheduleId = required(id, 'ScheduleId is not set on request.');
  if (scheduleId.length > 1000) throw invalidArgument('ScheduleId exceeds length limit.');
  return scheduleId;
}

/** 'INDEXED_VALUE_TYPE_KEYWORD_LIST' → 'KeywordList', the names the visibility compiler takes. */
function typeName(v: number): SearchAttributeTypeName {
  const raw = (enums.IndexedValueType[v] ?? 'INDEXED_VALUE_TYPE_KEYWORD').replace('INDEXED_VALUE_TYPE_', '');
  return raw
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase()) as SearchAttributeTypeName;
}

export function createScheduleService(
  store: ScheduleStore,
  nsOf: (name: string | null | undefined) => Namespace,
): Record<string, Handler> {
  function describe(rec: ScheduleRecord) {
    const memo = decodeFields(rec.memo);
    const sa = decodeFields(rec.searchAttributes);
    return {
      schedule: {
        spec: specToProto(rec.spec),
        action: decodeAction(rec.action),
        policies: {
          overlapPolicy: rec.overlapPolicy,
          catchupWindow: msToDuration(rec.catchupWindowMs),
          pauseOnFailure: rec.pauseOnFailure,
          keepOriginalWorkflowId: rec.keepOriginalWorkflowId,
        },
        state: {
          notes: rec.notes,
          paused: rec.paused,
          limitedActions: rec.limitedActions,
          remainingActions: rec.remainingActions,
        },
      },
      info: {
        actionCount: rec.actionCount,
        missedCatchupWindow: rec.missedCatchupWindow,
        overlapSkipped: rec.overlapSkipped,
        bufferDropped: rec.bufferDropped,
        bufferSize: rec.buffer.length,
        runningWorkflows: rec.running.map((r) => ({ workflowId: r.workflowId, runId: r.runId })),
        recentActions: rec.recentActions.map(actionResult),
        futureActionTimes: store
          .futureActionTimes(rec, SCHEDULE_DEFAULTS.futureActionCount)
          .map((t) => msToTimestamp(t)),
        createTime: msToTimestamp(rec.createTime),
        updateTime: rec.updateTime ? msToTimestamp(rec.updateTime) : null,
      },
      memo: Object.keys(memo).length ? { fields: memo } : null,
      searchAttributes: Object.keys(sa).length ? { indexedFields: sa } : null,
      conflictToken: conflictToken(rec),
    };
  }

  function listEntry(rec: ScheduleRecord) {
    const memo = decodeFields(rec.memo);
    return {
      scheduleId: rec.scheduleId,
      memo: Object.keys(memo).length ? { fields: memo } : null,
      searchAttributes: { indexedFields: decodeFields(rec.searchAttributes) },
      info: {
        spec: specToProto(rec.spec),
        workflowType: decodeAction(rec.action).startWorkflow?.workflowType ?? null,
        notes: rec.notes,
        paused: rec.paused,
        recentActions: rec.recentActions.slice(-SCHEDULE_DEFAULTS.recentActionCountForList).map(actionResult),
        futureActionTimes: store
          .futureActionTimes(rec, SCHEDULE_DEFAULTS.futureActionCountForList)
          .map((t) => msToTimestamp(t)),
      },
    };
  }

  /** Schedules a List/Count query selects: their own search attributes plus ScheduleId and TemporalSchedulePaused. */
  function select(ns: Namespace, query: string): ScheduleRecord[] {
    const types: Record<string, SearchAttributeTypeName> = {};
    for (const [k, v] of Object.entries(SYSTEM_SEARCH_ATTRIBUTES)) types[k] = typeName(v);
    for (const [k, v] of ns.customSearchAttributes) types[k] = typeName(v);
    types.ScheduleId = 'Keyword';
    let filter: ReturnType<typeof compileVisibilityQuery>;
    try {
      filter = compileVisibilityQuery(query, types);
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
    return store.list(ns).filter((rec) =>
      filter({
        workflowId: rec.scheduleId,
        runId: '',
        workflowType: decodeAction(rec.action).startWorkflow?.workflowType?.name ?? '',
        taskQueue: '',
        status: 'Running',
        startTime: new Date(rec.createTime),
        executionTime: new Date(rec.createTime),
        searchAttributes: {
          ...decodeSearchAttributes(decodeFields(rec.searchAttributes)),
          ScheduleId: rec.scheduleId,
          TemporalSchedulePaused: rec.paused,
        },
      }),
    );
  }

  return {
    async CreateSchedule(r: temporal.api.workflowservice.v1.CreateScheduleRequest) {
      const ns = nsOf(r.namespace);
      const rec = store.create(ns, scheduleIdOf(r.scheduleId), r);
      return { conflictToken: conflictToken(rec) };
    },

    async DescribeSchedule(r: temporal.api.workflowservice.v1.DescribeScheduleRequest) {
      const ns = nsOf(r.namespace);
      return describe(store.get(ns, scheduleIdOf(r.scheduleId)));
    },

    async UpdateSchedule(r: temporal.api.workflowservice.v1.UpdateScheduleRequest) {
      const ns = nsOf(r.namespace);
      store.update(ns, scheduleIdOf(r.scheduleId), r);
      return {};
    },

    async PatchSchedule(r: temporal.api.workflowservice.v1.PatchScheduleRequest) {
      const ns = nsOf(r.namespace);
      store.patch(ns, scheduleIdOf(r.scheduleId), r.patch ?? {});
      return {};
    },

    async DeleteSchedule(r: temporal.api.workflowservice.v1.DeleteScheduleRequest) {
      const ns = nsOf(r.namespace);
      store.delete(ns, scheduleIdOf(r.scheduleId));
      return {};
    },

    async ListScheduleMatchingTimes(r: temporal.api.workflowservice.v1.ListScheduleMatchingTimesRequest) {
      const ns = nsOf(r.namespace);
      const rec = store.get(ns, scheduleIdOf(r.scheduleId));
      if (!r.startTime || !r.endTime) throw invalidArgument('missing or invalid query');
      return {
        startTime: store
          .matchingTimes(rec, timestampMs(r.startTime), timestampMs(r.endTime))
          .map((t) => msToTimestamp(t)),
      };
    },

    async ListSchedules(r: temporal.api.workflowservice.v1.ListSchedulesRequest) {
      const ns = nsOf(r.namespace);
      const all = select(ns, r.query ?? '');
      const offset = r.nextPageToken?.length ? Number(Buffer.from(r.nextPageToken).toString()) || 0 : 0;
      const size = r.maximumPageSize && r.maximumPageSize > 0 ? r.maximumPageSize : 1000;
      return {
        schedules: all.slice(offset, offset + size).map(listEntry),
        nextPageToken: offset + size < all.length ? Buffer.from(String(offset + size)) : null,
      };
    },

    async CountSchedules(r: temporal.api.workflowservice.v1.CountSchedulesRequest) {
      const ns = nsOf(r.namespace);
      return { count: select(ns, r.query ?? '').length, groups: [] };
    },
  };
}
