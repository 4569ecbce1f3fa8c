import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const HOSPITAL_MESSAGE_STATUSES = ['pending', 'answered'] as const;

/**
 * One national-envelope message a hospital sent (`POST /api/v1/hospital/transactions`), kept so a
 * retried `msgid` gets the first answer byte for byte and the same `msgid` with another body is
 * refused. A 2401 row also keeps the `mdtrt_id` it allocated before the stay's workflow started: a
 * retried admission reuses it, and the later transactions find the stay (and its hospital) by it.
 */
export const HospitalMessage = defineEntity({
  name: 'HospitalMessage',
  tableName: 'hospital_message',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    fixmedins_code: p.string().length(30),
    msgid: p.string().length(64),
    infno: p.string().length(4),
    /** sha256 of the request body as sent: a retry must be the same message. */
    request_hash: p.string().length(64),
    status: p.enum([...HOSPITAL_MESSAGE_STATUSES]),
    /** The stay the message is about: allocated by a 2401, read from `input` by the others. */
    mdtrt_id: p.string().length(40).nullable().index(),
    psn_no: p.string().length(30).nullable(),
    /** The answer's infcode (0 = success), so "the admitted stays" is a query. */
    infcode: p.integer().nullable(),
    /** The answer exactly as it was sent (text, not jsonb: jsonb would reorder its keys). */
    answer: p.text().nullable(),
    created_at: p.datetime(),
    /** When the request now working on it took it; null after a failure that may be retried. */
    claimed_at: p.datetime().nullable(),
    answered_at: p.datetime().nullable(),
  }),
  uniques: [
    { properties: ['fixmedins_code', 'msgid'] },
    // One admission per mdtrt_id: an allocated id that collides is drawn again, never shared.
    {
      name: 'hospital_message_admission_unique',
      expression:
        'create unique index "hospital_message_admission_unique" on "hospital_message" ("mdtrt_id") where "infno" = \'2401\'',
    },
  ],
});
export type HospitalMessage = InferEntity<typeof HospitalMessage>;
