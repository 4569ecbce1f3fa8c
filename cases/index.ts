/**
 * The case vocabulary every layer imports: case types, statuses, categories, task kinds and their
 * decision rules, Chinese labels, case policy, the working-day calendar and the message contracts
 * between the API and the workflows. Pure: imports nothing of ours (only @temporalio/workflow's
 * message definitions, which are plain objects).
 */
export * from './calendar';
export * from './coordination';
export * from './fee-check';
export * from './hospitalization';
export * from './labels';
export * from './messages';
export * from './policy';
export * from './types';
