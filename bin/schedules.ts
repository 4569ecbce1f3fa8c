import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import {
  CLEARING_SCHEDULE_ID,
  DEFAULT_FEE_CHECK_PARAMS,
  FEE_CHECK_SCHEDULE_ID,
  WORKFLOW_TYPES,
} from '../cases';
import { CLEARING_TRIGGER_WORKFLOW } from '../cases/clearing';

/**
 * The platform's Temporal Schedules, created at start if missing: every API process calls this, the
 * first to arrive creates each schedule and the others find it running.
 * - `clearing-monthly`: day 1, 02:00 Asia/Shanghai; its trigger workflow starts the previous month's
 *   `clearing-<YYYY-MM>` (an existing run → nothing).
 * - `fee-check-monthly`: sweeps the fee-check batches due to freeze on the default freeze day (each
 *   batch also freezes itself on its province's day).
 */
function platformSchedules(taskQueue: string): ScheduleOptions[] {
  return [
    {
      scheduleId: CLEARING_SCHEDULE_ID,
      spec: { calendars: [{ dayOfMonth: 1, hour: 2, minute: 0 }], timezone: 'Asia/Shanghai' },
      action: {
        type: 'startWorkflow',
        workflowType: CLEARING_TRIGGER_WORKFLOW,
        workflowId: 'clearing-trigger',
        taskQueue,
        args: [],
      },
      // A run missed while the platform was down still happens within a day; two never overlap.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { note: '每月1日02:00（北京时间）清算上月跨省异地就医费用' },
    },
    {
      scheduleId: FEE_CHECK_SCHEDULE_ID,
      spec: {
        calendars: [{ dayOfMonth: DEFAULT_FEE_CHECK_PARAMS.freeze_day, hour: 0, minute: 5 }],
        timezone: 'Asia/Shanghai',
      },
      action: {
        type: 'startWorkflow',
        workflowType: WORKFLOW_TYPES.feeCheckFreeze,
        workflowId: 'fee-check-freeze',
        taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
  ];
}

export async function ensureSchedules(
  client: Client,
  taskQueue: string,
  log: (line: string) => void,
): Promise<void> {
  for (const options of platformSchedules(taskQueue)) {
    try {
      await client.schedule.create(options);
      log(`schedule ${options.scheduleId} created`);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
  }
}
