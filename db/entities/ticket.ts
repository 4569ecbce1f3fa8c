import { defineEntity, type InferEntity } from '@mikro-orm/core';
import {
  SIDES,
  type Side,
  TICKET_CATEGORY_NAMES,
  TICKET_STATUSES,
  type TicketSideView,
  type TicketStart,
  type TicketState,
} from '../../cases';

/**
 * 问题协同: one settlement-error ticket per failed settlement round of a stay, as last projected from
 * its `settlementError` workflow (`settlement-error-<ticket_id>`). The board and the ticket page read
 * this row; both provinces' coordinators see it. One definition: row type, snapshot and views.
 */
export const Ticket = defineEntity({
  name: 'Ticket',
  tableName: 'ticket',
  properties: (p) => ({
    ticket_id: p.string().length(64).primary(),
    mdtrt_id: p.string().length(40).index(),
    /** The stay's failed-settlement round this ticket is about (ticketId's two digits). */
    round: p.integer(),
    category: p.enum([...TICKET_CATEGORY_NAMES]),
    status: p.enum([...TICKET_STATUSES]),
    /** 第一响应人: the side that works the ticket first (changes on hand_over). */
    first_responder: p.enum([...SIDES]).$type<Side>(),
    /** Province codes (2 digits + 0000) of both sides: the scope filters on these. */
    insured_prov: p.string().length(6).index(),
    treatment_prov: p.string().length(6).index(),
    insuplc_admdvs: p.string().length(6),
    mdtrtarea_admvs: p.string().length(6),
    fixmedins_code: p.string().length(30),
    fixmedins_name: p.string().length(200),
    psn_no: p.string().length(30).index(),
    psn_name: p.string().length(100),
    description: p.text(),
    raised_by: p.json<TicketStart['raised_by']>(),
    raised_at: p.datetime(),
    /** The first responder's SLA. */
    sla_due_at: p.datetime(),
    closed_at: p.datetime().nullable(),
    sides: p.json<TicketSideView[]>(),
    retries: p.json<TicketState['retries']>(),
    updated_at: p.datetime(),
    /** The workflow's projection counter: an older snapshot never overwrites a newer one. */
    projection_seq: p.integer(),
  }),
  uniques: [{ properties: ['mdtrt_id', 'round'] }],
});
export type Ticket = InferEntity<typeof Ticket>;

/** A comment on a ticket by either side's coordinator, with the documents attached to it. */
export const TicketComment = defineEntity({
  name: 'TicketComment',
  tableName: 'ticket_comment',
  properties: (p) => ({
    comment_id: p.uuid().primary(),
    ticket_id: p.string().length(64).index(),
    side: p.enum([...SIDES]).$type<Side>(),
    author: p.string().length(64),
    text: p.text(),
    /** case_document ids (uploaded to the ticket first). */
    document_ids: p.json<string[]>(),
    created_at: p.datetime(),
  }),
});
export type TicketComment = InferEntity<typeof TicketComment>;

/**
 * A filing sent again to the treatment place (`resend_filing`): when, to which province, by whom and
 * for which ticket. One per ticket action (`transmission_id` is the action id), so a retry sends once.
 */
export const FilingTransmission = defineEntity({
  name: 'FilingTransmission',
  tableName: 'filing_transmission',
  properties: (p) => ({
    transmission_id: p.string().length(80).primary(),
    filing_id: p.string().length(64).index(),
    ticket_id: p.string().length(64).index(),
    /** The treatment place's province the filing was sent to. */
    target_admdvs: p.string().length(6),
    sent_by: p.string().length(64),
    sent_at: p.datetime(),
  }),
});
export type FilingTransmission = InferEntity<typeof FilingTransmission>;

/**
 * An action taken on a ticket, as the workflow applied it. `action_id` is the update id (the API's
 * Idempotency-Key or a generated one): the same action resent is recorded once.
 */
export const TicketActionRow = defineEntity({
  name: 'TicketActionRow',
  tableName: 'ticket_action',
  properties: (p) => ({
    action_id: p.string().length(80).primary(),
    ticket_id: p.string().length(64).index(),
    action: p.string().length(32),
    side: p.enum([...SIDES]).$type<Side>(),
    by: p.string().length(64),
    note: p.text().nullable(),
    params: p.json<Record<string, string>>(),
    /** What came of it, in Chinese. */
    outcome: p.text(),
    at: p.datetime(),
  }),
});
export type TicketActionRow = InferEntity<typeof TicketActionRow>;

/**
 * A hospital's own code mapped to the national code (目录对照) at a treatment place, written by the
 * treatment side's `remap_catalogue`: later fee lines of the hospital with that code use the mapping.
 */
export const CatalogueMapping = defineEntity({
  name: 'CatalogueMapping',
  tableName: 'catalogue_mapping',
  properties: (p) => ({
    fixmedins_code: p.string().length(30).primary(),
    medins_list_codg: p.string().length(50).primary(),
    admvs: p.string().length(6),
    med_list_codg: p.string().length(50),
    mapped_by: p.string().length(64),
    ticket_id: p.string().length(64).nullable(),
    updated_at: p.datetime(),
  }),
});
export type CatalogueMapping = InferEntity<typeof CatalogueMapping>;
