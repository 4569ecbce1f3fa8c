import { z } from 'zod';
import { SIDES, TICKET_CATEGORY_NAMES, TICKET_STATUSES } from '../../cases';
import * as p from './primitives';

/** 问题协同 request shapes (routes.md): validation for api/coordination/tickets.ts and the OpenAPI document. */

const prov = z.string().regex(/^\d{2}0000$/, '请填写省级行政区划代码，例如 340000');

export const TicketQuery = z.object({
  insured_prov: prov.optional(),
  treatment_prov: prov.optional(),
  category: z.enum(TICKET_CATEGORY_NAMES).optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  sla_state: z.enum(['on_time', 'due_soon', 'overdue', 'met']).optional(),
  first_responder: z.enum(SIDES).optional(),
});

export const TicketCreate = z
  .object({
    mdtrt_id: p.mdtrtId,
    category: z.enum(TICKET_CATEGORY_NAMES),
    description: p.text({ max: 2000, min: 1, required: '请说明结算遇到的问题', multiline: true }),
  })
  .meta({ id: 'TicketCreate' });

export const TicketCommentCreate = z
  .object({
    text: p.text({ max: 4000, min: 1, required: '请填写评论内容', multiline: true }),
    document_ids: z.array(z.uuid('附件编号格式不正确')).max(20).default([]),
  })
  .meta({ id: 'TicketCommentCreate' });

export const TicketActionCreate = z
  .object({
    /** A key of TICKET_ACTIONS; an unknown one is answered TICKET_ACTION_UNKNOWN. */
    action: z.string().regex(/^[a-z_]{1,32}$/, '操作名称应为小写字母和下划线'),
    note: p.text({ max: 1000, multiline: true }).nullable().optional(),
    params: z.record(z.string().max(32), z.string().max(64)).default({}),
  })
  .meta({ id: 'TicketActionCreate' });

/** X-Filename of an attachment: a plain file name (URL-encoded when not ASCII). */
export const AttachmentName = z
  .string()
  .min(1, '请在 X-Filename 中给出文件名')
  .max(200, '文件名不能超过 200 个字符')
  .refine((n) => !/[\\/]/.test(n), '文件名不能包含路径');
