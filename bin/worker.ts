/**
 * `npm run worker`: one Temporal worker (every workflow and activity) against a shared Temporal
 * (TEMPORAL_ADDRESS) and PostgreSQL (DATABASE_URL). Run as many as the load needs; they share the task
 * queue TEMPORAL_TASK_QUEUE, and Temporal hands each task to one of them.
 */
import { startWorkerRole } from './platform';
import { runProcess } from './run';

runProcess(async (config, log) => {
  const worker = await startWorkerRole(config, log);
  return {
    ready: `worker ${worker.identity} on task queue ${config.taskQueue} (namespace ${config.namespace})`,
    stop: worker.stop,
  };
});
