/** The case workflows plus a test-only case that holds one task per province (a two-sided ticket). */
import { calendarFor } from '../../../cases';
import { caseClock } from '../../../workflows/lib/clock';
import { taskDesk } from '../../../workflows/lib/human-task';
import { caseTimeline } from '../../../workflows/lib/timeline';

export * from '../../../workflows';

/** A ticket shared by provinces: one review task per side, each decided by its own province's staff. */
export async function jointReviewWorkflow(input: {
  case_id: string;
  provinces: string[];
}): Promise<string[]> {
  const clock = caseClock();
  const timeline = caseTimeline({
    idPrefix: `${input.case_id}:e`,
    clock,
    snapshot: () => ({}),
    write: async () => {},
  });
  const desk = taskDesk({ clock, calendar: calendarFor, timeline, closed: () => null });
  const outcomes = await Promise.all(
    input.provinces.map((prov_admdvs) =>
      desk
        .reviewTask({
          kind: 'referral_review',
          case_type: 'filing',
          case_id: input.case_id,
          task_prefix: `${input.case_id}-${prov_admdvs}`,
          side: { prov_admdvs },
          escalation: [{ role: 'staff', working_days: 3 }],
          summary: { side: prov_admdvs },
          more_info: false,
          project: async () => undefined,
        })
        .run(),
    ),
  );
  return outcomes.map((o) =>
    o.outcome === 'decided' ? `${o.decision.decided_by}:${o.decision.decision}` : o.outcome,
  );
}
