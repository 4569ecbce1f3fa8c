import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** A file a citizen uploaded for a case (PDF, JPG or PNG), stored with the case in the database. */
export const CaseDocument = defineEntity({
  name: 'CaseDocument',
  tableName: 'case_document',
  properties: (p) => ({
    id: p.uuid().primary(),
    case_id: p.string().length(64).index(),
    /** The file name as the citizen chose it. */
    name: p.string().length(200),
    content_type: p.string().length(40).$type<'application/pdf' | 'image/jpeg' | 'image/png'>(),
    size: p.integer(),
    sha256: p.string().length(64),
    // Loaded only when the file itself is asked for, never with the case (a plain Buffer, not a reference).
    content: p.blob().$type<Buffer>().lazy(true, false),
    uploaded_by: p.string().length(64),
    created_at: p.datetime(),
  }),
});
export type CaseDocument = InferEntity<typeof CaseDocument>;
