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
import { Compensation, CompensationParam } from './compensation';
import { HospitalSchema } from './hospital';
import { InsuredPersonSchema } from './insured-person';
import { PolicyVersionSchema } from './policy-version';
import { Accumulator, LedgerEntry, SetlDetailRow, Settlement } from './settlement';
import { FeeDetail, Stay } from './stay';
import { UserSchema } from './user';

export * from './admdvs';
export * from './case-document';
export * from './cases';
export * from './catalogue';
export * from './compensation';
export * from './hospital';
export * from './insured-person';
export * from './policy-version';
export * from './settlement';
export * from './stay';
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
  Stay,
  FeeDetail,
  Settlement,
  SetlDetailRow,
  LedgerEntry,
  Accumulator,
  CompensationParam,
  Compensation,
];
