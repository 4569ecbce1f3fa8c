// Temporal's list-filter SQL subset, compiled to a predicate over VisibilityRecord.
// Grammar (keywords case-insensitive):
//   query      := [ expr ] [ ORDER BY order (',' order)* ]
//   expr       := and ( OR and )*
//   and        := primary ( AND primary )*
//   primary    := '(' expr ')' | field predicate
//   predicate  := op value | [NOT] IN '(' value (',' value)* ')' | [NOT] BETWEEN value AND value
//               | [NOT] STARTS_WITH value | IS [NOT] NULL
//   op         := '=' | '!=' | '<>' | '>' | '>=' | '<' | '<='
//   field      := identifier | `back-ticked identifier`
//   value      := 'string' | "string" | [-]number | TRUE | FALSE
import type { VisibilityRecord, VisibilityStatus } from './visibility-record';

/** Thrown for any query the devserver cannot understand; the engine answers it as INVALID_ARGUMENT. */
export class InvalidQueryError extends Error {
  constructor(detail: string) {
    super(`invalid query: ${detail}`);
    this.name = 'InvalidQueryError';
  }
}

export interface VisibilityOrder {
  field: string;
  descending: boolean;
}

/** The predicate, plus the ORDER BY it was written with (StartTime DESC when none). */
export type VisibilityFilter = ((rec: VisibilityRecord) => boolean) & { orderBy: VisibilityOrder[] };

/** Search attribute type names as `--search-attribute Name=Type` spells them. */
export type SearchAttributeTypeName =
  | 'Keyword'
  | 'Text'
  | 'Int'
  | 'Double'
  | 'Bool'
  | 'Datetime'
  | 'KeywordList';

type Kind = SearchAttributeTypeName | 'Status';

const SYSTEM_FIELDS: Record<string, Kind> = {
  WorkflowId: 'Keyword',
  WorkflowType: 'Keyword',
  RunId: 'Keyword',
  TaskQueue: 'Keyword',
  ExecutionStatus: 'Status',
  StartTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionTime: 'Datetime',
};

const STATUSES: VisibilityStatus[] = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
];

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'STARTS_WITH',
  'IS',
  'NULL',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'TRUE',
  'FALSE',
]);

// ---------------------------------------------------------------- tokens

type TokenType = 'ident' | 'keyword' | 'string' | 'number' | 'op' | 'punct' | 'eof';

interface Token {
  type: TokenType;
  /** Keyword upper-cased, identifier/string unquoted, operator as written. */
  value: string;
  /** The token exactly as it appears in the query, for error messages. */
  raw: string;
  pos: number;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const [value, end] = readQuoted(query, i, c);
      tokens.push({ type: c === '`' ? 'ident' : 'string', value, raw: query.slice(start, end), pos: start });
      i = end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(query.slice(i))!;
      i += m[0].length;
      if (/[A-Za-z_]/.test(query[i] ?? '')) {
        const bad = /^[A-Za-z0-9_.]+/.exec(query.slice(start))![0];
        throw new InvalidQueryError(`unexpected token '${bad}' at ${start}`);
      }
      tokens.push({ type: 'number', value: m[0], raw: m[0], pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i))!;
      const word = m[0];
      i += word.length;
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) tokens.push({ type: 'keyword', value: upper, raw: word, pos: start });
      else tokens.push({ type: 'ident', value: word, raw: word, pos: start });
      continue;
    }
    const two = query.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '>=' || two === '<=') {
      tokens.push({ type: 'op', value: two === '<>' ? '!=' : two, raw: two, pos: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ type: 'op', value: c, raw: c, pos: start });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '-') {
      tokens.push({ type: 'punct', value: c, raw: c, pos: start });
      i++;
      continue;
    }
    throw new InvalidQueryError(`unexpected token '${c}' at ${start}`);
  }
  tokens.push({ type: 'eof', value: '', raw: '', pos: query.length });
  return tokens;
}

/** Reads a quoted run starting at `start`; a doubled quote or a backslash escapes. Returns [value, endIndex]. */
function readQuoted(query: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < query.length) {
    const c = query[i]!;
    if (c === quote) {
      if (query[i + 1] === quote) {
        out += quote;
        i += 2;
        continue;
      }
      if (quote === '`' && out === '') throw new InvalidQueryError(`empty identifier at ${start}`);
      return [out, i + 1];
    }
    if (c === '\\' && quote !== '`' && i + 1 < query.length) {
      const n = query[i + 1]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '0' ? '\0' : n;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new InvalidQueryError(`unterminated ${quote === '`' ? 'identifier' : 'string'} at ${start}`);
}

// ---------------------------------------------------------------- AST

type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'bool'; value: boolean; pos: number };

type Node =
  | { type: 'and' | 'or'; left: Node; right: Node }
  | { type: 'cmp'; field: string; op: string; lit: Literal; pos: number }
  | { type: 'in'; field: string; negated: boolean; lits: Literal[]; pos: number }
  | { type: 'between'; field: string; negated: boolean; low: Literal; high: Literal; pos: number }
  | { type: 'startsWith'; field: string; negated: boolean; prefix: string; pos: number }
  | { type: 'null'; field: string; negated: boolean; pos: number };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== 'eof') this.i++;
    return t;
  }
  private fail(t: Token): never {
    if (t.type === 'eof') throw new InvalidQueryError(`unexpected end of query at ${t.pos}`);
    throw new InvalidQueryError(`unexpected token '${t.raw}' at ${t.pos}`);
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.type === 'keyword' && t.value === word;
  }
  private expectKeyword(word: string): void {
    const t = this.next();
    if (t.type !== 'keyword' || t.value !== word) this.fail(t);
  }
  private expectPunct(p: string): void {
    const t = this.next();
    if (t.type !== 'punct' || t.value !== p) this.fail(t);
  }

  parseQuery(): { where?: Node; orderBy: (VisibilityOrder & { pos: number })[] } {
    let where: Node | undefined;
    if (this.peek().type !== 'eof' && !this.isKeyword('ORDER')) where = this.parseOr();
    const orderBy: (VisibilityOrder & { pos: number })[] = [];
    if (this.isKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      do {
        const pos = this.peek().pos;
        const field = this.parseField();
        let descending = false;
        if (this.isKeyword('ASC')) this.next();
        else if (this.isKeyword('DESC')) {
          this.next();
          descending = true;
        }
        orderBy.push({ field, descending, pos });
      } while (this.peek().type === 'punct' && this.peek().value === ',' && this.next());
    }
    const end = this.peek();
    if (end.type !== 'eof') this.fail(end);
    return { where, orderBy };
  }

  private parseOr(): Node {
    let left = this.parseAnd();
    while (this.isKeyword('OR')) {
      this.next();
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parsePrimary();
    while (this.isKeyword('AND')) {
      this.next();
      left = { type: 'and', left, right: this.parsePrimary() };
    }
    return left;
  }

  private parsePrimary(): Node {
    const t = this.peek();
    if (t.type === 'punct' && t.value === '(') {
      this.next();
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    const pos = this.peek().pos;
    const field = this.parseField();
    const opTok = this.next();
    if (opTok.type === 'op') return { type: 'cmp', field, op: opTok.value, lit: this.parseLiteral(), pos };
    if (opTok.type !== 'keyword') this.fail(opTok);
    let word = opTok.value;
    let negated = false;
    if (word === 'NOT') {
      negated = true;
      const after = this.next();
      if (after.type !== 'keyword' || !['IN', 'BETWEEN', 'STARTS_WITH'].includes(after.value))
        this.fail(after);
      word = after.value;
    }
    switch (word) {
      case 'IN': {
        this.expectPunct('(');
        const lits = [this.parseLiteral()];
        while (this.peek().type === 'punct' && this.peek().value === ',') {
          this.next();
          lits.push(this.parseLiteral());
        }
        this.expectPunct(')');
        return { type: 'in', field, negated, lits, pos };
      }
      case 'BETWEEN': {
        const low = this.parseLiteral();
        this.expectKeyword('AND');
        const high = this.parseLiteral();
        return { type: 'between', field, negated, low, high, pos };
      }
      case 'STARTS_WITH': {
        const litTok = this.peek();
        const lit = this.parseLiteral();
        if (lit.kind !== 'string') throw new InvalidQueryError(`STARTS_WITH needs a string at ${litTok.pos}`);
        return { type: 'startsWith', field, negated, prefix: lit.value, pos };
      }
      case 'IS': {
        let isNot = false;
        if (this.isKeyword('NOT')) {
          this.next();
          isNot = true;
        }
        this.expectKeyword('NULL');
        return { type: 'null', field, negated: isNot, pos };
      }
      default:
        return this.fail(opTok);
    }
  }

  private parseField(): string {
    const t = this.next();
    if (t.type !== 'ident') this.fail(t);
    return t.value;
  }

  private parseLiteral(): Literal {
    const t = this.next();
    const pos = t.pos;
    if (t.type === 'string') return { kind: 'string', value: t.value, pos };
    if (t.type === 'keyword' && (t.value === 'TRUE' || t.value === 'FALSE')) {
      return { kind: 'bool', value: t.value === 'TRUE', pos };
    }
    if (t.type === 'punct' && t.value === '-') {
      const n = this.next();
      if (n.type !== 'number') this.fail(n);
      return { kind: 'number', value: -Number(n.value), pos };
    }
    if (t.type === 'number') return { kind: 'number', value: Number(t.value), pos };
    return this.fail(t);
  }
}

// ---------------------------------------------------------------- evaluation

const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

function parseTime(s: string): number | undefined {
  if (!RFC3339.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

function normalizeType(t: string): SearchAttributeTypeName | undefined {
  const key = t
    .replace(/^INDEXED_VALUE_TYPE_/i, '')
    .replace(/_/g, '')
    .toLowerCase();
  const map: Record<string, SearchAttributeTypeName> = {
    keyword: 'Keyword',
    text: 'Text',
    int: 'Int',
    double: 'Double',
    bool: 'Bool',
    datetime: 'Datetime',
    keywordlist: 'KeywordList',
  };
  return map[key];
}

/** A literal turned into the representation of its field's kind; throws InvalidQueryError when it cannot be. */
type Operand = string | number | boolean;

function coerce(lit: Literal, kind: Kind | undefined, field: string): Operand {
  const bad = (): never => {
    const shown = lit.kind === 'string' ? `'${lit.value}'` : String(lit.value);
    throw new InvalidQueryError(`invalid value ${shown} for ${field} at ${lit.pos}`);
  };
  switch (kind) {
    case 'Status': {
      if (lit.kind === 'number') {
        const s = STATUSES[lit.value - 1];
        return s ?? bad();
      }
      if (lit.kind !== 'string') return bad();
      const s = STATUSES.find((x) => x.toLowerCase() === lit.value.toLowerCase());
      return s ?? bad();
    }
    case 'Datetime': {
      if (lit.kind === 'number') return lit.value / 1e6; // Temporal reads a bare number as Unix nanoseconds.
      if (lit.kind !== 'string') return bad();
      return parseTime(lit.value) ?? bad();
    }
    case 'Int':
    case 'Double': {
      if (lit.kind === 'number') return lit.value;
      if (lit.kind === 'string' && lit.value.trim() !== '' && Number.isFinite(Number(lit.value))) {
        return Number(lit.value);
      }
      return bad();
    }
    case 'Bool': {
      if (lit.kind === 'bool') return lit.value;
      if (lit.kind === 'string' && /^(true|false)$/i.test(lit.value))
        return lit.value.toLowerCase() === 'true';
      return bad();
    }
    case 'Keyword':
    case 'KeywordList':
    case 'Text':
      if (lit.kind !== 'string') return bad();
      return lit.value;
    default:
      return lit.value;
  }
}

/** The field's current value, or undefined when absent (SQL NULL). */
function fieldValue(rec: VisibilityRecord, field: string): unknown {
  switch (field) {
    case 'WorkflowId':
      return rec.workflowId;
    case 'WorkflowType':
      return rec.workflowType;
    case 'RunId':
      return rec.runId;
    case 'TaskQueue':
      return rec.taskQueue;
    case 'ExecutionStatus':
      return rec.status;
    case 'StartTime':
      return rec.startTime;
    case 'CloseTime':
      return rec.closeTime;
    case 'ExecutionTime':
      return rec.executionTime;
    default: {
      const v = rec.searchAttributes?.[field];
      if (v === null || v === undefined) return undefined;
      if (Array.isArray(v) && v.length === 0) return undefined;
      return v;
    }
  }
}

/** Three-way comparison of a stored scalar with an operand; undefined when they are not comparable. */
function compareScalar(v: unknown, operand: Operand, kind: Kind | undefined): number | undefined {
  const asTime = (x: unknown): number | undefined =>
    x instanceof Date ? x.getTime() : typeof x === 'string' ? parseTime(x) : undefined;
  if (kind === 'Datetime' || v instanceof Date) {
    const left = asTime(v);
    const right = typeof operand === 'number' ? operand : asTime(operand);
    if (left === undefined || right === undefined || Number.isNaN(left)) return undefined;
    return Math.sign(left - right);
  }
  if (typeof v === 'number') {
    if (typeof operand === 'boolean' || (typeof operand === 'string' && operand.trim() === ''))
      return undefined;
    const right = Number(operand);
    return Number.isNaN(right) ? undefined : Math.sign(v - right);
  }
  if (typeof v === 'boolean') {
    const right =
      typeof operand === 'boolean'
        ? operand
        : typeof operand === 'string' && /^(true|false)$/i.test(operand)
          ? operand.toLowerCase() === 'true'
          : undefined;
    return right === undefined ? undefined : Number(v) - Number(right);
  }
  if (typeof v === 'string') {
    if (typeof operand === 'number') {
      return v.trim() !== '' && Number.isFinite(Number(v)) ? Math.sign(Number(v) - operand) : undefined;
    }
    if (typeof operand !== 'string') return undefined;
    if (kind === 'Status') return v.toLowerCase() === operand.toLowerCase() ? 0 : v < operand ? -1 : 1;
    if (kind === undefined) {
      // An undeclared attribute holding a timestamp is compared as time, so '2024-01-01' < '2024-01-01T08:00:00Z'.
      const left = parseTime(v);
      const right = parseTime(operand);
      if (left !== undefined && right !== undefined) return Math.sign(left - right);
    }
    return v === operand ? 0 : v < operand ? -1 : 1;
  }
  return undefined;
}

function textTokens(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w !== '');
}

function applyOp(op: string, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    default:
      return c <= 0;
  }
}

/** One comparison against a value that may be a list (KeywordList: '=' means contains, '!=' means not). */
function compareValue(v: unknown, op: string, operand: Operand, kind: Kind | undefined): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) {
    if (op === '!=') return !v.some((e) => compareScalar(e, operand, kind) === 0);
    return v.some((e) => {
      const c = compareScalar(e, operand, kind);
      return c !== undefined && applyOp(op, c);
    });
  }
  if (
    kind === 'Text' &&
    typeof v === 'string' &&
    typeof operand === 'string' &&
    (op === '=' || op === '!=')
  ) {
    // Text is matched like Temporal's full-text search: every word of the operand occurs in the value.
    const have = new Set(textTokens(v));
    const want = textTokens(operand);
    const match = want.length > 0 && want.every((w) => have.has(w));
    return op === '=' ? match : !match;
  }
  const c = compareScalar(v, operand, kind);
  return c !== undefined && applyOp(op, c);
}

type Pred = (rec: VisibilityRecord) => boolean;

function compileNode(node: Node, kindOf: (field: string, pos: number) => Kind | undefined): Pred {
  switch (node.type) {
    case 'and': {
      const l = compileNode(node.left, kindOf);
      const r = compileNode(node.right, kindOf);
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const l = compileNode(node.left, kindOf);
      const r = compileNode(node.right, kindOf);
      return (rec) => l(rec) || r(rec);
    }
    case 'cmp': {
      const kind = kindOf(node.field, node.pos);
      const operand = coerce(node.lit, kind, node.field);
      const { field, op } = node;
      if ((kind === 'Text' || kind === 'KeywordList') && op !== '=' && op !== '!=') {
        throw new InvalidQueryError(`operator '${op}' is not supported for ${kind} ${field} at ${node.pos}`);
      }
      return (rec) => compareValue(fieldValue(rec, field), op, operand, kind);
    }
    case 'in': {
      const kind = kindOf(node.field, node.pos);
      const operands = node.lits.map((l) => coerce(l, kind, node.field));
      const { field, negated } = node;
      return (rec) => {
        const v = fieldValue(rec, field);
        if (v === undefined) return false;
        const hit = operands.some((o) => compareValue(v, '=', o, kind));
        return negated ? !hit : hit;
      };
    }
    case 'between': {
      const kind = kindOf(node.field, node.pos);
      if (kind === 'Text' || kind === 'KeywordList') {
        throw new InvalidQueryError(`BETWEEN is not supported for ${kind} ${node.field} at ${node.pos}`);
      }
      const low = coerce(node.low, kind, node.field);
      const high = coerce(node.high, kind, node.field);
      const { field, negated } = node;
      return (rec) => {
        const v = fieldValue(rec, field);
        if (v === undefined) return false;
        const inside = compareValue(v, '>=', low, kind) && compareValue(v, '<=', high, kind);
        return negated ? !inside : inside;
      };
    }
    case 'startsWith': {
      kindOf(node.field, node.pos);
      const { field, negated, prefix } = node;
      return (rec) => {
        const v = fieldValue(rec, field);
        const values = Array.isArray(v) ? v : [v];
        const hit = values.some((e) => typeof e === 'string' && e.startsWith(prefix));
        if (v === undefined) return false;
        return negated ? !hit : hit;
      };
    }
    case 'null': {
      kindOf(node.field, node.pos);
      const { field, negated } = node;
      return (rec) => (fieldValue(rec, field) === undefined) !== negated;
    }
  }
}

/**
 * Compiles a List/CountWorkflowExecutions query. `searchAttributeTypes` (name → 'Keyword' | 'Int' | …),
 * when given, lets values be checked against their declared type and rejects unknown attribute names,
 * as Temporal does; without it, values are compared by the type they hold.
 */
export function compileVisibilityQuery(
  query: string,
  searchAttributeTypes?: Record<string, string>,
): VisibilityFilter {
  const { where, orderBy } = new Parser(tokenize(query ?? '')).parseQuery();
  const kindOf = (field: string, pos: number): Kind | undefined => {
    const system = SYSTEM_FIELDS[field];
    if (system) return system;
    if (!searchAttributeTypes) return undefined;
    const declared = searchAttributeTypes[field];
    if (declared === undefined) throw new InvalidQueryError(`unknown search attribute '${field}' at ${pos}`);
    return normalizeType(declared);
  };
  for (const o of orderBy) kindOf(o.field, o.pos);
  const pred: Pred = where ? compileNode(where, kindOf) : () => true;
  const filter: Pred = (rec) => {
    try {
      return pred(rec);
    } catch {
      return false;
    }
  };
  return Object.assign(filter, {
    orderBy:
      orderBy.length > 0
        ? orderBy.map(({ field, descending }) => ({ field, descending }))
        : [{ field: 'StartTime', descending: true }],
  });
}

/** Comparator for the ORDER BY of a compiled filter; absent values sort last, ties break on RunId. */
export function compareVisibilityRecords(
  orderBy: VisibilityOrder[],
): (a: VisibilityRecord, b: VisibilityRecord) => number {
  const rank = (v: unknown): number | string | undefined => {
    if (v === undefined) return undefined;
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return Number(v);
    if (typeof v === 'string') return parseTime(v) ?? v;
    if (Array.isArray(v)) return rank(v[0]);
    return undefined;
  };
  return (a, b) => {
    for (const { field, descending } of orderBy) {
      const x = rank(fieldValue(a, field));
      const y = rank(fieldValue(b, field));
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const c = typeof x === typeof y ? (x < y ? -1 : 1) : String(x) < String(y) ? -1 : 1;
      return descending ? -c : c;
    }
    return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
  };
}
