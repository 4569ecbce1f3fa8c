import { AdmdvsSchema } from './admdvs';
import { CaseDocumentSchema } from './case-document';
import {
  CaseEventSchema,
  FilingSchema,
  HumanTaskSchema,
  IdempotencyRecordSchema,
  ReferralSchema,
} from './cases';
import { HospitalSchema } from './hospital';
import { InsuredPersonSchema } from './insured-person';
import { PolicyVersionSchema } from './policy-version';
import { UserSchema } from './user';

export * from './admdvs';
export * from './case-document';
export * from './cases';
export * from './hospital';
export * from './insured-person';
export * from './policy-version';
export * from './user';

export const entities = [
  AdmdvsSchema,
  PolicyVersionSchema,
  HospitalSchema,
  InsuredPersonSchema,
  UserSchema,
  FilingSchema,
  ReferralSchema,
  HumanTaskSchema,
  CaseEventSchema,
  IdempotencyRecordSchema,
  CaseDocumentSchema,
];
