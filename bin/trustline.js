#!/usr/bin/env node
// In a checkout (sources + dev dependencies) the CLI runs from the TypeScript sources through tsx, so it is never
// a stale build; a production image ships only dist/, and then the compiled CLI runs.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli', 'main.ts');
const built = join(root, 'dist', 'cli', 'main.js');
let tsx;
if (existsSync(source)) {
  try { tsx = await import('tsx/esm/api'); } catch { tsx = undefined; }
}
if (tsx) {
  tsx.register();
  await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write('trustline: not built; run `npm run build` first\n');
  process.exit(2);
}
