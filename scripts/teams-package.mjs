#!/usr/bin/env node
// Builds the Teams app package: manifest.json (deployment/teams/manifest.template.json with the values below),
// color.png (192x192) and outline.png (32x32, white on transparent), generated here, zipped at the top level as
// Teams requires. The manifest is validated against Microsoft's Teams manifest JSON schema (shipped in the npm
// package @microsoft/app-manifest) before anything is written.
//
// Usage: node scripts/teams-package.mjs --app-id GUID --host bot.example.com [--teams-app-id GUID] [--version 1.0.0] [--out FILE]
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { zipSync, strToU8 } from 'fflate';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const SCHEMA_VERSION = 'v1.19';

function args(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) fail(`bad argument: ${argv[i]}`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  return o;
}
function fail(msg) { process.stderr.write(`teams-package: ${msg}\n`); process.exit(1); }

// --- PNG (RGBA, no interlace) with node:zlib ---
const CRC = new Uint32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// A shield: inside when |x| within a width that narrows towards the bottom point.
function inShield(u, v) {
  if (v < 0.12 || v > 0.9) return false;
  const half = v < 0.55 ? 0.36 : 0.36 * (1 - (v - 0.55) / 0.35);
  return Math.abs(u - 0.5) <= half;
}
function inCheck(u, v) {
  const d1 = Math.abs((v - 0.52) - (u - 0.36) * 1.0); // short stroke down-right
  const d2 = Math.abs((v - 0.66) + (u - 0.46) * 1.3); // long stroke up-right
  return (u > 0.33 && u < 0.47 && d1 < 0.045) || (u > 0.45 && u < 0.68 && d2 < 0.045);
}
const colorIcon = () => png(192, (x, y) => {
  const u = x / 191, v = y / 191;
  if (inShield(u, v)) return inCheck(u, v) ? [0x1b, 0x4f, 0x72, 255] : [255, 255, 255, 255];
  return [0x1b, 0x4f, 0x72, 255];
});
const outlineIcon = () => png(32, (x, y) => {
  const u = x / 31, v = y / 31;
  const edge = inShield(u, v) && !inShield(0.5 + (u - 0.5) * 1.25, 0.06 + v * 0.97);
  return edge || (inShield(u, v) && inCheck(u, v)) ? [255, 255, 255, 255] : [0, 0, 0, 0];
});

export function buildManifest(values) {
  const template = readFileSync(resolve(dirname(new URL(import.meta.url).pathname), '../deployment/teams/manifest.template.json'), 'utf8');
  const text = template.replace(/\$\{([A-Z_]+)\}/g, (_m, k) => {
    if (values[k] === undefined) fail(`no value for ${k}`);
    return values[k];
  });
  return JSON.parse(text);
}

export function validateManifest(manifest) {
  const schema = require(`@microsoft/app-manifest/build/json-schemas/teams/${SCHEMA_VERSION}/MicrosoftTeams.schema.json`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return validate(manifest) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const a = args(process.argv.slice(2));
  if (!a['app-id'] || !GUID.test(a['app-id'])) fail('--app-id must be the Azure Bot app id (a GUID)');
  if (!a.host || !/^[a-z0-9.-]+$/i.test(a.host)) fail('--host must be the public host name of the bot');
  const manifest = buildManifest({
    MICROSOFT_APP_ID: a['app-id'], TEAMS_APP_ID: a['teams-app-id'] ?? randomUUID(), PUBLIC_HOST: a.host, VERSION: a.version ?? '1.0.0',
  });
  const errors = validateManifest(manifest);
  if (errors.length) fail(`manifest does not validate against the Teams ${SCHEMA_VERSION} schema:\n  ${errors.join('\n  ')}`);
  const out = resolve(a.out ?? 'dist/teams/trustline-teams.zip');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)), 'color.png': colorIcon(), 'outline.png': outlineIcon() }, { level: 9 }));
  process.stdout.write(`${out}\n`);
}
