import fc from 'fast-check';
import {
  compareVisibilityRecords,
  compileVisibilityQuery,
  InvalidQueryError,
} from '../../devserver/visibility';
import type { VisibilityRecord } from '../../devserver/visibility-record';

const running: VisibilityRecord = {
  workflowId: 'filing-P001-1',
  runId: 'run-a',
  workflowType: 'filing',
  taskQueue: 'cases',
  status: 'Running',
  startTime: new Date('2024-03-01T08:00:00Z'),
  executionTime: new Date('2024-03-01T08:00:00Z'),
  searchAttributes: {
    CaseStage: 'review',
    Amount: 1250,
    Ratio: 0.75,
    Urgent: true,
    Deadline: '2024-04-01T00:00:00Z',
    Tags: ['inpatient', 'referral'],
    Notes: 'Patient transferred from Hubei provincial hospital',
    Odd: 'it\'s "quoted"',
  },
};

const closed: VisibilityRecord = {
  workflowId: 'mdtrt-M9',
  runId: 'run-b',
  workflowType: 'settlement',
  taskQueue: 'cases',
  status: 'Completed',
  startTime: new Date('2024-02-01T00:00:00Z'),
  closeTime: new Date('2024-02-02T00:00:00Z'),
  executionTime: new Date('2024-02-01T00:00:00Z'),
  searchAttributes: { CaseStage: 'settled', Amount: 10 },
};

const types = {
  CaseStage: 'Keyword',
  Amount: 'Int',
  Ratio: 'Double',
  Urgent: 'Bool',
  Deadline: 'Datetime',
  Tags: 'KeywordList',
  Notes: 'Text',
  Odd: 'Keyword',
};

function matches(query: string, withTypes = false): string[] {
  const filter = compileVisibilityQuery(query, withTypes ? types : undefined);
  return [running, closed].filter(filter).map((r) => r.workflowId);
}

describe('compileVisibilityQuery', () => {
  const both = ['filing-P001-1', 'mdtrt-M9'];
  const onlyRunning = ['filing-P001-1'];
  const onlyClosed = ['mdtrt-M9'];
  const none: string[] = [];

  test.each<[string, string[]]>([
    ['', both],
    ['   ', both],
    ["WorkflowType = 'filing'", onlyRunning],
    ['WorkflowType = "settlement"', onlyClosed],
    ["WorkflowType != 'filing'", onlyClosed],
    ["WorkflowType <> 'filing'", onlyClosed],
    ["WorkflowId = 'filing-P001-1'", onlyRunning],
    ["RunId = 'run-b'", onlyClosed],
    ["TaskQueue = 'cases'", both],
    ["ExecutionStatus = 'Running'", onlyRunning],
    ["ExecutionStatus = 'completed'", onlyClosed],
    ['ExecutionStatus = 2', onlyClosed],
    ["ExecutionStatus != 'Running'", onlyClosed],
    ["ExecutionStatus IN ('Failed', 'Completed')", onlyClosed],
    ["StartTime > '2024-02-15T00:00:00Z'", onlyRunning],
    ["StartTime >= '2024-02-01T00:00:00Z'", both],
    ["StartTime < '2024-02-01T00:00:00Z'", none],
    ["StartTime <= '2024-02-01T08:00:00+08:00'", onlyClosed],
    ["StartTime BETWEEN '2024-01-01T00:00:00Z' AND '2024-02-15T00:00:00Z'", onlyClosed],
    ["StartTime NOT BETWEEN '2024-01-01T00:00:00Z' AND '2024-02-15T00:00:00Z'", onlyRunning],
    ["ExecutionTime = '2024-03-01T08:00:00Z'", onlyRunning],
    ['CloseTime IS NULL', onlyRunning],
    ['CloseTime IS NOT NULL', onlyClosed],
    ["CloseTime > '2024-01-01T00:00:00Z'", onlyClosed],
    ["WorkflowId STARTS_WITH 'filing-'", onlyRunning],
    ["WorkflowId NOT STARTS_WITH 'filing-'", onlyClosed],
    ["WorkflowId IN ('mdtrt-M9', 'x')", onlyClosed],
    ["WorkflowId NOT IN ('mdtrt-M9', 'x')", onlyRunning],
    ["CaseStage = 'review'", onlyRunning],
    ['`CaseStage` = "settled"', onlyClosed],
    ["CaseStage IN ('review', 'settled')", both],
    ['Amount > 100', onlyRunning],
    ['Amount >= 10', both],
    ['Amount = -5', none],
    ["Amount = '1250'", onlyRunning],
    ['Amount BETWEEN 1 AND 20', onlyClosed],
    ['Ratio < 1.5', onlyRunning],
    ['Ratio = 7.5e-1', onlyRunning],
    ['Urgent = true', onlyRunning],
    ['Urgent = FALSE', none],
    ["Deadline > '2024-03-15T00:00:00Z'", onlyRunning],
    ["Deadline < '2024-04-01T08:00:00+08:00'", none],
    ["Tags = 'referral'", onlyRunning],
    ["Tags IN ('x', 'inpatient')", onlyRunning],
    ["Tags != 'referral'", none],
    ["Tags STARTS_WITH 'inp'", onlyRunning],
    ['Tags IS NULL', onlyClosed],
    ['Missing IS NULL', both],
    ["Missing = 'x'", none],
    ["Missing != 'x'", none],
    ["Odd = 'it''s \"quoted\"'", onlyRunning],
    ['Odd = "it\'s ""quoted"""', onlyRunning],
    ["Odd = 'it\\'s \"quoted\"'", onlyRunning],
    ["WorkflowType = 'filing' AND ExecutionStatus = 'Running'", onlyRunning],
    ["WorkflowType = 'filing' and ExecutionStatus = 'Completed'", none],
    ["WorkflowType = 'filing' OR ExecutionStatus = 'Completed'", both],
    ["(WorkflowType = 'filing' OR WorkflowType = 'settlement') AND Amount < 100", onlyClosed],
    ["WorkflowType = 'x' OR WorkflowType = 'filing' AND Amount < 100", none],
    ["((CaseStage = 'review'))", onlyRunning],
    ['ORDER BY StartTime DESC', both],
    ["WorkflowType = 'filing' ORDER BY StartTime DESC", onlyRunning],
    ["TaskQueue = 'cases' order by CloseTime asc, WorkflowId", both],
  ])('%s', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  test.each<[string, string[]]>([
    ["Notes = 'hubei'", onlyRunning],
    ["Notes = 'provincial hospital'", onlyRunning],
    ["Notes = 'shanghai'", none],
    ["CaseStage = 'review'", onlyRunning],
    ["Deadline > '2024-03-15T00:00:00Z'", onlyRunning],
    ['Amount > 100', onlyRunning],
  ])('with declared types: %s', (query, expected) => {
    expect(matches(query, true)).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ["WorkflowId = 'x' FOO", /^invalid query: unexpected token 'FOO' at 17$/],
    ['WorkflowId =', /unexpected end of query at 12/],
    ["WorkflowId = 'x", /unterminated string at 13/],
    ['WorkflowId', /unexpected end of query/],
    ["= 'x'", /unexpected token '=' at 0/],
    ["WorkflowId == 'x'", /unexpected token '=' at 12/],
    ["WorkflowId LIKE 'x%'", /unexpected token 'LIKE' at 11/],
    ['WorkflowId = Running', /unexpected token 'Running' at 13/],
    ["(WorkflowId = 'x'", /unexpected end of query/],
    ["WorkflowId = 'x')", /unexpected token '\)' at 16/],
    ['WorkflowId IN ()', /unexpected token '\)' at 15/],
    ["WorkflowId = 'x' AND", /unexpected end of query/],
    ["ExecutionStatus = 'Sleeping'", /invalid value 'Sleeping' for ExecutionStatus/],
    ["StartTime > 'yesterday'", /invalid value 'yesterday' for StartTime/],
    ['WorkflowId STARTS_WITH 5', /STARTS_WITH needs a string/],
    ['WorkflowId IS 5', /unexpected token '5'/],
    ["WorkflowId = 'x' ORDER StartTime", /unexpected token 'StartTime'/],
    ['WorkflowId = 1abc', /unexpected token '1abc' at 13/],
    ['WorkflowId = #', /unexpected token '#' at 13/],
    ['`` = 1', /empty identifier at 0/],
  ])('rejects %s', (query, message) => {
    expect(() => compileVisibilityQuery(query)).toThrow(InvalidQueryError);
    expect(() => compileVisibilityQuery(query)).toThrow(message);
  });

  test.each<[string, RegExp]>([
    ["Unknown = 'x'", /unknown search attribute 'Unknown' at 0/],
    ["Amount = 'many'", /invalid value 'many' for Amount/],
    ["Urgent = 'maybe'", /invalid value 'maybe' for Urgent/],
    ["Deadline < 'soon'", /invalid value 'soon' for Deadline/],
    ["Tags > 'a'", /operator '>' is not supported for KeywordList/],
    ["Notes BETWEEN 'a' AND 'b'", /BETWEEN is not supported for Text/],
  ])('with declared types rejects %s', (query, message) => {
    expect(() => compileVisibilityQuery(query, types)).toThrow(message);
  });

  test('ORDER BY defaults to StartTime DESC and sorts as written', () => {
    expect(compileVisibilityQuery('').orderBy).toEqual([{ field: 'StartTime', descending: true }]);
    const byStart = compileVisibilityQuery('ORDER BY StartTime ASC');
    expect([running, closed].sort(compareVisibilityRecords(byStart.orderBy)).map((r) => r.runId)).toEqual([
      'run-b',
      'run-a',
    ]);
    const defaultOrder = compileVisibilityQuery("TaskQueue = 'cases'");
    expect(
      [closed, running].sort(compareVisibilityRecords(defaultOrder.orderBy)).map((r) => r.runId),
    ).toEqual(['run-a', 'run-b']);
    // Absent values sort last whichever the direction.
    const byClose = compileVisibilityQuery('ORDER BY CloseTime DESC');
    expect([running, closed].sort(compareVisibilityRecords(byClose.orderBy)).map((r) => r.runId)).toEqual([
      'run-b',
      'run-a',
    ]);
  });

  test('never throws anything but InvalidQueryError, and filters never throw', () => {
    const vocabulary = [
      'WorkflowId',
      'ExecutionStatus',
      'StartTime',
      'CloseTime',
      'Amount',
      'Tags',
      '`Odd`',
      '=',
      '!=',
      '<',
      '>=',
      'AND',
      'OR',
      'NOT',
      'IN',
      'BETWEEN',
      'STARTS_WITH',
      'IS',
      'NULL',
      'ORDER BY',
      'DESC',
      '(',
      ')',
      ',',
      '-',
      "'Running'",
      "'2024-01-01T00:00:00Z'",
      '"x"',
      "'it''s'",
      '12',
      '1.5e3',
      'true',
      "'",
      '"',
      '`',
      '\\',
    ];
    const tokenSoup = fc.array(fc.constantFrom(...vocabulary), { maxLength: 14 }).map((ws) => ws.join(' '));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), tokenSoup),
        (q) => {
          for (const declared of [undefined, types]) {
            let filter: ReturnType<typeof compileVisibilityQuery>;
            try {
              filter = compileVisibilityQuery(q, declared);
            } catch (err) {
              if (!(err instanceof InvalidQueryError)) throw err;
              expect(err.message).toMatch(/^invalid query: /);
              continue;
            }
            for (const rec of [running, closed]) expect(typeof filter(rec)).toBe('boolean');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
