// Schedules through the real client's `client.schedule` API: specs, overlap policies, pause, trigger,
// backfill, limited actions, errors; and, under time skipping, a monthly Asia/Shanghai schedule that
// `env.sleep('31 days')` runs.

import { status } from '@grpc/grpc-js';
import {
  ScheduleAlreadyRunning,
  type ScheduleHandle,
  ScheduleNotFoundError,
  WorkflowFailedError,
} from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import Long from 'long';
import { compileSpec, nextTime } from '../../devserver/engine/schedule-spec';
import { createServices } from '../../devserver/service';
import { Harness, uniq } from './env';
import { failing, finish, hello, waitForFinish } from './workflows/basics';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ClearingProvince = defineSearchAttributeKey('ClearingProvince', SearchAttributeType.KEYWORD);

/** Clock reading in a zone, for checking action times independently of the devserver. */
function localParts(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { day: get('day'), hour: get('hour'), minute: get('minute') };
}

describe('schedules on the devserver (local)', () => {
  let h: Harness;
  const created: ScheduleHandle[] = [];

  beforeAll(async () => {
    h = await Harness.create('local', { searchAttributes: [ClearingProvince] });
  });

  afterAll(async () => {
    for (const s of created) await s.delete().catch(() => undefined);
    await h?.teardown();
  });

  async function create(opts: {
    spec: Parameters<Harness['client']['schedule']['create']>[0]['spec'];
    workflow?: typeof hello | typeof waitForFinish | typeof failing;
    args?: unknown[];
    policies?: Parameters<Harness['client']['schedule']['create']>[0]['policies'];
    state?: Parameters<Harness['client']['schedule']['create']>[0]['state'];
  }) {
    const scheduleId = uniq('clearing');
    const handle = await h.client.schedule.create({
      scheduleId,
      spec: opts.spec,
      action: {
        type: 'startWorkflow',
        workflowType: opts.workflow ?? hello,
        args: (opts.args ?? ['清算']) as [string],
        taskQueue: h.taskQueue,
        workflowId: `${scheduleId}-wf`,
        memo: { kind: 'monthly-clearing' },
      },
      policies: opts.policies,
      state: opts.state,
      memo: { owner: 'province-ah' },
      searchAttributes: { ClearingProvince: ['34'] },
    });
    created.push(handle);
    return handle;
  }

  test('a calendar spec in Asia/Shanghai is described back with its next action times', async () => {
    const handle = await create({
      spec: {
        calendars: [{ dayOfMonth: 1, hour: 2, comment: 'monthly clearing' }],
        timezone: 'Asia/Shanghai',
      },
    });
    const d = await handle.describe();
    expect(d.spec.calendars).toEqual([
      expect.objectContaining({
        hour: [{ start: 2, end: 2, step: 1 }],
        dayOfMonth: [{ start: 1, end: 1, step: 1 }],
      }),
    ]);
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    expect(d.policies).toEqual({ overlap: 'SKIP', catchupWindow: 365 * DAY, pauseOnFailure: false });
    expect(d.memo).toEqual({ owner: 'province-ah' });
    expect(d.searchAttributes.ClearingProvince).toEqual(['34']);
    expect(d.info.nextActionTimes).toHaveLength(10);
    for (const t of d.info.nextActionTimes)
      expect(localParts(t, 'Asia/Shanghai')).toEqual({ day: 1, hour: 2, minute: 0 });
    // 10 consecutive months: about 30 days apart, strictly increasing.
    const gaps = d.info.nextActionTimes
      .slice(1)
      .map((t, i) => t.getTime() - d.info.nextActionTimes[i]!.getTime());
    for (const g of gaps) expect(g / DAY).toBeGreaterThanOrEqual(28);
    expect(d.info.numActionsTaken).toBe(0);
  });

  test('cron expressions and interval specs with a phase compile to calendars and intervals', async () => {
    const cron = await create({ spec: { cronExpressions: ['30 9 * * MON-FRI'] } });
    const c = await cron.describe();
    expect(c.spec.calendars).toHaveLength(1);
    expect(c.spec.calendars![0]!.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
    for (const t of c.info.nextActionTimes) {
      expect([t.getUTCHours(), t.getUTCMinutes()]).toEqual([9, 30]);
      expect([0, 6]).not.toContain(t.getUTCDay());
    }
    const interval = await create({ spec: { intervals: [{ every: '1 day', offset: '2 hours' }] } });
    const i = await interval.describe();
    expect(i.spec.intervals).toEqual([{ every: DAY, offset: 2 * HOUR }]);
    for (const t of i.info.nextActionTimes) expect(t.getTime() % DAY).toBe(2 * HOUR);
  });

  test('skip calendars, start and end times bound the action times', async () => {
    const startAt = new Date(Date.UTC(2030, 0, 1));
    const endAt = new Date(Date.UTC(2030, 0, 10, 12));
    const handle = await create({
      spec: {
        calendars: [{ hour: 12 }],
        skip: [{ dayOfWeek: ['SATURDAY', 'SUNDAY'], hour: 12 }],
        startAt,
        endAt,
      },
    });
    const days = (await handle.describe()).info.nextActionTimes.map((t) => t.toISOString().slice(0, 10));
    // 2030-01-05/06 are a weekend.
    expect(days).toEqual([
      '2030-01-01',
      '2030-01-02',
      '2030-01-03',
      '2030-01-04',
      '2030-01-07',
      '2030-01-08',
      '2030-01-09',
      '2030-01-10',
    ]);
  });

  test('matching times follow the wall clock across DST in America/New_York', async () => {
    const handle = await create({
      spec: {
        calendars: [
          { hour: 2, minute: 30 },
          { hour: 1, minute: 30 },
        ],
        timezone: 'America/New_York',
      },
    });
    const res = await h.client.workflowService.listScheduleMatchingTimes({
      namespace: 'default',
      scheduleId: handle.scheduleId,
      startTime: msToTs(Date.UTC(2027, 2, 13, 12)),
      endTime: msToTs(Date.UTC(2027, 2, 15, 12)),
    });
    const spring = (res.startTime ?? []).map((t) => new Date(Number(t.seconds) * 1000).toISOString());
    // 2027-03-14 has no 02:30: only its 01:30 (EST) fires.
    expect(spring).toEqual([
      '2027-03-14T06:30:00.000Z',
      '2027-03-15T05:30:00.000Z',
      '2027-03-15T06:30:00.000Z',
    ]);
    const fall = await h.client.workflowService.listScheduleMatchingTimes({
      namespace: 'default',
      scheduleId: handle.scheduleId,
      startTime: msToTs(Date.UTC(2027, 10, 7, 0)),
      endTime: msToTs(Date.UTC(2027, 10, 7, 12)),
    });
    // 2027-11-07 has two 01:30s (EDT then EST) and one 02:30 (EST).
    expect((fall.startTime ?? []).map((t) => new Date(Number(t.seconds) * 1000).toISOString())).toEqual([
      '2027-11-07T05:30:00.000Z',
      '2027-11-07T06:30:00.000Z',
      '2027-11-07T07:30:00.000Z',
    ]);
  });

  test('trigger starts the workflow now, named <workflowId>-<time>, with the schedule search attributes', async () => {
    const handle = await create({ spec: { calendars: [{ dayOfMonth: 1, hour: 2 }] } });
    await handle.trigger();
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(1);
    const action = d.info.recentActions[0]!;
    const workflowId = action.action.workflow.workflowId;
    const stamp = new Date(Math.floor(action.scheduledAt.getTime() / 1000) * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    expect(workflowId).toBe(`${handle.scheduleId}-wf-${stamp}`);
    const wf = h.client.workflow.getHandle(workflowId);
    expect(await wf.result()).toBe('Hello, 清算!');
    const info = await wf.describe();
    expect(info.searchAttributes.TemporalScheduledById).toEqual([handle.scheduleId]);
    expect(info.searchAttributes.TemporalScheduledStartTime).toEqual([new Date(stamp)]);
    expect(info.memo).toEqual({ kind: 'monthly-clearing' });
  });

  test('pause and unpause set the state and the note; update replaces the spec and keeps the info', async () => {
    const handle = await create({ spec: { calendars: [{ hour: 3 }] } });
    await handle.pause('月末对账暂停');
    let d = await handle.describe();
    expect(d.state).toEqual(expect.objectContaining({ paused: true, note: '月末对账暂停' }));
    const paused = [];
    for await (const s of h.client.schedule.list({ query: 'TemporalSchedulePaused = true' }))
      paused.push(s.scheduleId);
    expect(paused).toContain(handle.scheduleId);
    await handle.unpause('恢复');
    d = await handle.describe();
    expect(d.state).toEqual(expect.objectContaining({ paused: false, note: '恢复' }));
    await handle.trigger();
    await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: '6 hours' }] } }));
    d = await handle.describe();
    expect(d.spec.calendars).toEqual([]);
    expect(d.spec.intervals).toEqual([{ every: 6 * HOUR, offset: 0 }]);
    expect(d.info.numActionsTaken).toBe(1);
    expect(d.info.lastUpdatedAt).toBeInstanceOf(Date);
    for (const t of d.info.nextActionTimes) expect(t.getTime() % (6 * HOUR)).toBe(0);
    const all = [];
    for await (const s of h.client.schedule.list()) all.push(s.scheduleId);
    expect(all).toContain(handle.scheduleId);
  });

  test('backfill under SKIP, BUFFER_ONE and ALLOW_ALL while the first run is still going', async () => {
    const start = new Date(Date.UTC(2026, 0, 1, 0));
    const end = new Date(Date.UTC(2026, 0, 1, 3));
    const outcome: Record<string, { taken: number; skipped: number; buffered: number; running: number }> = {};
    for (const overlap of ['SKIP', 'BUFFER_ONE', 'ALLOW_ALL'] as const) {
      const handle = await create({
        spec: { intervals: [{ every: '1 hour' }] },
        workflow: waitForFinish,
        args: [],
      });
      // 00:00, 01:00, 02:00, 03:00: four times, all overlapping the first (it waits for a signal).
      await handle.backfill({ start, end, overlap });
      const d = await handle.describe();
      outcome[overlap] = {
        taken: d.info.numActionsTaken,
        skipped: d.info.numActionsSkippedOverlap,
        buffered: d.raw.info?.bufferSize?.toNumber() ?? 0,
        running: d.info.runningActions.length,
      };
      if (overlap === 'BUFFER_ONE') {
        // Finishing the first run starts the buffered one.
        const first = h.client.workflow.getHandle(d.info.runningActions[0]!.workflow.workflowId);
        await first.signal(finish);
        await first.result();
        const after = await handle.describe();
        expect(after.info.numActionsTaken).toBe(2);
        expect(after.info.recentActions[1]!.scheduledAt).toEqual(new Date(Date.UTC(2026, 0, 1, 1)));
      }
      for (const a of (await handle.describe()).info.recentActions) {
        await h.client.workflow
          .getHandle(a.action.workflow.workflowId)
          .terminate('test over')
          .catch(() => undefined);
      }
    }
    expect(outcome).toEqual({
      SKIP: { taken: 1, skipped: 3, buffered: 0, running: 1 },
      BUFFER_ONE: { taken: 1, skipped: 2, buffered: 1, running: 1 },
      // ALLOW_ALL runs overlap anything and are not tracked as running.
      ALLOW_ALL: { taken: 4, skipped: 0, buffered: 0, running: 0 },
    });
  });

  test('a backfill longer than the buffer is taken in steps, none dropped', async () => {
    const handle = await create({
      spec: { intervals: [{ every: '1 hour' }] },
      workflow: waitForFinish,
      args: [],
    });
    // 1,200 hourly times (50 days) while the first run is still going: one run, the rest skipped.
    await handle.backfill({
      start: new Date(Date.UTC(2025, 0, 1)),
      end: new Date(Date.UTC(2025, 0, 1) + 1199 * HOUR),
      overlap: 'SKIP',
    });
    const d = await handle.describe();
    expect([d.info.numActionsTaken, d.info.numActionsSkippedOverlap]).toEqual([1, 1199]);
    expect(d.raw.info?.bufferDropped?.toNumber() ?? 0).toBe(0);
    await h.client.workflow.getHandle(d.info.runningActions[0]!.workflow.workflowId).terminate('test over');
  });

  test('BUFFER_ALL starts each buffered time in turn as the previous run finishes', async () => {
    const handle = await create({
      spec: { intervals: [{ every: '1 hour' }] },
      workflow: waitForFinish,
      args: [],
    });
    await handle.backfill({
      start: new Date(Date.UTC(2026, 0, 1, 0)),
      end: new Date(Date.UTC(2026, 0, 1, 2)),
      overlap: 'BUFFER_ALL',
    });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await handle.describe();
      expect(d.raw.info?.bufferSize?.toNumber() ?? 0).toBe(2 - i);
      const running = d.info.runningActions[0]!.workflow.workflowId;
      seen.push(running);
      const wf = h.client.workflow.getHandle(running);
      await wf.signal(finish);
      await wf.result();
    }
    expect(seen.map((id) => id.slice(-9))).toEqual(['00:00:00Z', '01:00:00Z', '02:00:00Z']);
    expect((await handle.describe()).info.numActionsTaken).toBe(3);
  });

  test('TERMINATE_OTHER and CANCEL_OTHER end the running workflow and start the new one', async () => {
    for (const [overlap, closed] of [
      ['TERMINATE_OTHER', 'TERMINATED'],
      ['CANCEL_OTHER', 'CANCELLED'],
    ] as const) {
      const handle = await create({ spec: { calendars: [{ hour: 6 }] }, workflow: waitForFinish, args: [] });
      await handle.trigger(overlap);
      const first = (await handle.describe()).info.runningActions[0]!.workflow;
      await handle.trigger(overlap);
      // Two triggers in one second share the workflow id: the run id tells them apart.
      const firstRun = h.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId);
      await expect(firstRun.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect((await firstRun.describe()).status.name).toBe(closed);
      const d = await handle.describe();
      expect(d.info.numActionsTaken).toBe(2);
      const second = d.info.runningActions[0]!.workflow;
      expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
      await h.client.workflow.getHandle(second.workflowId, second.firstExecutionRunId).terminate('test over');
    }
  });

  test('jitter moves each action time by the same amount every time it is asked, within the jitter', async () => {
    const handle = await create({ spec: { intervals: [{ every: '1 hour' }], jitter: '10 minutes' } });
    const once = (await handle.describe()).info.nextActionTimes.map((t) => t.getTime());
    const again = (await handle.describe()).info.nextActionTimes.map((t) => t.getTime());
    expect(again).toEqual(once);
    for (const t of once) expect(t % HOUR).toBeLessThan(10 * 60_000);
    expect(once.some((t) => t % HOUR !== 0)).toBe(true);
  });

  test('pause-on-failure pauses the schedule when its workflow fails', async () => {
    const handle = await create({
      spec: { calendars: [{ hour: 4 }] },
      workflow: failing,
      args: ['结算报错'],
      policies: { pauseOnFailure: true },
    });
    await handle.trigger('SKIP');
    const [action] = (await handle.describe()).info.recentActions;
    await expect(
      h.client.workflow.getHandle(action!.action.workflow.workflowId).result(),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
    const d = await handle.describe();
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe(
      `paused due to workflow failure: ${action!.action.workflow.workflowId}: 结算报错`,
    );
  });

  test('an update with a stale conflict token is refused; the current one is accepted', async () => {
    const handle = await create({ spec: { calendars: [{ hour: 7 }] } });
    const before = await h.client.workflowService.describeSchedule({
      namespace: 'default',
      scheduleId: handle.scheduleId,
    });
    await handle.pause('核对中');
    const update = (conflictToken: Uint8Array | null | undefined) =>
      h.client.workflowService.updateSchedule({
        namespace: 'default',
        scheduleId: handle.scheduleId,
        schedule: {
          ...before.schedule,
          spec: { interval: [{ interval: { seconds: Long.fromNumber(7200) } }] },
        },
        conflictToken,
        requestId: uniq('update'),
      });
    await expect(update(before.conflictToken)).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    expect((await handle.describe()).spec.intervals).toEqual([]);
    const current = await h.client.workflowService.describeSchedule({
      namespace: 'default',
      scheduleId: handle.scheduleId,
    });
    await update(current.conflictToken);
    expect((await handle.describe()).spec.intervals).toEqual([{ every: 2 * HOUR, offset: 0 }]);
  });

  test('duplicate id, unknown id and a bad spec answer like the real server', async () => {
    const handle = await create({ spec: { calendars: [{ hour: 5 }] } });
    await expect(
      h.client.schedule.create({
        scheduleId: handle.scheduleId,
        spec: { calendars: [{ hour: 5 }] },
        action: { type: 'startWorkflow', workflowType: hello, args: ['x'], taskQueue: h.taskQueue },
      }),
    ).rejects.toBeInstanceOf(ScheduleAlreadyRunning);
    await expect(h.client.schedule.getHandle(uniq('missing')).describe()).rejects.toBeInstanceOf(
      ScheduleNotFoundError,
    );
    for (const spec of [
      { cronExpressions: ['0 25 * * *'] },
      { calendars: [{ hour: 1 }], timezone: 'Mars/Olympus_Mons' },
      { cronExpressions: ['1 2 3'] },
    ]) {
      await expect(
        h.client.schedule.create({
          scheduleId: uniq('bad'),
          spec,
          action: { type: 'startWorkflow', workflowType: hello, args: ['x'], taskQueue: h.taskQueue },
        }),
      ).rejects.toThrow(TypeError);
    }
    await handle.delete();
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});

describe('schedules under time skipping', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('time-skipping');
  });

  afterAll(async () => {
    await h?.teardown();
  });

  test("env.sleep('31 days') runs a monthly 02:00 Asia/Shanghai clearing schedule", async () => {
    const scheduleId = uniq('monthly-clearing');
    const handle = await h.client.schedule.create({
      scheduleId,
      spec: {
        calendars: [{ dayOfMonth: 1, hour: 2, comment: '每月1日02:00清算' }],
        timezone: 'Asia/Shanghai',
      },
      action: {
        type: 'startWorkflow',
        workflowType: hello,
        args: ['清算'],
        taskQueue: h.taskQueue,
        workflowId: 'clearing-34-46',
      },
    });
    const [firstTime] = (await handle.describe()).info.nextActionTimes;
    await h.env.sleep('31 days');
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBeGreaterThanOrEqual(1);
    const first = d.info.recentActions[0]!;
    expect(first.scheduledAt).toEqual(firstTime);
    expect(localParts(first.scheduledAt, 'Asia/Shanghai')).toEqual({ day: 1, hour: 2, minute: 0 });
    expect(first.action.workflow.workflowId).toBe(
      `clearing-34-46-${firstTime!.toISOString().replace('.000Z', 'Z')}`,
    );
    expect(d.info.nextActionTimes[0]!.getTime()).toBeGreaterThan(await h.env.currentTimeMs());
    // (Awaiting a result unlocks time skipping too: the clock may run on to the next 1st.)
    expect(await h.client.workflow.getHandle(first.action.workflow.workflowId).result()).toBe('Hello, 清算!');
    await handle.delete();
  });

  test('limited actions: an hourly schedule with two remaining actions runs twice, then no more', async () => {
    const handle = await h.client.schedule.create({
      scheduleId: uniq('limited'),
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: hello, args: ['对账'], taskQueue: h.taskQueue },
      state: { remainingActions: 2 },
    });
    await h.env.sleep('5 hours');
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(2);
    expect(d.state.remainingActions).toBe(0);
    expect(d.info.nextActionTimes).toEqual([]);
    const [a, b] = d.info.recentActions;
    expect(b!.scheduledAt.getTime() - a!.scheduledAt.getTime()).toBe(HOUR);
    // With nothing left to do it is kept for seven days after its last action, then deleted.
    await h.env.sleep('6 days');
    await handle.describe();
    await h.env.sleep('2 days');
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});

describe('schedule state snapshot', () => {
  const ctx = { cancelled: false, onCancel: () => undefined, remainingMs: () => Number.POSITIVE_INFINITY };

  function server() {
    const services = createServices({ timeSkipping: false, searchAttributes: {} }, () => undefined);
    services.engine.namespaces.register('default');
    return services;
  }

  const call = (services: ReturnType<typeof server>, method: string, request: object) =>
    (
      services.workflowService[method] as unknown as (
        r: object,
        c: typeof ctx,
      ) => Promise<Record<string, unknown>>
    )(request, ctx);

  test('restores as JSON into a new server, which runs what fell due inside the catchup window', async () => {
    const a = server();
    const b = server();
    try {
      let changes = 0;
      a.schedules.onChange = () => {
        changes++;
      };
      await call(a, 'CreateSchedule', {
        namespace: 'default',
        scheduleId: 'clearing-34-46',
        requestId: 'create-1',
        schedule: {
          spec: { interval: [{ interval: { seconds: 3600 } }] },
          action: {
            startWorkflow: {
              workflowId: 'clearing',
              workflowType: { name: 'hello' },
              taskQueue: { name: 'q' },
            },
          },
          policies: { catchupWindow: { seconds: 24 * 3600 } },
        },
      });
      await call(a, 'PatchSchedule', {
        namespace: 'default',
        scheduleId: 'clearing-34-46',
        patch: { pause: '停' },
      });
      expect(changes).toBe(2);
      const snapshot = JSON.parse(JSON.stringify(a.schedules.snapshot()));
      // As if the server had been down for three days since.
      snapshot.schedules[0].lastProcessedTime -= 3 * DAY;
      snapshot.schedules[0].paused = false;
      b.schedules.restore(snapshot);
      const d = await call(b, 'DescribeSchedule', { namespace: 'default', scheduleId: 'clearing-34-46' });
      const info = d.info as { missedCatchupWindow: number; overlapSkipped: number; actionCount: number };
      // 72 hourly times: ~48 older than the one-day window are missed, ~24 inside it run under SKIP.
      expect(info.missedCatchupWindow).toBeGreaterThanOrEqual(47);
      expect(info.missedCatchupWindow).toBeLessThanOrEqual(49);
      expect(info.actionCount).toBe(1);
      expect(info.missedCatchupWindow + info.overlapSkipped + info.actionCount).toBeGreaterThanOrEqual(71);
      expect((d.schedule as { state: { notes: string } }).state.notes).toBe('停');
      expect(
        b.engine.current(
          b.engine.namespaces.get('default'),
          b.schedules.snapshot().schedules[0]!.running[0]!.workflowId,
        ),
      ).toBeDefined();
    } finally {
      a.engine.stop();
      b.engine.stop();
    }
  });
});

describe('schedule spec compilation (pure)', () => {
  const times = (proto: Parameters<typeof compileSpec>[0], from: string, n: number) => {
    const spec = compileSpec(proto);
    const out: string[] = [];
    let t = Date.parse(from);
    for (let i = 0; i < n; i++) {
      const next = nextTime(spec, 'seed', t);
      if (!next) break;
      out.push(new Date(next.next).toISOString());
      t = next.next;
    }
    return out;
  };

  test('cron strings: CRON_TZ prefix, shorthands, @every with a phase, names, Sunday as 7', () => {
    expect(compileSpec({ cronString: ['CRON_TZ=Asia/Shanghai 0 2 1 * *'] }).timezone).toBe('Asia/Shanghai');
    expect(times({ cronString: ['CRON_TZ=Asia/Shanghai 0 2 1 * *'] }, '2027-01-15T00:00:00Z', 2)).toEqual([
      '2027-01-31T18:00:00.000Z',
      '2027-02-28T18:00:00.000Z',
    ]);
    expect(times({ cronString: ['@monthly'] }, '2027-01-15T00:00:00Z', 1)).toEqual([
      '2027-02-01T00:00:00.000Z',
    ]);
    expect(compileSpec({ cronString: ['@every 90m/5m'] }).intervals).toEqual([
      { intervalSec: 5400, phaseSec: 300 },
    ]);
    expect(times({ cronString: ['0 12 * JAN-FEB 7'] }, '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-03T12:00:00.000Z',
      '2027-01-10T12:00:00.000Z',
    ]);
    expect(times({ cronString: ['0 0 12 29 FEB * 2028'] }, '2027-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T12:00:00.000Z',
    ]);
  });

  test('bad specs name what is wrong', () => {
    expect(() => compileSpec({ cronString: ['0 12 * * * * * *'] })).toThrow(/malformed cron string/);
    expect(() => compileSpec({ calendar: [{ dayOfMonth: '0' }] })).toThrow(/out of range/);
    expect(() => compileSpec({ calendar: [{ month: 'Smarch' }] })).toThrow(/invalid value/);
    expect(() => compileSpec({ cronString: ['TZ=Asia/Shanghai 0 2 * * *', '0 3 * * *'] })).toThrow(
      /conflicting/,
    );
    expect(() => compileSpec({ timezoneName: 'Asia/Atlantis' })).toThrow(/unknown time zone/);
  });
});
