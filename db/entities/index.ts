import { AdmdvsSchema } from './admdvs';
import { CaseDocumentSchema } from './case-document';
import {
  CaseEventSchema,
  Filing,
  HumanTaskSchema,
  IdempotencyRecordSchema,
  Referral,
  TaskDecisionSchema,
} from './cases';
import { CatalogueItem, CatalogueRule } from './catalogue';
import { HospitalSchema } from './hospital';
import { HospitalMessage } from './hospital-message';
import { InsuredPersonSchema } from './insured-person';
import { PolicyVersionSchema } from './policy-version';
import { UserSchema } from './user';

export * from './admdvs';
export * from './case-document';
export * from './cases';
export * from './catalogue';
export * from './hospital';
export * from './hospital-message';
export * from './insured-person';
export * from './policy-version';
export * from './user';

export const entities = [
  AdmdvsSchema,
  PolicyVersionSchema,
  HospitalSchema,
  InsuredPersonSchema,
  UserSchema,
  Filing,
  Referral,
  HumanTaskSchema,
  TaskDecisionSchema,
  CaseEventSchema,
  IdempotencyRecordSchema,
  CaseDocumentSchema,
  CatalogueItem,
  CatalogueRule,
  HospitalMessage,
];
