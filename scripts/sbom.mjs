#!/usr/bin/env node
// Software bill of materials of the production dependencies (CycloneDX JSON) via `npm sbom`, written to
// dist/sbom.cdx.json (or the path given). `--legacy-peer-deps`: a development-only dependency hoists a React
// version outside botframework-webchat's declared peer range, which makes `npm sbom` refuse the tree; the listed
// packages are the installed ones either way.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'dist/sbom.cdx.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const text = execFileSync(npm, ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev', '--legacy-peer-deps'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const bom = JSON.parse(text);
if (bom.bomFormat !== 'CycloneDX' || !Array.isArray(bom.components)) throw new Error('npm sbom did not produce a CycloneDX document');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(bom, null, 2) + '\n');
process.stdout.write(`${out}: CycloneDX ${bom.specVersion}, ${bom.components.length} components\n`);
