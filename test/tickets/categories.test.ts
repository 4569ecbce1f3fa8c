import { INFCODES } from '../../api/infcodes';
import {
  cstDate,
  REFUSAL_TICKET_CATEGORY,
  reverseSettlementUpdate,
  type Side,
  STAY_REFUSALS,
  stayWorkflowId,
  TICKET_CATEGORIES,
  type TicketCategory,
} from '../../cases';
import { HumanTask, Stay, Ticket } from '../../db/entities';
import { ACCUMULATOR_FIELDS } from '../../settlement';
import { insureInHefei } from '../support/db';
import { eventually } from '../support/eventually';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { lostFiling, stayTo2304 } from './story';

/**
 * Each classified failure the stay can meet at 2304/2305 raises its own ticket (问题协同), routed to its
 * first responder, on the real worker: the refusal the hospital hears names the ticket.
 */
let p: TestPlatform;
const DAY = 86_400_000;
const PEOPLE = [1, 2, 3, 4, 5, 6].map((i) => `P3401000000007${i}`);
beforeAll(async () => {
  p = await startTestPlatform();
  await insureInHefei(
    p.orm,
    PEOPLE.map((psn_no, i) => ({ psn_no, psn_name: `类别${i + 1}`, certno: `34010219900101207${i + 1}` })),
  );
}, 180_000);
afterAll(async () => {
  await p?.close();
}, 60_000);

const knex = () => p.orm.em.fork().getKnex();

/** A filing of the person to 海南, with its status and validity set as the story needs. */
async function filing(psn_no: string, status: string, begin_days_ago: number, end_days_ago: number | null) {
  const id = await lostFiling(p.worker, p.orm, psn_no);
  await knex()('filing')
    .where({ id })
    .update({
      status,
      reason: null,
      begndate: cstDate(Date.now() - begin_days_ago * DAY),
      enddate: end_days_ago === null ? null : cstDate(Date.now() - end_days_ago * DAY),
    });
  return id;
}

/** The stay's ticket: its category, its first responder, and that side's response task in its province. */
async function routed(mdtrt_id: string, category: TicketCategory, side: Side): Promise<Ticket> {
  const ticket = await eventually(
    async () => (await p.orm.em.fork().findOne(Ticket, { mdtrt_id })) ?? undefined,
  );
  expect(ticket).toMatchObject({ category, first_responder: side, status: 'OPEN' });
  expect(TICKET_CATEGORIES[category].first_responder).toBe(side);
  const prov = side === 'insured' ? '340000' : '460000';
  const task = await eventually(async () => {
    const t = await p.orm.em
      .fork()
      .findOne(HumanTask, { case_id: ticket.ticket_id, kind: 'ticket_response' });
    return t ?? undefined;
  });
  expect(task).toMatchObject({ prov_admdvs: prov, role: 'coordinator', status: 'open' });
  return ticket;
}

test('every new refusal has its own infcode for the HIS and raises its category', () => {
  const expected: Record<string, TicketCategory> = {
    FILING_EXPIRED: 'filing_expired',
    PERSON_RECORD_MISSING: 'person_not_found',
    PRICE_OVER_LIMIT: 'price_over_limit',
    SETTLEMENT_TIMEOUT: 'timeout',
    REVERSAL_FAILED: 'reversal_failed',
    DUPLICATE_SETTLEMENT: 'duplicate_settlement',
  };
  for (const [code, category] of Object.entries(expected)) {
    expect(STAY_REFUSALS[code as keyof typeof STAY_REFUSALS]).toBe(code);
    expect(REFUSAL_TICKET_CATEGORY[code as keyof typeof STAY_REFUSALS]).toBe(category);
    expect(INFCODES[code as keyof typeof INFCODES].infcode).toBeGreaterThan(2018);
  }
  const numbers = Object.values(INFCODES).map((c) => c.infcode);
  expect(new Set(numbers).size).toBe(numbers.length);
});

test('filing_expired: a filing that ended before the admission refuses 2304 with its own code and goes to 安徽; one that ends during the stay still covers it', async () => {
  const [psn_no, covered] = [PEOPLE[0]!, PEOPLE[1]!];
  const id = await filing(psn_no, 'EXPIRED', 60, 10);
  const { mdtrt_id, refusal } = await stayTo2304(p.worker, { psn_no });
  expect(refusal?.type).toBe('FILING_EXPIRED');
  expect(refusal?.message).toContain(`备案（${id}）已于 ${cstDate(Date.now() - 10 * DAY)} 到期`);
  expect(refusal?.message).toContain('续办备案');
  const ticket = await routed(mdtrt_id, 'filing_expired', 'insured');
  expect(refusal?.message).toContain(ticket.ticket_id);

  await filing(covered, 'EXPIRED', 60, 2);
  const during = await stayTo2304(p.worker, { psn_no: covered });
  expect(during.refusal).toBeNull();
  expect(during.settled?.setl_id).toBe(`${during.mdtrt_id}S01`);
});

test('person_not_found: the insured place no longer has the person at 2304 → a ticket for 安徽', async () => {
  const psn_no = PEOPLE[2]!;
  await filing(psn_no, 'ACTIVE', 10, null);
  const { mdtrt_id, refusal } = await stayTo2304(p.worker, {
    psn_no,
    // The insured place's record moved away (参保关系转出) between admission and settlement.
    before2304: async () => {
      await knex()('insured_person').where({ psn_no }).update({ insuplc_admdvs: '320300' });
    },
  });
  expect(refusal?.type).toBe('PERSON_RECORD_MISSING');
  expect(refusal?.message).toContain(`参保地（340100）查无参保人 ${psn_no}`);
  await routed(mdtrt_id, 'person_not_found', 'insured');
  const stay = await eventually(async () => {
    const s = await p.orm.em.fork().findOne(Stay, { mdtrt_id });
    return s?.status === 'SETTLEMENT_ERROR' ? s : undefined;
  });
  expect(stay.setl_id).toBeNull();
});

test('price_over_limit: where 海南 refuses lines above 限价 (a rule as data), 2304 is refused naming the line, ticket to 海南; by default the excess is self-paid', async () => {
  const psn_no = PEOPLE[3]!;
  await filing(psn_no, 'ACTIVE', 10, null);
  // The bed at 60.00 is above 海南's limit of 57.00.
  await knex()('catalogue_rule').where({ admvs: '460000' }).update({ over_limit: 'refuse' });
  try {
    const { mdtrt_id, refusal } = await stayTo2304(p.worker, { psn_no });
    expect(refusal?.type).toBe('PRICE_OVER_LIMIT');
    expect(refusal?.message).toContain(
      '费用明细 0001（001107000010000）单价 60.0000 元超过就医地限价 57.00 元',
    );
    await routed(mdtrt_id, 'price_over_limit', 'treatment');
  } finally {
    await knex()('catalogue_rule').where({ admvs: '460000' }).update({ over_limit: 'self_pay' });
  }
  const other = PEOPLE[4]!;
  await filing(other, 'ACTIVE', 10, null);
  const selfPaid = await stayTo2304(p.worker, { psn_no: other });
  expect(selfPaid.refusal).toBeNull();
  const row = await knex()('settlement').where({ setl_id: selfPaid.settled?.setl_id }).first();
  // Bed 3 × (60.00 − 57.00) and the operation 3800.00 − 3610.00, self-paid as 超限价.
  expect(Number(row.overlmt_selfpay)).toBe(300 * 3 + 19_000);
});

test('duplicate_settlement and reversal_failed: a second settlement of overlapping dates is refused with a ticket; a 2305 that cannot be applied raises one and the settlement stands', async () => {
  const psn_no = PEOPLE[5]!;
  await filing(psn_no, 'ACTIVE', 12, null);
  const first = await stayTo2304(p.worker, { psn_no, begin_days_ago: 9, end_days_ago: 6 });
  expect(first.refusal).toBeNull();
  const second = await stayTo2304(p.worker, { psn_no, begin_days_ago: 7, end_days_ago: 2 });
  expect(second.refusal?.type).toBe('DUPLICATE_SETTLEMENT');
  expect(second.refusal?.message).toContain(`就诊ID ${first.mdtrt_id}，结算ID ${first.settled?.setl_id}`);
  await routed(second.mdtrt_id, 'duplicate_settlement', 'treatment');

  // The person's accumulators were emptied on the insured side: the first settlement cannot be given back.
  await knex()('accumulator')
    .where({ psn_no })
    .update(Object.fromEntries(ACCUMULATOR_FIELDS.filter((k) => k !== 'acct_balc').map((k) => [k, 0])));
  const stay = p.worker.client.workflow.getHandle(stayWorkflowId(first.mdtrt_id));
  await expect(
    stay.executeUpdate(reverseSettlementUpdate, {
      ...first.msgid('2305'),
      args: [{ setl_id: first.settled?.setl_id as string, psn_no, opter: 'his-hn' }],
    }),
  ).rejects.toMatchObject({
    cause: { type: 'REVERSAL_FAILED', message: expect.stringContaining('原结算保持有效') },
  });
  await routed(first.mdtrt_id, 'reversal_failed', 'treatment');
  const settled = await p.orm.em.fork().findOneOrFail(Stay, { mdtrt_id: first.mdtrt_id });
  expect(settled).toMatchObject({ status: 'SETTLED', setl_id: first.settled?.setl_id });
  const original = await knex()('settlement').where({ setl_id: first.settled?.setl_id }).first();
  expect(original.reversed_by).toBeNull();
});
