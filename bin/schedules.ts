import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { DEFAULT_FEE_CHECK_PARAMS, FEE_CHECK_SCHEDULE_ID, WORKFLOW_TYPES } from '../cases';

/**
 * The platform's Temporal Schedules, created at start if missing (a second start, or a second API
 * process, finds them and leaves them): `fee-check-monthly` sweeps the fee-check batches due to freeze
 * on the default freeze day (each batch also freezes itself on its province's day).
 */
export async function ensureSchedules(
  client: Client,
  taskQueue: string,
  log: (m: string) => void,
): Promise<void> {
  try {
    await client.schedule.create({
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
    });
    log(`schedule ${FEE_CHECK_SCHEDULE_ID} created`);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
