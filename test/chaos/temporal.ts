import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { ChaosPlatform } from './platform';

export type Liveness = 'running' | 'closed' | 'gone' | 'unknown';

/**
 * Asks the platform's Temporal frontend (the address `npm start` printed; it changes on every start of
 * the embedded devserver) whether a case's workflow exists and runs.
 */
export class TemporalProbe {
  private address: string | undefined;
  private connection: Connection | undefined;
  private client: Client | undefined;
  /** Why the last probe could not tell (printed with the findings, so an "unknown" explains itself). */
  lastError: string | undefined;

  constructor(private readonly platform: ChaosPlatform) {}

  async liveness(workflowId: string): Promise<Liveness> {
    const endpoints = this.platform.endpoints;
    if (!endpoints) return 'unknown';
    try {
      if (this.address !== endpoints.temporalAddress || !this.client) {
        await this.connection?.close().catch(() => {});
        this.connection = await Connection.connect({
          address: endpoints.temporalAddress,
          connectTimeout: 5_000,
        });
        this.client = new Client({ connection: this.connection });
        this.address = endpoints.temporalAddress;
      }
      const connection = this.connection as Connection;
      const described = await connection.withDeadline(Date.now() + 5_000, () =>
        (this.client as Client).workflow.getHandle(workflowId).describe(),
      );
      return described.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'gone';
      this.lastError = error instanceof Error ? error.message : String(error);
      return 'unknown';
    }
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => {});
    this.connection = undefined;
    this.client = undefined;
  }
}
