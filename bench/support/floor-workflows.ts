/**
 * The workflow floor of `npm run bench e2e`: only the shape issue 12 mandates for a stay — one workflow
 * taking four updates (admission, fees, discharge, settlement), each running one no-op local activity,
 * the settlement's update also a child workflow with one no-op local activity — and nothing else (no guards,
 * projections, HTTP or database). Bundled on its own, never in the production bundle.
 */
import {
  condition,
  defineUpdate,
  executeChild,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

export interface FloorActivities {
  floorStep(step: string, body: unknown): Promise<{ step: string; n: number }>;
}

const { floorStep } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

export const floorAdmitUpdate = defineUpdate<{ step: string; n: number }, [unknown]>('floorAdmit');
export const floorFeesUpdate = defineUpdate<{ step: string; n: number }, [unknown]>('floorFees');
export const floorDischargeUpdate = defineUpdate<{ step: string; n: number }, [unknown]>('floorDischarge');
export const floorSettleUpdate = defineUpdate<{ step: string; n: number }, [unknown]>('floorSettle');

export async function floorSettlementWorkflow(body: unknown): Promise<{ step: string; n: number }> {
  return floorStep('settle', body);
}

export async function floorStayWorkflow(): Promise<void> {
  let settled = false;
  setHandler(floorAdmitUpdate, (body) => floorStep('admit', body));
  setHandler(floorFeesUpdate, (body) => floorStep('fees', body));
  setHandler(floorDischargeUpdate, (body) => floorStep('discharge', body));
  setHandler(floorSettleUpdate, async (body) => {
    await floorStep('presettle', body);
    const r = await executeChild(floorSettlementWorkflow, {
      workflowId: `${workflowInfo().workflowId}-settlement`,
      args: [body],
    });
    settled = true;
    return r;
  });
  await condition(() => settled);
}
