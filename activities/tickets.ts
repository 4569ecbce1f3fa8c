import type { Knex } from '@mikro-orm/knex';
import { ApplicationFailure } from '@temporalio/common';
import { cstDate, HAND_RAISED_FROM, TICKET_PERSON_FIELDS, type TicketStart, ticketId } from '../cases';
import { provinceOf, type Snapshot, Ticket, type TicketActionRow } from '../db/entities';
import { snapshotValues } from '../db/rows';
import type { ActivityDeps } from './deps';
import { FailureType } from './errors';
import { type EventRow, insertEvents, trxOf } from './projection';
import { coveringFiling, dateText, filingCoversArea } from './stay';

export type TicketSnapshot = Snapshot<Ticket>;
export type TicketActionSnapshot = Snapshot<TicketActionRow>;

/** What an action did, in Chinese, for the ticket and the citizen's timeline. */
export interface ActionOutcome {
  outcome: string;
  /** Whether the stay can now settle (an unsticking action): the ticket then asks it to retry. */
  unstuck: boolean;
  /** What the action found and changed, kept with its params on the ticket action (correct_person's old value). */
  recorded?: Record<string, string>;
}

const invalid = (message: string) =>
  ApplicationFailure.create({ type: FailureType.InvalidData, message, nonRetryable: true });

/**
 * 问题协同's side effects: the ticket's projection (row, actions, the citizen's timeline in one
 * transaction) and the actions that unstick a stay — the filing restored from its record, person
 * data corrected, a catalogue code mapped at the treatment place. Each is idempotent.
 */
export function ticketActivities({ orm }: ActivityDeps) {
  const meta = orm.getMetadata().get(Ticket.meta.className);
  return {
    /** The stay's names for the ticket (the board shows them; masked there for coordinators). */
    async ticketStay({
      mdtrt_id,
    }: {
      mdtrt_id: string;
    }): Promise<{ psn_name: string; fixmedins_name: string; begntime: string }> {
      const row = await orm.em
        .fork()
        .getKnex()('stay')
        .where({ mdtrt_id })
        .first('psn_name', 'fixmedins_name', 'begntime');
      if (!row) throw invalid(`stay ${mdtrt_id} not found`);
      return {
        psn_name: row.psn_name,
        fixmedins_name: row.fixmedins_name,
        begntime: new Date(row.begntime).toISOString(),
      };
    },

    /**
     * What a ticket raised for a stay by another case (清算's reconciliation mismatch) starts with: the
     * stay's places and person, and the next round of the hand-raised range (51…) — or the ticket
     * already open for the stay, which the new failure joins instead of opening a second one.
     */
    async stayTicketStart(args: {
      mdtrt_id: string;
      category: TicketStart['category'];
      description: string;
      raised_at: string;
    }): Promise<{ open: string } | { start: TicketStart }> {
      const knex = orm.em.fork().getKnex();
      const stay = await knex('stay')
        .where({ mdtrt_id: args.mdtrt_id })
        .first('mdtrt_id', 'insuplc_admdvs', 'mdtrtarea_admvs', 'fixmedins_code', 'psn_no');
      if (!stay) throw invalid(`stay ${args.mdtrt_id} not found`);
      const open = await knex('ticket').where({ mdtrt_id: args.mdtrt_id, status: 'OPEN' }).first('ticket_id');
      if (open) return { open: open.ticket_id };
      const last = await knex('ticket')
        .where({ mdtrt_id: args.mdtrt_id })
        .where('round', '>=', HAND_RAISED_FROM)
        .max<{ round: number | null }>('round as round')
        .first();
      const round = Math.max(HAND_RAISED_FROM, Number(last?.round ?? 0) + 1);
      return {
        start: {
          ticket_id: ticketId(args.mdtrt_id, round),
          mdtrt_id: args.mdtrt_id,
          category: args.category,
          description: args.description,
          insuplc_admdvs: stay.insuplc_admdvs,
          mdtrtarea_admvs: stay.mdtrtarea_admvs,
          fixmedins_code: stay.fixmedins_code,
          psn_no: stay.psn_no,
          raised_by: { role: 'system', user: null, side: null },
          raised_at: args.raised_at,
        },
      };
    },

    /** The ticket's row, its new action (once, by action_id) and its events on the stay's timeline. */
    async projectTicket(args: {
      ticket: TicketSnapshot;
      events: EventRow[];
      action?: TicketActionSnapshot | null;
    }): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const { ticket_id, ...rest } = snapshotValues(meta, args.ticket);
        await trx('ticket')
          .insert({ ticket_id, ...rest })
          .onConflict('ticket_id')
          .merge(Object.keys(rest))
          .where('ticket.projection_seq', '<', args.ticket.projection_seq);
        if (args.action) {
          const a = args.action;
          await trx('ticket_action')
            .insert({ ...a, at: new Date(a.at), params: JSON.stringify(a.params) })
            .onConflict('action_id')
            .ignore();
        }
        await insertEvents(trx, args.ticket.mdtrt_id, args.events);
      });
    },

    /**
     * restore_filing: the filing deleted or lost on the insured side (its row revoked or cancelled, the
     * record kept) comes back ACTIVE — the person's latest one for the treatment place that covers the
     * admission date — with the event on its own timeline (事件类型 06 撤销恢复).
     */
    async restoreFiling(args: {
      ticket_id: string;
      psn_no: string;
      mdtrtarea_admvs: string;
      begntime: string;
      by: string;
    }): Promise<ActionOutcome> {
      const admDate = cstDate(Date.parse(args.begntime));
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const { covering } = await coveringFiling(trx, args.psn_no, args.mdtrtarea_admvs, admDate);
        if (covering)
          return {
            outcome: `备案 ${covering.id} 已是有效状态，无需恢复，已通知就医地重新结算`,
            unstuck: true,
          };
        const lost = await lostFiling(trx, args.psn_no, args.mdtrtarea_admvs, admDate);
        if (!lost)
          return {
            outcome: '未找到可恢复的备案记录（参保人在该就医地没有覆盖入院日期的备案），请参保人补办备案',
            unstuck: false,
          };
        await trx('filing')
          .where({ id: lost.id })
          .update({
            status: 'ACTIVE',
            reason: null,
            memo: `问题协同 ${args.ticket_id}：按备案记录恢复`,
            updated_at: new Date(),
          });
        await insertEvents(trx, lost.id, [
          {
            id: `${lost.id}:${args.ticket_id}:restored`,
            at: new Date().toISOString(),
            actor: args.by,
            kind: 'filing_restored',
            detail: {
              ticket_id: args.ticket_id,
              text: `参保地协同人员按备案记录恢复了备案（问题协同 ${args.ticket_id}）`,
            },
          },
        ]);
        return {
          outcome: `已按备案记录恢复备案 ${lost.id}（${dateOf(lost.begndate)} 起有效），已通知就医地重新结算`,
          unstuck: true,
        };
      });
    },

    /**
     * resend_filing: the active filing is sent to the treatment place again (it never received it): a
     * `filing_transmission` row (when, to which province, by whom, for which ticket; once per action)
     * and a `filing_resent` event on the filing's timeline, in one transaction.
     */
    async resendFiling(args: {
      ticket_id: string;
      action_id: string;
      psn_no: string;
      mdtrtarea_admvs: string;
      begntime: string;
      by: string;
    }): Promise<ActionOutcome> {
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const { covering } = await coveringFiling(
          trx,
          args.psn_no,
          args.mdtrtarea_admvs,
          cstDate(Date.parse(args.begntime)),
        );
        if (!covering)
          return {
            outcome: '参保地没有覆盖本次住院的有效备案可重新上传；如备案被误删请选择“恢复备案”',
            unstuck: false,
          };
        const target_admdvs = provinceOf(args.mdtrtarea_admvs);
        await trx('filing_transmission')
          .insert({
            transmission_id: args.action_id,
            filing_id: covering.id,
            ticket_id: args.ticket_id,
            target_admdvs,
            sent_by: args.by,
            sent_at: new Date(),
          })
          .onConflict('transmission_id')
          .ignore();
        const sent = await trx('filing_transmission').where({ transmission_id: args.action_id }).first();
        const at = new Date(sent.sent_at).toISOString();
        await insertEvents(trx, covering.id, [
          {
            id: `${covering.id}:${args.action_id}:resent`,
            at,
            actor: args.by,
            kind: 'filing_resent',
            detail: {
              ticket_id: args.ticket_id,
              target_admdvs,
              text: `参保地协同人员向就医地（${target_admdvs}）重新上传了备案（问题协同 ${args.ticket_id}）`,
            },
          },
        ]);
        await trx('filing').where({ id: covering.id }).update({ updated_at: new Date() });
        return {
          outcome: `已于 ${at} 向就医地（${target_admdvs}）重新上传备案 ${covering.id}，已通知就医地重新结算`,
          unstuck: true,
          recorded: { filing_id: covering.id, target_admdvs, sent_at: at },
        };
      });
    },

    /** correct_person: one field of the person, from the insured place's own records. */
    async correctPerson(args: { psn_no: string; field: string; value: string }): Promise<ActionOutcome> {
      const allowed = TICKET_PERSON_FIELDS[args.field];
      if (allowed === undefined || (allowed !== null && !allowed.includes(args.value)))
        throw invalid(`person field ${args.field} cannot be set to that value`);
      // The value before, read and replaced under one row lock, so the action says what it changed.
      const old = await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const row = await trx('insured_person').where({ psn_no: args.psn_no }).forUpdate().first(args.field);
        if (!row) return undefined;
        await trx('insured_person')
          .where({ psn_no: args.psn_no })
          .update({ [args.field]: args.value });
        return String(row[args.field] ?? '');
      });
      if (old === undefined) return { outcome: `未找到参保人 ${args.psn_no}，未更正`, unstuck: false };
      return {
        outcome: `已更正参保人信息（${PERSON_FIELD_NAMES[args.field] ?? args.field}：由“${old}”更正为“${args.value}”），已通知就医地重新结算`,
        unstuck: true,
        recorded: { old_value: old },
      };
    },

    /**
     * remap_catalogue: the hospital's code is mapped to the national code at the treatment place, and
     * the stay's fee lines with that hospital code take the national code (the next settlement reads it).
     */
    async remapCatalogue(args: {
      ticket_id: string;
      mdtrt_id: string;
      fixmedins_code: string;
      mdtrtarea_admvs: string;
      medins_list_codg: string;
      med_list_codg: string;
      by: string;
    }): Promise<ActionOutcome> {
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        await trx('catalogue_mapping')
          .insert({
            fixmedins_code: args.fixmedins_code,
            medins_list_codg: args.medins_list_codg,
            admvs: args.mdtrtarea_admvs,
            med_list_codg: args.med_list_codg,
            mapped_by: args.by,
            ticket_id: args.ticket_id,
            updated_at: new Date(),
          })
          .onConflict(['fixmedins_code', 'medins_list_codg'])
          .merge(['med_list_codg', 'mapped_by', 'ticket_id', 'updated_at']);
        const lines = await trx('fee_detail')
          .where({ mdtrt_id: args.mdtrt_id, medins_list_codg: args.medins_list_codg, status: 'ACTIVE' })
          .update({ med_list_codg: args.med_list_codg });
        return {
          outcome: `已将医院项目 ${args.medins_list_codg} 对照为医保编码 ${args.med_list_codg}（本次住院 ${lines} 条费用），已通知重新结算`,
          unstuck: true,
        };
      });
    },
  };
}

const dateOf = dateText;

const PERSON_FIELD_NAMES: Record<string, string> = {
  insu_status: '参保状态',
  psn_type: '人员类别',
  psn_name: '姓名',
};

/** The person's latest revoked or cancelled filing whose validity covers the admission date. */
async function lostFiling(
  trx: Knex.Transaction,
  psn_no: string,
  area: string,
  admDate: string,
): Promise<{ id: string; begndate: string | Date } | undefined> {
  const rows: { id: string; begndate: string | Date; mdtrtarea_admdvs: string }[] = await trx('filing')
    .where({ psn_no })
    .whereIn('status', ['REVOKED', 'CANCELLED'])
    .where('begndate', '<=', admDate)
    .andWhere((q) => q.whereNull('enddate').orWhere('enddate', '>=', admDate))
    .orderBy('updated_at', 'desc')
    .select('id', 'begndate', 'mdtrtarea_admdvs');
  return rows.find((f) => filingCoversArea(f.mdtrtarea_admdvs, area));
}
