import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilingCategory, FilingStatus, ReferralStatus } from '../cases';
import { Referral } from '../db/entities';
import type { ActivityDeps } from './deps';

export interface EventRow {
  id: string;
  at: string;
  actor: string;
  kind: string;
  detail: Record<string, unknown>;
}

export interface FilingSnapshot {
  id: string;
  psn_no: string;
  insuplc_admdvs: string;
  prov_admdvs: string;
  category: FilingCategory;
  status: FilingStatus;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  begndate: string;
  enddate: string | null;
  commitment: boolean;
  deemed: boolean;
  retro: boolean;
  trt_dcla_detl_sn: string | null;
  effective_at: string | null;
  reason: string | null;
  memo: string | null;
  form: Record<string, unknown>;
  updated_at: string;
  projection_seq: number;
}

export interface ReferralSnapshot {
  id: string;
  filing_id: string;
  psn_no: string;
  prov_admdvs: string;
  status: ReferralStatus;
  refl_fil_type: string;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  trt_dcla_detl_sn: string | null;
  reason: string | null;
  memo: string | null;
  escalated: boolean;
  summary: Record<string, unknown>;
  updated_at: string;
  projection_seq: number;
}

async function insertEvents(em: EntityManager, case_id: string, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await em
    .getKnex()('case_event')
    .insert(events.map((e) => ({ ...e, case_id, at: new Date(e.at), detail: JSON.stringify(e.detail) })))
    // A retried activity writes the same ids again: keep the first.
    .onConflict('id')
    .ignore();
}

/**
 * Copies workflow state into PostgreSQL after each step (list views read these rows, never the
 * workflow). Snapshots carry the workflow's counter, so a late retry of an older one changes nothing.
 */
export function projectionActivities({ orm }: ActivityDeps) {
  return {
    async projectFiling({ filing, events }: { filing: FilingSnapshot; events: EventRow[] }): Promise<void> {
      const em = orm.em.fork();
      await em.transactional(async (tx) => {
        const values = {
          ...filing,
          effective_at: filing.effective_at ? new Date(filing.effective_at) : null,
          updated_at: new Date(filing.updated_at),
        };
        const { id, ...rest } = values;
        const cols = Object.keys(rest);
        const knex = tx.getKnex();
        await knex('filing')
          .insert({ id, ...rest, form: JSON.stringify(filing.form), created_at: values.updated_at })
          .onConflict('id')
          .merge(cols)
          .where('filing.projection_seq', '<', filing.projection_seq);
        await insertEvents(tx, filing.id, events);
      });
    },
    async projectReferral({
      referral,
      case_id,
      events,
    }: {
      referral: ReferralSnapshot;
      case_id: string;
      events: EventRow[];
    }): Promise<void> {
      const em = orm.em.fork();
      await em.transactional(async (tx) => {
        const { id, ...rest } = { ...referral, updated_at: new Date(referral.updated_at) };
        await tx
          .getKnex()('referral')
          .insert({ id, ...rest, summary: JSON.stringify(referral.summary) })
          .onConflict('id')
          .merge(Object.keys(rest))
          .where('referral.projection_seq', '<', referral.projection_seq);
        await insertEvents(tx, case_id, events);
      });
    },
    /** 2502: the referral's own row follows its filing's revocation. */
    async markReferralRevoked({ id, memo }: { id: string; memo: string }): Promise<void> {
      const em = orm.em.fork();
      await em.nativeUpdate(Referral, { id }, { status: 'REVOKED', memo, updated_at: new Date() });
    },
  };
}
