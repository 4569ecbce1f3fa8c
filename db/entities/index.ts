import { Admdvs } from './admdvs';
import { CaseDocument } from './case-document';
import { CaseEvent, Filing, HumanTask, IdempotencyRecord, Referral, TaskDecision } from './cases';
import { CatalogueItem, CatalogueRule } from './catalogue';
import {
  AdvanceFund,
  AdvanceFundEvent,
  AdvanceFundParam,
  AdvanceFundTopUp,
  ClearingConfirmation,
  ClearingDispute,
  ClearingLineRow,
  ClearingReconcileAction,
  ClearingRun,
  ClearingStatementRow,
  ClearingTransfer,
} from './clearing';
import { Compensation, CompensationParam } from './compensation';
import { FeeCheck, FeeCheckBatch, FeeCheckItem } from './fee-check';
import { Hospital } from './hospital';
import { HospitalMessage } from './hospital-message';
import { InsuredPerson } from './insured-person';
import { ManualClaim } from './manual-claim';
import { PersonIdentity } from './person-identity';
import { PolicyVersion } from './policy-version';
import { Accumulator, LedgerEntry, SetlDetailRow, Settlement } from './settlement';
import { FeeDetail, Stay } from './stay';
import { CatalogueMapping, FilingTransmission, Ticket, TicketActionRow, TicketComment } from './ticket';
import { User } from './user';

export * from './admdvs';
export * from './case-document';
export * from './cases';
export * from './catalogue';
export * from './clearing';
export * from './compensation';
export * from './fee-check';
export * from './hospital';
export * from './hospital-message';
export * from './insured-person';
export * from './manual-claim';
export * from './person-identity';
export * from './policy-version';
export * from './settlement';
export * from './stay';
export * from './ticket';
export * from './user';

export const entities = [
  Admdvs,
  PolicyVersion,
  Hospital,
  InsuredPerson,
  PersonIdentity,
  User,
  Filing,
  Referral,
  HumanTask,
  TaskDecision,
  CaseEvent,
  IdempotencyRecord,
  CaseDocument,
  CatalogueItem,
  CatalogueRule,
  Stay,
  FeeDetail,
  Settlement,
  SetlDetailRow,
  LedgerEntry,
  Accumulator,
  HospitalMessage,
  CompensationParam,
  Compensation,
  FeeCheck,
  FeeCheckItem,
  FeeCheckBatch,
  Ticket,
  TicketComment,
  FilingTransmission,
  TicketActionRow,
  CatalogueMapping,
  ManualClaim,
  ClearingRun,
  ClearingStatementRow,
  ClearingLineRow,
  ClearingConfirmation,
  ClearingDispute,
  ClearingTransfer,
  ClearingReconcileAction,
  AdvanceFundParam,
  AdvanceFund,
  AdvanceFundEvent,
  AdvanceFundTopUp,
];
