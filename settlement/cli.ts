// npm run --silent settle < input.json — one vector-format case in, one settlement out.
// Exit 2 with a one-line reason on bad input; nothing is clamped or defaulted.
import { readFileSync } from 'node:fs';
import { describeErrors } from './errors';
import { runVector } from './vector';

function main(): number {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(0, 'utf8'));
  } catch (e) {
    process.stderr.write(`bad input: not JSON (${e instanceof Error ? e.message : String(e)})\n`);
    return 2;
  }
  const r = runVector(input);
  if (!r.ok) {
    process.stderr.write(`bad input: ${describeErrors(r.errors)}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(r.value, null, 2)}\n`);
  return 0;
}

process.exitCode = main();
