#!/usr/bin/env node
// Renders a Redis ACL template (deployment/redis/*.acl.template): each __NAME_SHA256__ placeholder becomes the
// SHA-256 of the password in the environment variable NAME, so the file holds hashes, never passwords.
// Usage: node scripts/redis-acl.mjs TEMPLATE OUT   (OUT is written with mode 0600; "-" prints to stdout)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';

const [template, out] = process.argv.slice(2);
if (!template || !out) {
  process.stderr.write('usage: node scripts/redis-acl.mjs TEMPLATE OUT\n');
  process.exit(2);
}
const missing = new Set();
const text = readFileSync(template, 'utf8').replace(/__([A-Z0-9_]+)_SHA256__/g, (_m, name) => {
  const pw = process.env[name];
  if (!pw || pw.length < 16) { missing.add(name); return ''; }
  return createHash('sha256').update(pw, 'utf8').digest('hex');
});
// Redis refuses comments and blank lines in an ACL file: the template's explanations stay in the template.
const rendered = text.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#')).join('\n') + '\n';
if (missing.size) {
  process.stderr.write(`redis-acl: set these to passwords of at least 16 characters: ${[...missing].join(', ')}\n`);
  process.exit(1);
}
if (out === '-') process.stdout.write(rendered);
else { writeFileSync(out, rendered, { mode: 0o600 }); chmodSync(out, 0o600); }
