import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { Side } from '../cases';
import { CLEARING_REFUSALS, type ClearingPairState } from '../cases/clearing';
import { moveAdvanceFund } from '../db/advance-funds';
import { monthItems } from '../db/clearing';
import { clearingHolds, markClearingHolds, type PairHolds } from '../db/clearing-holds';
import {
  type ClearingHold,
  clearingStatements,
  type PairStatement,
  pairIdOf,
} from '../settlement/clearing-statement';
import type { ActivityDeps } from './deps';
import { trxOf } from './projection';

/**
 * The statements of a month over the settlements table and the fee-check holds of each pair (a pair
 * with holds only has a statement too), with the holds' marks to write with the statements written.
 */
async function computeMonth(
  em: EntityManager,
  trx: Knex.Transaction,
  clr_month: string,
  pair_ids?: string[],
) {
  const items = await monthItems(trx, clr_month);
  const byPair = await clearingHolds(em, clr_month, pair_ids);
  const holds: Record<string, ClearingHold[]> = {};
  for (const [id, h] of Object.entries(byPair)) if (h.holds.length > 0) holds[id] = h.holds;
  return { statements: clearingStatements(items, holds), holds: byPair };
}

const marksOf = (holds: Record<string, PairHolds>, pair_id: string) => holds[pair_id]?.marks ?? [];

async function writeStatement(
  trx: Knex.Transaction,
  clr_month: string,
  s: PairStatement,
  round: number,
  at: Date,
): Promise<void> {
  await trx('clearing_statement')
    .insert({
      clr_month,
      pair_id: s.pair_id,
      insured_prov: s.insured_prov,
      treatment_prov: s.treatment_prov,
      status: 'GENERATED',
      round,
      settlements: s.settlements,
      reversals: s.reversals,
      owed: s.owed,
      held_back: s.held_back,
      recovered: s.recovered,
      released: s.released,
      net_transfer: s.net_transfer,
      confirm_due: null,
      generated_at: at,
      updated_at: at,
    })
    .onConflict(['clr_month', 'pair_id'])
    .merge([
      'status',
      'round',
      'settlements',
      'reversals',
      'owed',
      'held_back',
      'recovered',
      'released',
      'net_transfer',
      'confirm_due',
      'generated_at',
      'updated_at',
    ]);
  await trx('clearing_line').where({ clr_month, pair_id: s.pair_id }).delete();
  if (s.lines.length > 0)
    await trx('clearing_line').insert(s.lines.map((l) => ({ clr_month, pair_id: s.pair_id, ...l })));
}

/** Sets the month's draw on the pair's advance to `owed`: the difference to what earlier rounds drew. */
async function drawForMonth(
  trx: Knex.Transaction,
  clr_month: string,
  s: PairStatement,
  round: number,
  at: Date,
) {
  const drawn = await trx('advance_fund_event')
    .where({ pair_id: s.pair_id, clr_month, event: 'drawn' })
    .sum({ total: 'amount' })
    .first();
  const delta = s.owed - Number(drawn?.total ?? 0);
  if (delta === 0 && round > 1) return;
  await moveAdvanceFund(trx, {
    pair_id: s.pair_id,
    key: `draw:${clr_month}:${s.pair_id}:r${round}`,
    event: 'drawn',
    clr_month,
    amount: delta,
    at,
  });
}

const stateOf = (s: PairStatement, round: number): ClearingPairState => ({
  pair_id: s.pair_id,
  insured_prov: s.insured_prov,
  treatment_prov: s.treatment_prov,
  status: 'GENERATED',
  round,
  net_transfer: s.net_transfer,
  confirmed: [],
  task_ids: {},
  confirm_due: null,
});

export function clearingActivities({ orm }: ActivityDeps) {
  return {
    /**
     * The month's statements, written once per month: the run row's key refuses a second run of the
     * month (CLEARING_MONTH_DONE); a retry of this run's own activity reads back what it wrote.
     */
    async generateClearing(i: {
      clr_month: string;
      requested_by: string;
      workflow_id: string;
      run_id: string;
    }): Promise<ClearingPairState[]> {
      const em = orm.em.fork();
      return em.transactional(async (tx) => {
        const trx = trxOf(tx);
        const at = new Date();
        const inserted = await trx('clearing_run')
          .insert({
            clr_month: i.clr_month,
            workflow_id: i.workflow_id,
            run_id: i.run_id,
            requested_by: i.requested_by,
            status: 'RUNNING',
            created_at: at,
            updated_at: at,
          })
          .onConflict('clr_month')
          .ignore()
          .returning('run_id');
        if (inserted.length === 0) {
          const run = await trx('clearing_run').where({ clr_month: i.clr_month }).first();
          if (run?.run_id !== i.run_id) {
            throw ApplicationFailure.create({
              type: CLEARING_REFUSALS.MONTH_DONE,
              message: `${i.clr_month} 已清算（${run?.workflow_id}），不能再次清算`,
              nonRetryable: true,
            });
          }
          const rows = await trx('clearing_statement').where({ clr_month: i.clr_month }).orderBy('pair_id');
          return rows.map((r) => ({
            pair_id: r.pair_id,
            insured_prov: r.insured_prov,
            treatment_prov: r.treatment_prov,
            status: 'GENERATED' as const,
            round: r.round,
            net_transfer: Number(r.net_transfer),
            confirmed: [],
            task_ids: {},
            confirm_due: null,
          }));
        }
        const { statements, holds } = await computeMonth(tx, trx, i.clr_month);
        for (const s of statements) {
          await writeStatement(trx, i.clr_month, s, 1, at);
          await drawForMonth(trx, i.clr_month, s, 1, at);
          await markClearingHolds(trx, marksOf(holds, s.pair_id));
        }
        return statements.map((s) => stateOf(s, 1));
      });
    },

    /**
     * A dispute's re-clear: the pair's statement computed again (new holds, late rows), a new round.
     * Its net is taken against the opposite direction's statement as stored, and that statement's net
     * is set to the negation, so the two directions stay netted against each other.
     */
    async reclearPair(i: { clr_month: string; pair_id: string; round: number }): Promise<
      ClearingPairState & {
        opposite?: { pair_id: string; net_transfer: number; round?: number; reopened?: boolean };
      }
    > {
      const em = orm.em.fork();
      return em.transactional(async (tx) => {
        const trx = trxOf(tx);
        const at = new Date();
        const { statements, holds } = await computeMonth(tx, trx, i.clr_month, [i.pair_id]);
        const [insured_prov, treatment_prov] = i.pair_id.split('-') as [string, string];
        const computed: PairStatement = statements.find((x) => x.pair_id === i.pair_id) ?? {
          pair_id: i.pair_id,
          insured_prov,
          treatment_prov,
          lines: [],
          settlements: 0,
          reversals: 0,
          owed: 0,
          held_back: 0 as PairStatement['held_back'],
          recovered: 0 as PairStatement['recovered'],
          released: 0 as PairStatement['released'],
          due: 0,
          net_transfer: 0,
          setl_ids: [],
        };
        const opposite_id = pairIdOf(treatment_prov, insured_prov);
        const opp = await trx('clearing_statement')
          .where({ clr_month: i.clr_month, pair_id: opposite_id })
          .forUpdate()
          .first();
        const oppDue = opp
          ? Number(opp.owed) - Number(opp.held_back) + Number(opp.released) - Number(opp.recovered)
          : 0;
        const s: PairStatement = { ...computed, net_transfer: computed.due - oppDue };
        const changed = opp && Number(opp.net_transfer) !== -s.net_transfer;
        const closed = opp && (opp.status === 'TRANSFERRED' || opp.status === 'RECONCILED');
        // A closed opposite direction was paid (or netted to nothing) on its net: what it pays cannot
        // change now. A net that stays at or below zero pays nothing either way: only its figure moves.
        const pays = (net: number) => Math.max(net, 0);
        if (closed && pays(Number(opp.net_transfer)) !== pays(-s.net_transfer))
          throw ApplicationFailure.create({
            type: CLEARING_REFUSALS.OPPOSITE_CLOSED,
            message: `重新清算会使反方向清算单 ${opposite_id}（已${opp.status === 'RECONCILED' ? '对账' : '拨付'}）的轧差净额由 ${opp.net_transfer} 变为 ${-s.net_transfer}（分），不能重新清算`,
            nonRetryable: true,
          });
        await writeStatement(trx, i.clr_month, s, i.round, at);
        await drawForMonth(trx, i.clr_month, s, i.round, at);
        await markClearingHolds(trx, marksOf(holds, s.pair_id));
        if (!opp) return stateOf(s, i.round);
        // Its sides confirmed another figure: the opposite direction is confirmed again, in a new round.
        const reopened = Boolean(changed) && !closed;
        const round = reopened ? Number(opp.round) + 1 : Number(opp.round);
        await trx('clearing_statement')
          .where({ clr_month: i.clr_month, pair_id: opposite_id })
          .update({
            net_transfer: -s.net_transfer,
            updated_at: at,
            ...(reopened ? { round, status: 'GENERATED', confirm_due: null } : {}),
          });
        if (reopened)
          await trx('human_task')
            .where({ case_id: `clearing-${i.clr_month}-${opposite_id}`, kind: 'clearing_confirm' })
            .whereIn('status', ['open', 'claimed', 'escalated'])
            .update({ status: 'cancelled', version: trx.raw('version + 1') });
        return {
          ...stateOf(s, i.round),
          opposite: { pair_id: opposite_id, net_transfer: -s.net_transfer, round, reopened },
        };
      });
    },

    /** A round's two confirmation rows (one per side, with its task) and the statement's deadline. */
    async openClearingRound(i: {
      clr_month: string;
      pair_id: string;
      round: number;
      confirm_due: string;
      sides: { side: Side; prov_admdvs: string; task_id: string }[];
    }): Promise<void> {
      const knex = orm.em.getKnex();
      await knex.transaction(async (trx) => {
        await trx('clearing_confirmation')
          .insert(
            i.sides.map((s) => ({
              clr_month: i.clr_month,
              pair_id: i.pair_id,
              round: i.round,
              side: s.side,
              prov_admdvs: s.prov_admdvs,
              task_id: s.task_id,
              confirmed_by: null,
              confirmed_at: null,
            })),
          )
          .onConflict(['clr_month', 'pair_id', 'round', 'side'])
          .ignore();
        await trx('clearing_statement')
          .where({ clr_month: i.clr_month, pair_id: i.pair_id })
          .update({ confirm_due: new Date(i.confirm_due), updated_at: new Date() });
      });
    },

    /** What an accepted action did, written once: the confirmation, dispute or transfer, the tasks, the status. */
    async recordClearingAction(a: {
      clr_month: string;
      pair_id: string;
      round: number;
      action: 'confirm' | 'dispute' | 'transfer';
      side: Side;
      user: string;
      at: string;
      status: string;
      task_ids: Partial<Record<Side, string>>;
      reason?: string | null;
      fee_check_ids?: string[];
      ticket_ids?: string[];
      reference?: string | null;
      amount?: number;
    }): Promise<void> {
      const knex = orm.em.getKnex();
      const at = new Date(a.at);
      const key = { clr_month: a.clr_month, pair_id: a.pair_id };
      await knex.transaction(async (trx) => {
        if (a.action === 'confirm') {
          await trx('clearing_confirmation')
            .where({ ...key, round: a.round, side: a.side })
            .whereNull('confirmed_by')
            .update({ confirmed_by: a.user, confirmed_at: at });
          const task = a.task_ids[a.side];
          if (task) await decideTask(trx, task, 'approve', null, a.user, at);
        } else if (a.action === 'dispute') {
          await trx('clearing_dispute')
            .insert({
              ...key,
              round: a.round,
              side: a.side,
              reason: a.reason ?? '',
              fee_check_ids: JSON.stringify(a.fee_check_ids ?? []),
              ticket_ids: JSON.stringify(a.ticket_ids ?? []),
              disputed_by: a.user,
              disputed_at: at,
            })
            .onConflict(['clr_month', 'pair_id', 'round'])
            .ignore();
          for (const [side, task] of Object.entries(a.task_ids)) {
            if (side === a.side) await decideTask(trx, task, 'reject', a.reason ?? null, a.user, at);
            else
              await trx('human_task')
                .where({ id: task })
                .whereIn('status', ['open', 'claimed', 'escalated'])
                .update({ status: 'cancelled', version: trx.raw('version + 1') });
          }
        } else {
          await trx('clearing_transfer')
            .insert({
              ...key,
              amount: a.amount ?? 0,
              reference: a.reference ?? '',
              transferred_by: a.user,
              transferred_at: at,
              reconciled_at: null,
            })
            .onConflict(['clr_month', 'pair_id'])
            .ignore();
        }
        await trx('clearing_statement').where(key).update({ status: a.status, updated_at: at });
      });
    },

    /** The transferred pair's reconciliation (reconcileIn below). */
    async reconcilePair(i: {
      clr_month: string;
      pair_id: string;
    }): Promise<{ reconciled: boolean; message: string }> {
      return orm.em.fork().transactional((tx) => reconcileIn(tx, i));
    },

    /**
     * The insured side's re-check (重新对账) or supplementary transfer (补拨/退回, added to the transfer)
     * on a flagged statement, written once by its action id, then the reconciliation again: matched,
     * the flag clears and the clearing_reconcile task is decided; else the flag says what still differs.
     */
    async recordReconcileAction(a: {
      action_id: string;
      clr_month: string;
      pair_id: string;
      action: 'recheck' | 'supplement' | 'ticket';
      amount: number;
      reference: string | null;
      user: string;
      at: string;
      task_id: string;
    }): Promise<{ reconciled: boolean; message: string }> {
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const at = new Date(a.at);
        const key = { clr_month: a.clr_month, pair_id: a.pair_id };
        const inserted = await trx('clearing_reconcile_action')
          .insert({
            action_id: a.action_id,
            ...key,
            action: a.action,
            amount: a.action === 'supplement' ? a.amount : 0,
            reference: a.reference,
            acted_by: a.user,
            acted_at: at,
            reconciled: false,
            problem: null,
          })
          .onConflict('action_id')
          .ignore()
          .returning('id');
        if (inserted.length > 0 && a.action === 'supplement')
          await trx('clearing_transfer')
            .where(key)
            .update({ amount: trx.raw('amount + ?', [a.amount]) });
        if (a.action === 'ticket') {
          // A ticket settles nothing by itself: the flag stays until a re-check matches.
          const st = await trx('clearing_statement').where(key).first();
          const message = String(st?.reconcile_problem ?? '');
          await trx('clearing_reconcile_action')
            .where({ action_id: a.action_id })
            .update({ problem: message });
          return { reconciled: false, message };
        }
        const r = await reconcileIn(tx, key);
        await trx('clearing_reconcile_action')
          .where({ action_id: a.action_id })
          .update({ reconciled: r.reconciled, problem: r.reconciled ? null : r.message });
        await trx('clearing_statement')
          .where(key)
          .update({ reconcile_problem: r.reconciled ? null : r.message, updated_at: at });
        if (r.reconciled) await decideTask(trx, a.task_id, 'approve', null, a.user, at);
        return r;
      });
    },

    /** A transferred statement that did not reconcile: why, on the statement (shown to both sides). */
    async flagReconcileMismatch(i: { clr_month: string; pair_id: string; problem: string }): Promise<void> {
      await orm.em
        .getKnex()('clearing_statement')
        .where({ clr_month: i.clr_month, pair_id: i.pair_id })
        .update({ reconcile_problem: i.problem, updated_at: new Date() });
    },

    async finishClearing({ clr_month }: { clr_month: string }): Promise<void> {
      await orm.em
        .getKnex()('clearing_run')
        .where({ clr_month })
        .update({ status: 'DONE', updated_at: new Date() });
    },
  };
}

/**
 * RECONCILED when the transfer equals the statement's net and the statement's lines still add up
 * to the settlements of the month (to the fen); the pair's advance is given back what the month drew.
 */
async function reconcileIn(
  tx: EntityManager,
  i: { clr_month: string; pair_id: string },
): Promise<{ reconciled: boolean; message: string }> {
  const trx = trxOf(tx);
  const key = { clr_month: i.clr_month, pair_id: i.pair_id };
  const st = await trx('clearing_statement').where(key).forUpdate().first();
  const tr = await trx('clearing_transfer').where(key).first();
  const lines = await trx('clearing_line').where(key).sum({ total: 'amount' }).first();
  const items = (await monthItems(trx, i.clr_month)).filter(
    (it) => clearingStatements([it])[0]?.pair_id === i.pair_id,
  );
  const fromSettlements = items.reduce(
    (s, it) => s + (it.kind === 'settle' ? 1 : -1) * (it.fund_pay_sumamt + it.acct_pay),
    0,
  );
  const problems: string[] = [];
  if (!st || !tr) problems.push('尚无拨付记录');
  else {
    const netPaid = Math.max(Number(st.net_transfer), 0);
    if (Number(tr.amount) !== netPaid)
      problems.push(`拨付金额 ${tr.amount} 与轧差净额 ${netPaid} 不符（分）`);
    if (Number(lines?.total ?? 0) !== Number(st.owed)) problems.push('清算明细合计与应付金额不符');
    if (Number(st.owed) !== fromSettlements) problems.push('清算金额与结算记录不符');
  }
  if (problems.length > 0) return { reconciled: false, message: problems.join('；') };
  const at = new Date();
  await trx('clearing_statement').where(key).update({ status: 'RECONCILED', updated_at: at });
  await trx('clearing_transfer').where(key).update({ reconciled_at: at });
  await moveAdvanceFund(trx, {
    pair_id: i.pair_id,
    key: `replenish:${i.clr_month}:${i.pair_id}`,
    event: 'replenished',
    clr_month: i.clr_month,
    amount: -Number(st?.owed ?? 0),
    at,
  });
  return { reconciled: true, message: '已对账' };
}

async function decideTask(
  trx: Knex.Transaction,
  id: string,
  decision: 'approve' | 'reject',
  reason: string | null,
  by: string,
  at: Date,
): Promise<void> {
  await trx('human_task')
    .where({ id })
    .whereIn('status', ['open', 'claimed', 'escalated'])
    .update({
      status: 'decided',
      decision,
      reason,
      decided_by: by,
      decided_at: at,
      version: trx.raw('version + 1'),
    });
}
