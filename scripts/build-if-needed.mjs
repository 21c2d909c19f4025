// `npm start` builds when a source file is newer than the last build (or there is none), then exits.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.buildstamp');
const SKIP = new Set(['node_modules', 'dist', 'test', '.git', '.trustline', 'deployment', 'bench']);

function newest(dir) {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) m = Math.max(m, newest(p));
    else if (/\.(ts|json)$/.test(e.name)) m = Math.max(m, statSync(p).mtimeMs);
  }
  return m;
}

if (!existsSync(stamp) || statSync(stamp).mtimeMs < newest(root)) {
  process.stdout.write('trustline: building...\n');
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  } catch {
    process.stderr.write('trustline: the build failed (errors above); not starting\n');
    process.exit(1);
  }
  writeFileSync(stamp, new Date().toISOString());
}
