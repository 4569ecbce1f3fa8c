import { EntitySchema } from '@mikro-orm/core';

export const ROLES = ['citizen', 'staff', 'supervisor', 'coordinator', 'hospital'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who a user acts as, by role: a citizen is one insured person; staff, supervisors and
 * coordinators work for one province's agency; a hospital user belongs to one hospital.
 * The database enforces the same with a check constraint.
 */
export type UserScope =
  | { role: 'citizen'; psn_no: string }
  | { role: 'staff' | 'supervisor' | 'coordinator'; prov_admdvs: string }
  | { role: 'hospital'; fixmedins_code: string };

export class User {
  id!: string;
  username!: string;
  display_name!: string;
  role!: Role;
  prov_admdvs!: string | null;
  psn_no!: string | null;
  fixmedins_code!: string | null;
  password_hash!: string;
  created_at!: Date;

  /** The user's scope as a value whose type says which fields exist for the role. */
  scope(): UserScope {
    switch (this.role) {
      case 'citizen':
        return { role: this.role, psn_no: required(this.psn_no, 'psn_no') };
      case 'hospital':
        return { role: this.role, fixmedins_code: required(this.fixmedins_code, 'fixmedins_code') };
      default:
        return { role: this.role, prov_admdvs: required(this.prov_admdvs, 'prov_admdvs') };
    }
  }
}

function required(value: string | null, field: string): string {
  if (value === null) throw new Error(`user row violates its role's scope: ${field} is missing`);
  return value;
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'app_user',
  properties: {
    id: { type: 'uuid', primary: true },
    username: { type: 'string', length: 64, unique: true },
    display_name: { type: 'string', length: 64 },
    role: { enum: true, items: () => [...ROLES] },
    prov_admdvs: { type: 'string', length: 6, nullable: true },
    psn_no: { type: 'string', length: 30, nullable: true },
    fixmedins_code: { type: 'string', length: 30, nullable: true },
    password_hash: { type: 'text' },
    created_at: { type: 'datetime', onCreate: () => new Date() },
  },
  checks: [
    {
      name: 'app_user_scope_check',
      // Written as PostgreSQL prints it back, so the schema diff sees no change.
      expression:
        "((role = 'citizen'::text) AND (psn_no IS NOT NULL)) OR ((role = 'hospital'::text) AND (fixmedins_code IS NOT NULL)) OR ((role = ANY (ARRAY['staff'::text, 'supervisor'::text, 'coordinator'::text])) AND (prov_admdvs IS NOT NULL))",
    },
  ],
});
