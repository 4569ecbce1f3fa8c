/**
 * Every case workflow, exported for the worker's bundle. Workflow code is deterministic: it imports
 * only @temporalio/workflow, types of activities, and pure helpers of the settlement core.
 * The case types land here one issue at a time (filing, referral, hospitalization, settlement, …).
 */
export * from './filing';
export * from './referral';
