import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { CLEARING_SCHEDULE_ID } from '../cases';
import { CLEARING_TRIGGER_WORKFLOW } from '../cases/clearing';

/**
 * The platform's Temporal Schedules, created once: every API process calls this at start, and the
 * first to arrive creates each schedule (the others find it running). The monthly clearing runs on
 * day 1 at 02:00 Asia/Shanghai; its trigger workflow starts the previous month's `clearing-<YYYY-MM>`.
 */
export async function ensureSchedules(
  client: Client,
  taskQueue: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    await client.schedule.create({
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
    });
    log(`schedule ${CLEARING_SCHEDULE_ID} created`);
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return;
    throw error;
  }
}
