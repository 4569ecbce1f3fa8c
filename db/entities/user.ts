import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const ROLES = ['citizen', 'staff', 'supervisor', 'coordinator', 'hospital'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A person who logs in, by role: a citizen is one insured person; staff, supervisors and coordinators
 * work for one province's agency; a hospital user belongs to one hospital. The database enforces the
 * same with a check constraint (and `api/auth` narrows the row to `AuthUser` by role).
 */
export const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: (p) => ({
    id: p.uuid().primary(),
    username: p.string().length(64).unique(),
    display_name: p.string().length(64),
    role: p.enum([...ROLES]),
    prov_admdvs: p.string().length(6).nullable(),
    psn_no: p.string().length(30).nullable(),
    fixmedins_code: p.string().length(30).nullable(),
    password_hash: p.text(),
    created_at: p.datetime().onCreate(() => new Date()),
  }),
  checks: [
    {
      name: 'app_user_scope_check',
      // Written as PostgreSQL prints it back, so the schema diff sees no change.
      expression:
        "((role = 'citizen'::text) AND (psn_no IS NOT NULL)) OR ((role = 'hospital'::text) AND (fixmedins_code IS NOT NULL)) OR ((role = ANY (ARRAY['staff'::text, 'supervisor'::text, 'coordinator'::text])) AND (prov_admdvs IS NOT NULL))",
    },
  ],
});
export type User = InferEntity<typeof User>;
