/** The case workflows plus a test-only caller of raiseStayTicket, standing in for 清算's reconciliation. */
import type { TicketCategory } from '../../../cases';
import { raiseStayTicket } from '../../../workflows/lib/stay-ticket';

export * from '../../../workflows';

export async function raiseStayTicketWorkflow(args: {
  mdtrt_id: string;
  category: TicketCategory;
  description: string;
}): Promise<string> {
  return raiseStayTicket(args);
}
