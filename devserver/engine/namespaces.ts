/** Namespaces and the search-attribute registry (per namespace, as with the dev server's SQL store). */
import { randomUUID } from 'node:crypto';
import Long from 'long';
import { namespaceAlreadyExists, namespaceNotFound } from '../errors';
import { enums, type google } from '../proto';

const IVT = enums.IndexedValueType;
export type IndexedValueType = (typeof IVT)[keyof typeof IVT];

/** The server's own attributes; always known, never registrable. */
export const SYSTEM_SEARCH_ATTRIBUTES: Record<string, IndexedValueType> = {
  WorkflowId: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  RunId: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  WorkflowType: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  StartTime: IVT.INDEXED_VALUE_TYPE_DATETIME,
  ExecutionTime: IVT.INDEXED_VALUE_TYPE_DATETIME,
  CloseTime: IVT.INDEXED_VALUE_TYPE_DATETIME,
  ExecutionStatus: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TaskQueue: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  ExecutionDuration: IVT.INDEXED_VALUE_TYPE_INT,
  HistoryLength: IVT.INDEXED_VALUE_TYPE_INT,
  HistorySizeBytes: IVT.INDEXED_VALUE_TYPE_INT,
  StateTransitionCount: IVT.INDEXED_VALUE_TYPE_INT,
  ParentWorkflowId: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  ParentRunId: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  RootWorkflowId: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  RootRunId: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalChangeVersion: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BinaryChecksums: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BuildIds: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BatcherUser: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalScheduledStartTime: IVT.INDEXED_VALUE_TYPE_DATETIME,
  TemporalScheduledById: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalSchedulePaused: IVT.INDEXED_VALUE_TYPE_BOOL,
  TemporalNamespaceDivision: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalPauseInfo: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  TemporalWorkerDeploymentVersion: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalWorkflowVersioningBehavior: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalWorkerDeployment: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  TemporalUsedWorkerDeploymentVersions: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** The names `metadata.type` of a search-attribute payload uses (the CLI's names too). */
export const INDEXED_VALUE_TYPE_NAMES: Record<number, string> = {
  [IVT.INDEXED_VALUE_TYPE_TEXT]: 'Text',
  [IVT.INDEXED_VALUE_TYPE_KEYWORD]: 'Keyword',
  [IVT.INDEXED_VALUE_TYPE_INT]: 'Int',
  [IVT.INDEXED_VALUE_TYPE_DOUBLE]: 'Double',
  [IVT.INDEXED_VALUE_TYPE_BOOL]: 'Bool',
  [IVT.INDEXED_VALUE_TYPE_DATETIME]: 'Datetime',
  [IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST]: 'KeywordList',
};

/** Attributes a workflow may set itself although they are system-owned. */
const WORKFLOW_SETTABLE_SYSTEM = new Set(['TemporalChangeVersion', 'BinaryChecksums', 'BuildIds']);

export function parseIndexedValueType(name: string): IndexedValueType | undefined {
  const key = `INDEXED_VALUE_TYPE_${name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  const v = (IVT as unknown as Record<string, number>)[key];
  return v === undefined || v === 0 ? undefined : (v as IndexedValueType);
}

export interface Namespace {
  name: string;
  id: string;
  description: string;
  ownerEmail: string;
  retention: google.protobuf.IDuration;
  data: Record<string, string>;
  customSearchAttributes: Map<string, IndexedValueType>;
}

export class Namespaces {
  private readonly byName = new Map<string, Namespace>();
  private readonly byId = new Map<string, Namespace>();

  constructor(private readonly defaultSearchAttributes: Record<string, IndexedValueType>) {}

  register(
    name: string,
    opts: Partial<Omit<Namespace, 'name' | 'id' | 'customSearchAttributes'>> = {},
  ): Namespace {
    if (this.byName.has(name)) throw namespaceAlreadyExists();
    const ns: Namespace = {
      name,
      id: randomUUID(),
      description: opts.description ?? '',
      ownerEmail: opts.ownerEmail ?? '',
      retention: opts.retention ?? { seconds: Long.fromNumber(86400) },
      data: opts.data ?? {},
      customSearchAttributes: new Map(Object.entries(this.defaultSearchAttributes)),
    };
    this.byName.set(name, ns);
    this.byId.set(ns.id, ns);
    return ns;
  }

  get(name: string | null | undefined): Namespace {
    const ns = this.byName.get(name ?? '');
    if (!ns) throw namespaceNotFound(name ?? '');
    return ns;
  }

  getById(id: string): Namespace | undefined {
    return this.byId.get(id);
  }

  find(name: string): Namespace | undefined {
    return this.byName.get(name);
  }

  all(): Namespace[] {
    return [...this.byName.values()];
  }

  /** Replace every namespace with ones a store saved (ids kept: they are in histories). */
  restore(saved: Namespace[]): void {
    this.byName.clear();
    this.byId.clear();
    for (const ns of saved) {
      this.byName.set(ns.name, ns);
      this.byId.set(ns.id, ns);
    }
  }

  /** Type of a search attribute the namespace knows, or undefined. */
  searchAttributeType(ns: Namespace, name: string): IndexedValueType | undefined {
    return ns.customSearchAttributes.get(name) ?? SYSTEM_SEARCH_ATTRIBUTES[name];
  }

  /** May a workflow or a start request set this attribute? */
  settable(ns: Namespace, name: string): boolean {
    return ns.customSearchAttributes.has(name) || WORKFLOW_SETTABLE_SYSTEM.has(name);
  }
}
