import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** Database activities: short, retried with backoff until the database answers again. */
export const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
