import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { type TicketCategory, ticketWorkflowId, WORKFLOW_TYPES } from '../../cases';
import { db } from '../_shared';
import { caseClock } from './clock';

/**
 * Raises a 问题协同 ticket for a stay from another case's workflow, for a failure that is not a stay
 * refusal — 清算's reconciliation mismatch (`reconciliation_mismatch`): routed to the category's first
 * responder like any other, outliving the caller (parent-close ABANDON). A ticket already open for the
 * stay is answered instead of a second one. Returns the ticket id.
 */
export async function raiseStayTicket(args: {
  mdtrt_id: string;
  category: TicketCategory;
  description: string;
}): Promise<string> {
  const r = await db.stayTicketStart({ ...args, raised_at: caseClock().iso() });
  if ('open' in r) return r.open;
  try {
    await startChild(WORKFLOW_TYPES.settlementError, {
      workflowId: ticketWorkflowId(r.start.ticket_id),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [r.start],
    });
  } catch (error) {
    // Already started (this caller replayed after a reset): the same ticket.
    if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
  }
  return r.start.ticket_id;
}
