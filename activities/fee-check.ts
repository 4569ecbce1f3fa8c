import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type FeeCheckAnswer,
  type FeeCheckBatchStart,
  type FeeCheckBatchStatus,
  type FeeCheckConfirm,
  type FeeCheckStatus,
  feeCheckFreezeAt,
  feeCheckParamsFor,
  nextMonth,
} from '../cases';
import { openBatchFrom, recordFeeCheckEvent } from '../db/fee-checks';
import { type Fen, formatYuan, type Insutype } from '../settlement';
import { poolFundPayType } from '../settlement/fund-pay-type';
import type { ActivityDeps } from './deps';
import { trxOf } from './projection';

/** A check of a frozen batch as the workflow tracks it. */
export interface BatchedCheck {
  check_id: string;
  status: FeeCheckStatus;
  items: { feedetl_sn: string; det_item_fee_sumamt: number; answered: boolean }[];
}

async function checksOf(trx: Knex | Knex.Transaction, batch_id: string): Promise<BatchedCheck[]> {
  const checks = await trx('fee_check').where({ batch_id }).orderBy('check_id');
  const items = await trx('fee_check_item')
    .whereIn(
      'check_id',
      checks.map((c) => c.check_id as string),
    )
    .orderBy(['check_id', 'feedetl_sn']);
  return checks.map((c) => ({
    check_id: c.check_id,
    status: c.status,
    items: items
      .filter((i) => i.check_id === c.check_id)
      .map((i) => ({
        feedetl_sn: i.feedetl_sn,
        det_item_fee_sumamt: Number(i.det_item_fee_sumamt),
        answered: i.outcome !== null,
      })),
  }));
}

/** 费用协查's side effects: batch projection, freeze, answers, rollover, confirmation with its recovery. */
export function feeCheckActivities({ orm }: ActivityDeps) {
  const tx = <T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> =>
    orm.em.fork().transactional((em: EntityManager) => work(trxOf(em)));

  return {
    /** The batch's status and dates; checks in it that are answered get the confirmation due date. */
    async projectFeeCheckBatch(b: {
      batch_id: string;
      status: FeeCheckBatchStatus;
      frozen_at: string | null;
      answer_due: string | null;
      confirm_due: string | null;
    }): Promise<void> {
      await tx(async (trx) => {
        await trx('fee_check_batch').where({ batch_id: b.batch_id }).update({
          status: b.status,
          frozen_at: b.frozen_at,
          answer_due: b.answer_due,
          confirm_due: b.confirm_due,
          updated_at: new Date(),
        });
        if (b.confirm_due) {
          await trx('fee_check')
            .where({ batch_id: b.batch_id, status: 'ANSWERED' })
            .update({ confirm_due: b.confirm_due, updated_at: new Date() });
        }
      });
    },

    /** The freeze: the batch's REQUESTED and ROLLED_OVER checks become BATCHED with the answer due date. */
    async freezeFeeCheckBatch(b: {
      batch_id: string;
      frozen_at: string;
      answer_due: string;
    }): Promise<BatchedCheck[]> {
      return tx(async (trx) => {
        await trx('fee_check_batch').where({ batch_id: b.batch_id }).forUpdate();
        await trx('fee_check_batch').where({ batch_id: b.batch_id, status: 'OPEN' }).update({
          status: 'FROZEN',
          frozen_at: b.frozen_at,
          answer_due: b.answer_due,
          updated_at: new Date(),
        });
        await trx('fee_check')
          .where({ batch_id: b.batch_id })
          .whereIn('status', ['REQUESTED', 'ROLLED_OVER'])
          .update({ status: 'BATCHED', answer_due: b.answer_due, updated_at: new Date() });
        return checksOf(trx, b.batch_id);
      });
    },

    /** Records the answered items (each once: an item already answered keeps its answer). */
    async recordFeeCheckAnswer(a: FeeCheckAnswer): Promise<{ status: FeeCheckStatus }> {
      return tx(async (trx) => {
        for (const item of a.items) {
          await trx('fee_check_item')
            .where({ check_id: a.check_id, feedetl_sn: item.feedetl_sn })
            .whereNull('outcome')
            .update({
              outcome: item.outcome,
              reason: item.reason,
              amount: item.outcome === 'incorrect' ? item.amount : null,
              answered_by: a.by,
              answered_at: a.at,
            });
        }
        const open = await trx('fee_check_item').where({ check_id: a.check_id }).whereNull('outcome').first();
        const status: FeeCheckStatus = open ? 'BATCHED' : 'ANSWERED';
        const changed = await trx('fee_check')
          .where({ check_id: a.check_id, status: 'BATCHED' })
          .update({ status, updated_at: new Date() });
        if (status === 'ANSWERED' && changed > 0) {
          const check = await trx('fee_check').where({ check_id: a.check_id }).first();
          const items = await trx('fee_check_item').where({ check_id: a.check_id });
          const wrong = items.filter((i) => i.outcome === 'incorrect');
          const amount = wrong.reduce((sum, i) => sum + Number(i.amount ?? 0), 0);
          await recordFeeCheckEvent(trx, {
            check_id: a.check_id,
            mdtrt_id: check.mdtrt_id,
            step: 'answered',
            by: a.by,
            at: a.at,
            text:
              wrong.length === 0
                ? `就医地已答复费用协查：${items.length} 项费用均核查无误`
                : `就医地已答复费用协查：${items.length - wrong.length} 项核查无误，${wrong.length} 项核查有误（共 ${formatYuan(amount as Fen)} 元），待参保地确认`,
          });
        }
        return { status };
      });
    },

    /**
     * Checks not answered by the due date move to the pair's next open batch, flagged. A retry after
     * the commit finds them moved already and answers the batch they went to.
     */
    async rollOverFeeChecks(r: {
      batch_id: string;
      check_ids: string[];
      insured_prov: string;
      treatment_prov: string;
      month: string;
    }): Promise<{ batch_id: string; month: string }> {
      return tx(async (trx) => {
        const moved = await trx('fee_check')
          .whereIn('check_id', r.check_ids)
          .whereNot({ batch_id: r.batch_id })
          .first();
        if (moved) {
          const row = await trx('fee_check_batch').where({ batch_id: moved.batch_id }).first();
          return { batch_id: row.batch_id, month: row.month };
        }
        const next = await openBatchFrom(trx, {
          insured_prov: r.insured_prov,
          treatment_prov: r.treatment_prov,
          month: nextMonth(r.month),
        });
        await trx('fee_check').whereIn('check_id', r.check_ids).where({ batch_id: r.batch_id }).update({
          status: 'ROLLED_OVER',
          rolled_over: true,
          batch_id: next.batch_id,
          answer_due: null,
          updated_at: new Date(),
        });
        return next;
      });
    },

    /**
     * The insured side's confirmation: the confirmed 核查有误 amounts are recovered through the ledger
     * (the treatment place's receivable credited, the insured fund's payable debited), keyed by the
     * check (unique setl_id, seq), so a retried confirmation writes it once.
     */
    async confirmFeeCheck(c: FeeCheckConfirm): Promise<{ recovered: number }> {
      return tx(async (trx) => {
        const check = await trx('fee_check').where({ check_id: c.check_id }).forUpdate().first();
        const items = await trx('fee_check_item').where({ check_id: c.check_id, outcome: 'incorrect' });
        const recovered = items.reduce((sum, i) => sum + Number(i.amount ?? 0), 0);
        if (recovered > 0) {
          const posted_at = new Date(c.at);
          const entry = { setl_id: c.check_id, mdtrt_id: check.mdtrt_id, posted_at };
          await trx('ledger_entry')
            .insert([
              {
                ...entry,
                seq: 1,
                account: 'treatment_place_receivable',
                fund_pay_type: null,
                admdvs: check.mdtrtarea_admvs,
                debit: 0,
                credit: recovered,
              },
              {
                ...entry,
                seq: 2,
                account: 'insured_fund_payable',
                fund_pay_type: poolFundPayType(check.insutype as Insutype),
                admdvs: check.insuplc_admdvs,
                debit: recovered,
                credit: 0,
              },
            ])
            .onConflict(['setl_id', 'seq'])
            .ignore();
        }
        await trx('fee_check').where({ check_id: c.check_id, status: 'ANSWERED' }).update({
          status: 'CONFIRMED',
          recovered,
          confirmed_by: c.by,
          confirmed_at: c.at,
          updated_at: new Date(),
        });
        await recordFeeCheckEvent(trx, {
          check_id: c.check_id,
          mdtrt_id: check.mdtrt_id,
          step: 'confirmed',
          by: c.by,
          at: c.at,
          detail: { recovered },
          text:
            recovered > 0
              ? `参保地已确认费用协查结果：核查有误的 ${formatYuan(recovered as Fen)} 元由医保基金向医院追回`
              : '参保地已确认费用协查结果：费用核查无误',
        });
        return { recovered };
      });
    },

    /** Open batches whose freeze instant (by the insured province's freeze day) has passed. */
    async dueFeeCheckBatches({ at }: { at: string }): Promise<FeeCheckBatchStart[]> {
      const rows = await orm.em
        .fork()
        .getKnex()('fee_check_batch')
        .where({ status: 'OPEN' })
        .orderBy('batch_id');
      return rows
        .filter(
          (b) => feeCheckFreezeAt(b.month, feeCheckParamsFor(b.insured_prov).freeze_day) <= Date.parse(at),
        )
        .map((b) => ({
          batch_id: b.batch_id,
          insured_prov: b.insured_prov,
          treatment_prov: b.treatment_prov,
          month: b.month,
        }));
    },

    /** A batch's answer or confirmation task is done: no longer on anyone's list. */
    async completeFeeCheckTask(t: { id: string; by: string | null }): Promise<void> {
      await orm.em
        .fork()
        .getKnex()('human_task')
        .where({ id: t.id })
        .whereIn('status', ['open', 'claimed', 'escalated'])
        .update({ status: 'decided', decided_by: t.by, decided_at: new Date() });
    },
  };
}
