import { spawn } from 'node:child_process';
import path from 'node:path';
import { FAULT_KINDS, planCases, planFaults } from './plan';
import { planStays, stayMessages } from './stays';

/**
 * Keeps `npm run chaos` from rotting: a tiny run (6 cases, PostgreSQL paused once) end to end, the way
 * an operator starts it, plus the plan's determinism. The full run is `npm run chaos`.
 */
const root = path.resolve(__dirname, '..', '..');

function chaos(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/main.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

test('the same seed plans the same cases and faults; another seed plans others', () => {
  expect(planCases(7, 40)).toEqual(planCases(7, 40));
  expect(planFaults(7, 40, FAULT_KINDS)).toEqual(planFaults(7, 40, FAULT_KINDS));
  expect(planCases(8, 40)).not.toEqual(planCases(7, 40));
  expect(planStays(7, 8)).toEqual(planStays(7, 8));
  expect(planStays(8, 8)).not.toEqual(planStays(7, 8));
  // Every enabled kind strikes at least once, while cases are still being filed.
  const faults = planFaults(7, 40, FAULT_KINDS);
  expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
  expect(Math.max(...faults.map((f) => f.afterFiled))).toBeLessThan(40);
  expect(planFaults(7, 40, [])).toEqual([]);
});

test('with stays, every fault is planned inside a stay: after its first answer, before its last', () => {
  const stays = planStays(7, 8);
  const messages = stays.map(stayMessages);
  const faults = planFaults(7, 40, FAULT_KINDS, messages);
  expect(faults).toEqual(planFaults(7, 40, FAULT_KINDS, messages));
  expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
  for (const f of faults) {
    expect(f.stay).not.toBeNull();
    const sent = messages[(f.stay as number) - 1] as number;
    expect(f.afterAnswers).toBeGreaterThanOrEqual(1);
    expect(f.afterAnswers).toBeLessThan(sent);
  }
  // Spread over the stays in order, not heaped on the first.
  expect(faults.map((f) => f.stay)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
});

test('a tiny chaos run with PostgreSQL paused loses, doubles and strands nothing, a stay and a filing under review included', async () => {
  const { code, output } = await chaos(['--seed', '1', '--cases', '6', '--faults', 'pause', '--time', '150']);
  expect(output).toMatch(/cases planned \/ run \/ acknowledged\s+6 \/ 6 \/ 6/);
  expect(output).toMatch(/faults injected\s+1 \(pause 1,/);
  expect(output).toMatch(/\d+ postgres processes SIGSTOPped for \d+ ms/);
  // The pause fell inside the stay, not after it.
  expect(output).toMatch(/faults during a stay\s+1 \/ 1 \(pause 1,/);
  expect(output).toMatch(/in flight: stay 1 at \d+\/\d+ answered/);
  // And on a citizen's filing awaiting staff review, decided only after it.
  expect(output).toMatch(/faults with a filing in flight\s+1 \/ 1 \(pause 1,/);
  expect(output).toMatch(/awaiting review: case \d+/);
  expect(output).toMatch(/lost\s+0\n/);
  expect(output).toMatch(/doubled\s+0\n/);
  expect(output).toMatch(/stuck\s+0\n/);
  // The hospital lane's stay (a fifth of 6 cases: one) settled, the ledger balanced to the fen.
  expect(output).toMatch(/stays planned \/ run \/ settled\s+1 \/ 1 \/ 1/);
  expect(output).toMatch(/ledger Σ debit − Σ credit\s+0 fen/);
  expect(code).toBe(0);
}, 180_000);

test('a bad argument is refused with the usage line and exit 2', async () => {
  const { code, output } = await chaos(['--faults', 'meteor']);
  expect(code).toBe(2);
  expect(output).toContain('--faults: unknown meteor');
  expect(output).toContain('usage: npm run chaos');
});
