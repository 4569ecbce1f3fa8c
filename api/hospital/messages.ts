import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { HospitalMessage } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { awaitEarlier, IN_FLIGHT_LEASE_MS } from '../idempotency';

/**
 * The msgid store of the hospital transactions: a message is claimed (one row per hospital and msgid)
 * before anything is done, answered once, and a retry of it gets that answer back as it was sent. A
 * request that dies, or gives its claim back after a failure that may be retried, leaves the row
 * pending; the next retry takes it over (keeping a 2401's allocated `mdtrt_id`).
 */

/** The claimed message: its row and the `mdtrt_id` a 2401 already allocated for it (a retry keeps it). */
export interface ClaimedMessage {
  id: number;
  mdtrt_id: string | null;
}

export type Claim =
  /** This request works on the message (a new one, or one taken over): `message.mdtrt_id` may already be set. */
  | { kind: 'claimed'; message: ClaimedMessage }
  /** Answered before: the answer exactly as it was sent. */
  | { kind: 'answered'; answer: string }
  /** The msgid was used for another body. */
  | { kind: 'reused' }
  /** The first request is still working on it. */
  | { kind: 'in_flight' };

/** The logged-in hospital as a transaction checks it. */
export interface MessageHospital {
  fixmedins_code: string;
  fixmedins_name: string;
  admdvs: string;
}

/**
 * The logged-in hospital's row and, when the envelope names that hospital and its place, a fresh claim
 * of the message, in one statement (the common case of every transaction: two round trips become one).
 * No `claimed` when the hospital does not match (nothing written) or the msgid was seen before: then
 * `claimMessage` decides as always. With `stay`, the mdtrt_id a stay transaction names, also that
 * admission of the hospital's when there is one (what `admissionOf` answers; an answered 2401 never changes).
 */
export async function claimAsHospital(
  orm: Orm,
  login: string,
  m: {
    fixmedins_code: string;
    mdtrtarea_admvs: string;
    msgid: string;
    infno: string;
    request_hash: string;
    stay: string | null;
  },
  now = () => new Date(),
): Promise<{
  hospital: MessageHospital | undefined;
  claimed?: ClaimedMessage;
  admission?: { mdtrt_id: string; psn_no: string | null };
}> {
  const at = now();
  const { rows } = (await orm.em.getKnex().raw(
    `with h as (
       select fixmedins_code, fixmedins_name, admdvs from hospital where fixmedins_code = ?
     ), claimed as (
       insert into hospital_message
         (fixmedins_code, msgid, infno, request_hash, status, mdtrt_id, psn_no, infcode, answer, created_at, claimed_at, answered_at)
       select h.fixmedins_code, ?, ?, ?, 'pending', null, null, null, null, ?::timestamptz, ?::timestamptz, null
         from h where h.fixmedins_code = ? and h.admdvs = ?
       on conflict (fixmedins_code, msgid) do nothing
       returning id, mdtrt_id
     ), admission as (
       select psn_no from hospital_message
        where fixmedins_code = ? and mdtrt_id = ? and infno = '2401' and status = 'answered' and infcode = 0
        limit 1
     )
     select h.fixmedins_code, h.fixmedins_name, h.admdvs, claimed.id, claimed.mdtrt_id,
            exists (select 1 from admission) as admitted, (select psn_no from admission) as admission_psn_no
       from h left join claimed on true`,
    [login, m.msgid, m.infno, m.request_hash, at, at, m.fixmedins_code, m.mdtrtarea_admvs, login, m.stay],
  )) as {
    rows: (MessageHospital & {
      id: number | null;
      mdtrt_id: string | null;
      admitted: boolean;
      admission_psn_no: string | null;
    })[];
  };
  const row = rows[0];
  if (!row) return { hospital: undefined };
  const hospital = {
    fixmedins_code: row.fixmedins_code,
    fixmedins_name: row.fixmedins_name,
    admdvs: row.admdvs,
  };
  return {
    hospital,
    ...(row.id === null ? {} : { claimed: { id: row.id, mdtrt_id: row.mdtrt_id } }),
    ...(row.admitted && m.stay !== null
      ? { admission: { mdtrt_id: m.stay, psn_no: row.admission_psn_no } }
      : {}),
  };
}

class Reused extends Error {}

/**
 * Claims the message: one `INSERT … ON CONFLICT DO NOTHING RETURNING` (raw SQL: the hot path of every
 * transaction, where the ORM's unit of work costs more than it gives); a message seen before is read
 * and awaited.
 */
export async function claimMessage(
  orm: Orm,
  m: { fixmedins_code: string; msgid: string; infno: string; request_hash: string },
  now = () => new Date(),
): Promise<Claim> {
  const key = { fixmedins_code: m.fixmedins_code, msgid: m.msgid };
  const knex = orm.em.getKnex();
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = now();
    const [claimed]: ClaimedMessage[] = await knex('hospital_message')
      .insert({
        ...m,
        status: 'pending',
        mdtrt_id: null,
        psn_no: null,
        infcode: null,
        answer: null,
        created_at: at,
        claimed_at: at,
        answered_at: null,
      })
      .onConflict(['fixmedins_code', 'msgid'])
      .ignore()
      .returning(['id', 'mdtrt_id']);
    if (claimed) return { kind: 'claimed', message: claimed };
    let earlier: Awaited<ReturnType<typeof awaitEarlier<HospitalMessage>>>;
    try {
      earlier = await awaitEarlier(
        async () => {
          const found = await orm.em.fork().findOne(HospitalMessage, key);
          if (found && found.request_hash !== m.request_hash) throw new Reused();
          return found;
        },
        (found) => {
          if (found.status === 'answered') return 'answered';
          const claimed = found.claimed_at?.getTime();
          return claimed === undefined || now().getTime() - claimed > IN_FLIGHT_LEASE_MS
            ? 'abandoned'
            : 'pending';
        },
        () => now().getTime(),
      );
    } catch (error) {
      if (error instanceof Reused) return { kind: 'reused' };
      throw error;
    }
    if (earlier.state === 'answered') return { kind: 'answered', answer: earlier.record.answer ?? '' };
    if (earlier.state === 'in_flight') return { kind: 'in_flight' };
    if (earlier.state === 'abandoned') {
      // Taken over only by one retry: the claim is a compare-and-set on the row.
      const cutoff = new Date(now().getTime() - IN_FLIGHT_LEASE_MS);
      const taken = await orm.em.fork().nativeUpdate(
        HospitalMessage,
        {
          id: earlier.record.id,
          status: 'pending',
          $or: [{ claimed_at: null }, { claimed_at: { $lt: cutoff } }],
        },
        { claimed_at: now() },
      );
      if (taken === 1) {
        return {
          kind: 'claimed',
          message: { id: earlier.record.id, mdtrt_id: earlier.record.mdtrt_id ?? null },
        };
      }
    }
  }
  return { kind: 'in_flight' };
}

/**
 * The answer, stored once: a retry from now on gets exactly this text. Returns the text that stands —
 * another request's, when a retry that took the message over answered it first (the same result by
 * the same update id, but its own timestamps), so every request for one msgid answers the same bytes.
 */
export async function answerMessage(
  orm: Orm,
  id: number,
  answer: { text: string; infcode: number; mdtrt_id: string | null; psn_no: string | null },
  now = new Date(),
): Promise<string> {
  const knex = orm.em.getKnex();
  const stored = await knex('hospital_message').where({ id, status: 'pending' }).update({
    status: 'answered',
    answer: answer.text,
    infcode: answer.infcode,
    mdtrt_id: answer.mdtrt_id,
    psn_no: answer.psn_no,
    answered_at: now,
  });
  if (stored === 1) return answer.text;
  const row: { answer: string | null } | undefined = await knex('hospital_message')
    .where({ id, status: 'answered' })
    .first('answer');
  return row?.answer ?? answer.text;
}

/** Gives the claim back after a failure that may be retried: the next retry of the message takes it. */
export async function releaseMessage(orm: Orm, id: number): Promise<void> {
  await orm.em.getKnex()('hospital_message').where({ id, status: 'pending' }).update({ claimed_at: null });
}

/**
 * Keeps the `mdtrt_id` a 2401 allocated with its message, before the workflow starts, so a retry
 * starts the same stay. False when the id is already another admission's (drawn again).
 */
export async function keepAdmissionId(
  orm: Orm,
  id: number,
  mdtrt_id: string,
  psn_no: string,
): Promise<boolean> {
  try {
    await orm.em.fork().nativeUpdate(HospitalMessage, { id }, { mdtrt_id, psn_no });
    return true;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) return false;
    throw error;
  }
}

/** The admission (2401, answered with success) of this hospital that made the stay `mdtrt_id`: its psn_no. */
export async function admissionOf(
  orm: Orm,
  fixmedins_code: string,
  mdtrt_id: string,
): Promise<{ psn_no: string | null } | undefined> {
  return orm.em
    .getKnex()('hospital_message')
    .where({ fixmedins_code, mdtrt_id, infno: '2401', status: 'answered', infcode: 0 })
    .first('psn_no');
}
