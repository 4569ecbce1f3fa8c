import { z } from 'zod';
import { parseYuan } from '../../settlement';
import * as p from './primitives';

/** 清算 and 预付金 request shapes (routes in api/coordination/clearing.ts). */

export const clrMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '清算月份应为 YYYY-MM，例如 2026-11');

/** A yuan amount as a decimal string with two decimals ("12.34") → integer fen, above zero. */
export const yuanAmount = z
  .string({ error: '金额应为带两位小数的字符串，例如 "12.34"' })
  .transform((v, ctx) => {
    const fen = parseYuan(v, 'amount');
    if (typeof fen !== 'number') {
      ctx.addIssue({ code: 'custom', message: `金额应为带两位小数的字符串，例如 "12.34"（收到 "${v}"）` });
      return z.NEVER;
    }
    if (fen <= 0) {
      ctx.addIssue({ code: 'custom', message: '金额须大于零' });
      return z.NEVER;
    }
    return fen as number;
  });

export const ClearingQuery = z.object({ clr_month: clrMonth.optional() });

export const ClearingRunRequest = z.object({ clr_month: clrMonth }).meta({ id: 'ClearingRunRequest' });

const ids = z.array(p.pathId).max(50);

export const ClearingDisputeRequest = z
  .object({
    reason: p.text({ max: 1000, min: 1, multiline: true, required: '请说明异议理由' }),
    fee_check_ids: ids.optional(),
    ticket_ids: ids.optional(),
  })
  .meta({ id: 'ClearingDisputeRequest' });

export const ClearingTransferRequest = z
  .object({ reference: p.text({ max: 100, min: 1, required: '请填写拨付凭证号' }) })
  .meta({ id: 'ClearingTransferRequest' });

/** 补拨 (> 0) or 退回 (< 0) on a flagged reconciliation, in fen, with the payment's reference. */
export const ClearingSupplementRequest = z
  .object({
    amount: z
      .number()
      .int('补拨金额须为整数分')
      .refine((n) => n !== 0 && Number.isSafeInteger(n), '补拨金额须为非零的整数分（退回为负数）'),
    reference: p.text({ max: 100, min: 1, required: '请填写拨付凭证号' }),
  })
  .meta({ id: 'ClearingSupplementRequest' });

/** A reconciliation_mismatch ticket for one settlement of a flagged statement. */
export const ClearingTicketRequest = z
  .object({
    setl_id: p.pathId,
    description: p.text({ max: 2000, min: 1, required: '请说明对账问题', multiline: true }).optional(),
  })
  .meta({ id: 'ClearingTicketRequest' });

export const AdvanceFundTopUpRequest = z
  .object({ amount: yuanAmount })
  .meta({ id: 'AdvanceFundTopUpRequest' });
