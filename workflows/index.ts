/**
 * Every case workflow, exported for the worker's bundle. Workflow code is deterministic: it imports
 * only @temporalio/workflow, `cases/`, types of activities, and pure helpers of the settlement core.
 * The case types land here one issue at a time (filing, hospitalization, settlement, …).
 */

export { clearingTriggerWorkflow, clearingWorkflow } from './clearing';
export { compensationWorkflow } from './compensation';
export { feeCheckBatchWorkflow, feeCheckFreezeWorkflow } from './fee-check';
export { filingWorkflow } from './filing';
export { hospitalizationWorkflow } from './hospitalization';
// Filing v1's review child: its recorded and still-running executions need the workflow type.
export { referralWorkflow } from './legacy/referral-v1';
export { manualClaimWorkflow } from './manual-claim';
export { settlementWorkflow } from './settlement';
export { settlementErrorWorkflow } from './settlement-error';
