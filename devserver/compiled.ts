/**
 * The devserver's entry point from its compiled bundle (dist/devserver/index.js, rebuilt first if the
 * sources changed): what `npm start` runs in-process, so the hot path is not transpiled TypeScript.
 */
import path from 'node:path';
import type * as Index from './index';

export function compiledDevServer(): typeof Index {
  const { ensureBuilt } = require('./build.js') as { ensureBuilt(): string };
  return require(path.join(ensureBuilt(), 'index.js')) as typeof Index;
}
