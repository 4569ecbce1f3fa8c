/**
 * Every API operation the web app calls, in one place: the client builds its requests from this list,
 * and test/web/api-client.test.ts checks each against the API's OpenAPI document.
 * Plain data (no DOM, no Vue) so the Node tests can import it.
 */
export const operations = {
  login: { method: 'post', path: '/api/v1/auth/login' },
  me: { method: 'get', path: '/api/v1/me' },
  admdvs: { method: 'get', path: '/api/v1/admdvs' },
  vocabulary: { method: 'get', path: '/api/v1/vocabulary' },
  listFilings: { method: 'get', path: '/api/v1/filings' },
  createFiling: { method: 'post', path: '/api/v1/filings' },
  getFiling: { method: 'get', path: '/api/v1/filings/{id}' },
  changeFiling: { method: 'post', path: '/api/v1/filings/{id}/change' },
  cancelFiling: { method: 'post', path: '/api/v1/filings/{id}/cancel' },
  answerMoreInfo: { method: 'post', path: '/api/v1/filings/{id}/more-info' },
  uploadDocument: { method: 'post', path: '/api/v1/filings/{id}/documents' },
  getDocument: { method: 'get', path: '/api/v1/filings/{id}/documents/{documentId}' },
  listTasks: { method: 'get', path: '/api/v1/tasks' },
  getTask: { method: 'get', path: '/api/v1/tasks/{id}' },
  claimTask: { method: 'post', path: '/api/v1/tasks/{id}/claim' },
  releaseTask: { method: 'post', path: '/api/v1/tasks/{id}/release' },
  decideTask: { method: 'post', path: '/api/v1/tasks/{id}/decision' },
  reassignTask: { method: 'post', path: '/api/v1/tasks/{id}/reassign' },
  listStaff: { method: 'get', path: '/api/v1/staff' },
  hospitalTransaction: { method: 'post', path: '/api/v1/hospital/transactions' },
  hospitalPerson: { method: 'get', path: '/api/v1/hospital/persons/{psn_no}' },
  listStays: { method: 'get', path: '/api/v1/stays' },
  getStay: { method: 'get', path: '/api/v1/stays/{mdtrt_id}' },
  hainanScenario: { method: 'get', path: '/api/v1/demo/scenarios/hainan' },
  applyCompensation: { method: 'post', path: '/api/v1/stays/{mdtrt_id}/compensation' },
  // 问题协同, 费用协查, 清算, 运行监测 (routes.md; the views are cases/coordination.ts).
  listTickets: { method: 'get', path: '/api/v1/tickets' },
  createTicket: { method: 'post', path: '/api/v1/tickets' },
  getTicket: { method: 'get', path: '/api/v1/tickets/{ticket_id}' },
  commentTicket: { method: 'post', path: '/api/v1/tickets/{ticket_id}/comments' },
  uploadTicketAttachment: { method: 'post', path: '/api/v1/tickets/{ticket_id}/attachments' },
  getTicketAttachment: { method: 'get', path: '/api/v1/tickets/{ticket_id}/attachments/{document_id}' },
  actOnTicket: { method: 'post', path: '/api/v1/tickets/{ticket_id}/actions' },
  listFeeChecks: { method: 'get', path: '/api/v1/fee-checks' },
  feeCheckCandidates: { method: 'get', path: '/api/v1/fee-check-candidates' },
  requestFeeCheck: { method: 'post', path: '/api/v1/fee-checks' },
  getFeeCheck: { method: 'get', path: '/api/v1/fee-checks/{check_id}' },
  answerFeeCheck: { method: 'post', path: '/api/v1/fee-checks/{check_id}/answers' },
  confirmFeeCheck: { method: 'post', path: '/api/v1/fee-checks/{check_id}/confirm' },
  listFeeCheckBatches: { method: 'get', path: '/api/v1/fee-check-batches' },
  listClearing: { method: 'get', path: '/api/v1/clearing' },
  getClearing: { method: 'get', path: '/api/v1/clearing/{clr_month}/{pair_id}' },
  clearingSettlements: { method: 'get', path: '/api/v1/clearing/{clr_month}/{pair_id}/settlements' },
  confirmClearing: { method: 'post', path: '/api/v1/clearing/{clr_month}/{pair_id}/confirm' },
  disputeClearing: { method: 'post', path: '/api/v1/clearing/{clr_month}/{pair_id}/dispute' },
  transferClearing: { method: 'post', path: '/api/v1/clearing/{clr_month}/{pair_id}/transfer' },
  recheckClearing: { method: 'post', path: '/api/v1/clearing/{clr_month}/{pair_id}/recheck' },
  supplementClearing: { method: 'post', path: '/api/v1/clearing/{clr_month}/{pair_id}/supplement' },
  ticketClearing: { method: 'post', path: '/api/v1/clearing/{clr_month}/{pair_id}/ticket' },
  exportClearingCsv: { method: 'get', path: '/api/v1/clearing/{clr_month}/{pair_id}/export.csv' },
  exportClearingXlsx: { method: 'get', path: '/api/v1/clearing/{clr_month}/{pair_id}/export.xlsx' },
  listAdvanceFunds: { method: 'get', path: '/api/v1/advance-funds' },
  requestTopUp: { method: 'post', path: '/api/v1/advance-funds/{pair_id}/top-up' },
  monitoring: { method: 'get', path: '/api/v1/monitoring' },
} as const;

export type OperationName = keyof typeof operations;

/** The request body fields the client sends per operation, checked against the OpenAPI request schemas. */
export const bodyFields: Partial<Record<OperationName, readonly string[]>> = {
  login: ['username', 'password'],
  createFiling: [
    'category',
    'mdtrtarea_admdvs',
    'fixmedins_code',
    'begndate',
    'enddate',
    'commitment',
    'tel',
    'addr',
    'emergency_adm_date',
    'referral',
    'memo',
  ],
  changeFiling: ['mdtrtarea_admdvs', 'fixmedins_code', 'enddate', 'memo'],
  cancelFiling: ['reason'],
  answerMoreInfo: ['answer', 'documents'],
  decideTask: ['decision', 'reason', 'version'],
  reassignTask: ['assignee'],
  commentTicket: ['text', 'document_ids'],
  actOnTicket: ['action', 'note', 'params'],
  answerFeeCheck: ['items'],
  requestFeeCheck: ['setl_id', 'reason'],
  disputeClearing: ['reason', 'fee_check_ids', 'ticket_ids'],
  transferClearing: ['reference'],
  supplementClearing: ['amount', 'reference'],
  ticketClearing: ['setl_id'],
  requestTopUp: ['amount'],
};

/** The query parameters the client sends per operation, checked against the documented ones. */
export const queryFields: Partial<Record<OperationName, readonly string[]>> = {
  listFilings: ['status', 'page', 'page_size'],
  listTasks: ['status', 'mine', 'psn_no', 'sort', 'page', 'page_size'],
  uploadDocument: ['name'],
  listStaff: ['role'],
  hospitalPerson: ['mdtrt_cert_no'],
  listTickets: ['insured_prov', 'treatment_prov', 'category', 'status', 'sla_state', 'first_responder'],
  listFeeChecks: ['month', 'status'],
  feeCheckCandidates: ['q'],
  listFeeCheckBatches: ['month'],
  listClearing: ['clr_month'],
  monitoring: ['from', 'to'],
};

/** What the API accepts as a document, checked in the browser before anything is sent. */
export const DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
