/**
 * 费用协查 parameters per insured province (brief §7 [U]: working assumptions, as data) and the messages
 * of the `feeCheckBatch` workflow. The statuses and views are in `coordination.ts`. Pure.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { addMonths, cstDate, cstStartOf } from './calendar';
import type { FeeCheckBatchStatus, FeeCheckOutcome, FeeCheckStatus } from './coordination';

export interface FeeCheckParams {
  /** A settlement is eligible at or above this medfee_sumamt, in fen (issue 13: "e.g. ≥ 30,000 yuan"). */
  threshold: number;
  /** The month's requests freeze into a batch at 00:00 CST of this day of the month (1–28). */
  freeze_day: number;
  /** The treatment side answers within this many working days of the freeze. */
  answer_working_days: number;
  /** The insured side confirms within this many working days of the answers. */
  confirm_working_days: number;
}

export const DEFAULT_FEE_CHECK_PARAMS: FeeCheckParams = {
  threshold: 3_000_000,
  freeze_day: 25,
  answer_working_days: 10,
  confirm_working_days: 5,
};

/** Per insured province overrides of DEFAULT_FEE_CHECK_PARAMS (none known yet). */
export const PROVINCE_FEE_CHECK_PARAMS: Readonly<Record<string, Partial<FeeCheckParams>>> = {};

export function feeCheckParamsFor(insured_prov: string): FeeCheckParams {
  return { ...DEFAULT_FEE_CHECK_PARAMS, ...PROVINCE_FEE_CHECK_PARAMS[insured_prov] };
}

/** One check per settlement: `FC` + setl_id (also the key of its recovery in the ledger). */
export function feeCheckId(setl_id: string): string {
  return `FC${setl_id}`;
}

/** `YYYY-MM` after `month`. */
export function nextMonth(month: string): string {
  return addMonths(`${month}-01`, 1).slice(0, 7);
}

/** The instant a month's batch freezes: 00:00 CST of its freeze day. */
export function feeCheckFreezeAt(month: string, freeze_day: number): number {
  return cstStartOf(`${month}-${String(freeze_day).padStart(2, '0')}`);
}

/** The batch month a request made at `ms` goes into: this month before the freeze day, else the next. */
export function feeCheckMonthOf(ms: number, freeze_day: number): string {
  const date = cstDate(ms);
  const month = date.slice(0, 7);
  return ms < feeCheckFreezeAt(month, freeze_day) ? month : nextMonth(month);
}

export interface FeeCheckBatchStart {
  batch_id: string;
  insured_prov: string;
  treatment_prov: string;
  month: string;
}

/** The treatment side's answer to some items of one check; `answer_id` is the update id. */
export interface FeeCheckAnswer {
  answer_id: string;
  check_id: string;
  items: { feedetl_sn: string; outcome: FeeCheckOutcome; reason: string | null; amount: number | null }[];
  by: string;
  at: string;
}

export interface FeeCheckConfirm {
  check_id: string;
  by: string;
  at: string;
}

export interface FeeCheckBatchState {
  batch_id: string;
  status: FeeCheckBatchStatus;
  frozen_at: string | null;
  answer_due: string | null;
  confirm_due: string | null;
  checks: {
    check_id: string;
    status: FeeCheckStatus;
    /** Each item's line amount (fen) and whether it is answered. */
    items: { feedetl_sn: string; det_item_fee_sumamt: number; answered: boolean }[];
  }[];
}

/** Why the batch refuses a message: the ApplicationFailure type and the problem code (409). */
export const FEE_CHECK_REFUSALS = {
  FEE_CHECK_BATCH_NOT_OPEN: 'FEE_CHECK_BATCH_NOT_OPEN',
  FEE_CHECK_NOT_FROZEN: 'FEE_CHECK_NOT_FROZEN',
  FEE_CHECK_BATCH_CLOSED: 'FEE_CHECK_BATCH_CLOSED',
  FEE_CHECK_ALREADY_ANSWERED: 'FEE_CHECK_ALREADY_ANSWERED',
  FEE_CHECK_NOT_ANSWERED: 'FEE_CHECK_NOT_ANSWERED',
  FEE_CHECK_ALREADY_CONFIRMED: 'FEE_CHECK_ALREADY_CONFIRMED',
  FEE_CHECK_AMOUNT_INVALID: 'FEE_CHECK_AMOUNT_INVALID',
} as const;
export type FeeCheckRefusal = (typeof FEE_CHECK_REFUSALS)[keyof typeof FEE_CHECK_REFUSALS];

/** Staff freeze the month now (the batch's own timer does it on the freeze day). */
export const feeCheckFreezeUpdate = defineUpdate<FeeCheckBatchState, [{ by: string }]>('feeCheckFreeze');
export const feeCheckAnswerUpdate = defineUpdate<FeeCheckBatchState, [FeeCheckAnswer]>('feeCheckAnswer');
export const feeCheckConfirmUpdate = defineUpdate<FeeCheckBatchState, [FeeCheckConfirm]>('feeCheckConfirm');
export const feeCheckBatchStateQuery = defineQuery<FeeCheckBatchState>('feeCheckBatchState');
/** The monthly sweep's freeze (a schedule cannot wait for an answer); the same as the staff's update. */
export const feeCheckFreezeSignal = defineSignal<[{ by: string }]>('feeCheckFreeze');

/** The Temporal Schedule that sweeps the open batches due to freeze (created at start, idempotently). */
export const FEE_CHECK_SCHEDULE_ID = 'fee-check-monthly';
