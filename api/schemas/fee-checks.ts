import { z } from 'zod';
import { FEE_CHECK_OUTCOMES, FEE_CHECK_STATUSES } from '../../cases';
import { amount } from './national';
import * as p from './primitives';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM，例如 2026-12');
const feedetlSn = z.string().regex(/^[\x21-\x7e]{1,40}$/, '费用明细流水号应为 1–40 位字母、数字或符号');

export const FeeCheckQuery = z.object({
  month: month.optional(),
  status: z.enum(FEE_CHECK_STATUSES).optional(),
});
export const FeeCheckCandidateQuery = z.object({
  q: z.string().trim().min(1, '请输入结算ID或人员编号').max(40),
});
export const FeeCheckBatchQuery = z.object({ month: month.optional() });

export const FeeCheckCreate = z
  .object({
    setl_id: p.mdtrtId,
    reason: p.text({ max: 1000, min: 1, multiline: true, required: '请填写协查原因' }),
    feedetl_sns: z.array(feedetlSn).min(1, '至少选择一项费用明细').max(500).optional(),
  })
  .meta({ id: 'FeeCheckCreate' });

export const FeeCheckAnswerBody = z
  .object({
    items: z
      .array(
        z.object({
          feedetl_sn: feedetlSn,
          outcome: z.enum(FEE_CHECK_OUTCOMES),
          reason: p.text({ max: 1000, multiline: true }).optional(),
          /** 核查有误: the amount wrongly charged, a yuan string ("12.34"). */
          amount: amount.optional(),
        }),
      )
      .min(1, '至少答复一项费用明细')
      .max(500),
  })
  .meta({ id: 'FeeCheckAnswer' });

export const FeeCheckFreezeBody = z.object({ month }).meta({ id: 'FeeCheckFreeze' });
