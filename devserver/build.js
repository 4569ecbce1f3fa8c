// Compiles the devserver to plain CommonJS in dist/devserver/ with esbuild (the one tsx ships), so
// bin/yidi-devserver and the platform's in-process devserver run no TypeScript transpiler on start.
// Plain JavaScript on purpose: it runs before anything can transpile. `ensureBuilt()` rebuilds on first
// use when the sources changed since the last build (content hash), so a fresh clone, `npm ci
// --ignore-scripts` or an edited source never runs stale code; `npm ci` builds it ahead (prepare).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCES = path.join(ROOT, 'devserver');
const OUT = path.join(ROOT, 'dist', 'devserver');
const STAMP = path.join(OUT, 'stamp');
const ENTRIES = ['main', 'index'];

function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(file));
    else if (entry.name.endsWith('.ts') || entry.name === 'build.js') out.push(file);
  }
  return out.sort();
}

/** Hash of every source file (names and contents): ~1 ms for the devserver's ~200 kB. */
function sourceHash() {
  const hash = crypto.createHash('sha256');
  for (const file of sourceFiles(SOURCES)) {
    hash.update(path.relative(SOURCES, file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function isFresh(hash) {
  try {
    return (
      fs.readFileSync(STAMP, 'utf8') === hash &&
      ENTRIES.every((name) => fs.existsSync(path.join(OUT, `${name}.js`)))
    );
  } catch {
    return false;
  }
}

/** Writes a file by rename, so a process that starts while another builds reads an old or a new one. */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

function build(hash = sourceHash()) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: ENTRIES.map((name) => path.join(SOURCES, `${name}.ts`)),
    outdir: OUT,
    bundle: true,
    // Dependencies stay in node_modules (grpc-js, @temporalio/proto): required at run time as usual.
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    write: false,
    logLevel: 'error',
  });
  fs.mkdirSync(OUT, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  writeAtomically(STAMP, hash);
}

/** Builds when the sources changed since the last build; returns the folder with main.js and index.js. */
function ensureBuilt() {
  const hash = sourceHash();
  if (!isFresh(hash)) build(hash);
  return OUT;
}

module.exports = { build, ensureBuilt, OUT };

if (require.main === module) build();
