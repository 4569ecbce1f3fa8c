/** What List/CountWorkflowExecutions filter on: one row per workflow run, kept current by the engine. */
export type VisibilityStatus =
  | 'Running'
  | 'Completed'
  | 'Failed'
  | 'Canceled'
  | 'Terminated'
  | 'ContinuedAsNew'
  | 'TimedOut';

export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: VisibilityStatus;
  startTime: Date;
  closeTime?: Date;
  executionTime: Date;
  /** Decoded values: string, number, boolean, string[] (KeywordList), Date-as-ISO string for Datetime. */
  searchAttributes: Record<string, unknown>;
}
