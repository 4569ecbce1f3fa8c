import { EntitySchema } from '@mikro-orm/core';

/** A file a citizen uploaded for a case (PDF, JPG or PNG), stored with the case in the database. */
export class CaseDocument {
  id!: string;
  case_id!: string;
  /** The file name as the citizen chose it. */
  name!: string;
  content_type!: 'application/pdf' | 'image/jpeg' | 'image/png';
  size!: number;
  sha256!: string;
  content!: Buffer;
  uploaded_by!: string;
  created_at!: Date;
}

export const CaseDocumentSchema = new EntitySchema<CaseDocument>({
  class: CaseDocument,
  tableName: 'case_document',
  properties: {
    id: { type: 'uuid', primary: true },
    case_id: { type: 'string', length: 64, index: true },
    name: { type: 'string', length: 200 },
    content_type: { type: 'string', length: 40 },
    size: { type: 'integer' },
    sha256: { type: 'string', length: 64 },
    // Loaded only when the file itself is asked for, never with the case.
    content: { type: 'blob', lazy: true },
    uploaded_by: { type: 'string', length: 64 },
    created_at: { type: 'datetime' },
  },
});
