/**
 * Validates heldout.jsonl:  npx tsx bench/pii-heldout/validate.ts [file]
 * - format: id, locale (five locales), NFC text, entities of the 12 types with integer offsets in range, sorted,
 *   non-overlapping, no span starting or ending in white space;
 * - values: every hand-labelled span equals the value written in the source-*.txt markup (ids follow source order);
 * - checksums: cards pass Luhn with a Visa/Mastercard/Amex prefix and length (two halves: their concatenation),
 *   IBANs pass the length table, mod-97 and the national check (FR, ES, NL, BE, PT), SSNs are in SSA-valid ranges;
 * - hard negatives: no unlabelled "@" e-mail; unlabelled Luhn-valid 13-19 digit runs are listed for review.
 * Prints the composition tables. Exits 1 on any error.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ibanChecksumOk, ibanNationalOk, luhnOk, ssnOk } from './checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const file = resolve(process.cwd(), process.argv[2] ?? join(here, 'heldout.jsonl'));
const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES'];
const TYPES = ['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'IP_ADDRESS', 'DATE_OF_BIRTH', 'PERSON', 'ADDRESS', 'POSTCODE', 'PASSPORT', 'ACCOUNT_NUMBER'];
const CODES: Record<string, string> = {
  P: 'PERSON', E: 'EMAIL', T: 'PHONE', A: 'ADDRESS', Z: 'POSTCODE', B: 'DATE_OF_BIRTH', X: 'PASSPORT',
  N: 'ACCOUNT_NUMBER', I: 'IP_ADDRESS', S: 'US_SSN', C: 'CREDIT_CARD', IB: 'IBAN',
};

interface Msg { id: string; locale: string; text: string; entities: Array<{ type: string; start: number; end: number }> }
const errors: string[] = [];
const warnings: string[] = [];
const msgs: Msg[] = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Msg);

// Expected literal values per source position (ids are assigned in source order before the shuffle).
const expected: Array<Array<{ type: string; value: string }>> = [];
for (const locale of LOCALES) {
  for (const raw of readFileSync(join(here, `source-${locale}.txt`), 'utf8').split('\n')) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    const vals: Array<{ type: string; value: string }> = [];
    for (const m of raw.matchAll(/\[\[([A-Z]+)\|(.+?)\]\](?!\])/g)) vals.push({ type: CODES[m[1]!]!, value: m[2]! });
    expected.push(vals);
  }
}

const ids = new Set<string>();
for (const m of msgs) {
  const where = m.id;
  if (ids.has(m.id)) errors.push(`${where}: duplicate id`);
  ids.add(m.id);
  if (!LOCALES.includes(m.locale)) errors.push(`${where}: bad locale ${m.locale}`);
  if (m.text !== m.text.normalize('NFC')) errors.push(`${where}: text not NFC`);
  let prevEnd = -1;
  const spans: Array<{ type: string; value: string }> = [];
  for (const e of m.entities) {
    if (!TYPES.includes(e.type)) errors.push(`${where}: unknown type ${e.type}`);
    if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end > m.text.length || e.start >= e.end) {
      errors.push(`${where}: bad offsets ${e.start}-${e.end}`);
      continue;
    }
    if (e.start < prevEnd) errors.push(`${where}: overlapping or unsorted spans at ${e.start}`);
    prevEnd = e.end;
    const v = m.text.slice(e.start, e.end);
    if (/^\s|\s$/.test(v)) errors.push(`${where}: ${e.type} span starts or ends with white space`);
    spans.push({ type: e.type, value: v });
  }
  // Hand-labelled values.
  const k = Number(m.id.slice(3)) - 1;
  const exp = expected[k];
  if (!exp) errors.push(`${where}: no source line`);
  else {
    const got = spans.filter((s) => exp.some((x) => x.type === s.type) || !['CREDIT_CARD', 'IBAN', 'US_SSN'].includes(s.type));
    const lit = got.filter((s) => !(['CREDIT_CARD', 'IBAN', 'US_SSN'].includes(s.type) && !exp.some((x) => x.value === s.value)));
    if (JSON.stringify(lit) !== JSON.stringify(exp)) errors.push(`${where}: labelled values differ from the source markup`);
  }
  // Checksums.
  const cards = spans.filter((s) => s.type === 'CREDIT_CARD').map((s) => s.value.replace(/\D/g, ''));
  for (let i = 0; i < cards.length; i++) {
    let d = cards[i]!;
    if (d.length < 13) {
      d += cards[++i] ?? '';
    }
    const lenOk = (/^4/.test(d) && [13, 16, 19].includes(d.length)) || (/^(5[1-5]|2[2-7])/.test(d) && d.length === 16) || (/^3[47]/.test(d) && d.length === 15);
    if (!luhnOk(d) || !lenOk) errors.push(`${where}: card fails Luhn/issuer/length`);
  }
  for (const s of spans.filter((x) => x.type === 'IBAN')) {
    const c = s.value.replace(/[\s-]/g, '');
    if (!ibanChecksumOk(c)) errors.push(`${where}: IBAN fails length/mod-97`);
    else if (!ibanNationalOk(c)) errors.push(`${where}: IBAN fails the national check`);
  }
  for (const s of spans.filter((x) => x.type === 'US_SSN')) if (!ssnOk(s.value.replace(/\D/g, ''))) errors.push(`${where}: SSN out of range`);
  // Unlabelled text.
  let rest = '';
  let p = 0;
  for (const e of m.entities) {
    rest += m.text.slice(p, e.start) + ' '.repeat(e.end - e.start);
    p = e.end;
  }
  rest += m.text.slice(p);
  if (/[\w.+-]+@[\w-]+\.[a-z]{2,}/i.test(rest)) errors.push(`${where}: unlabelled e-mail`);
  for (const run of rest.matchAll(/\d(?:[ -]?\d){12,18}/g)) {
    if (luhnOk(run[0].replace(/\D/g, ''))) warnings.push(`${where}: unlabelled Luhn-valid digit run (serial/reference hard negative?)`);
  }
}

// Composition.
const byLoc = new Map<string, { m: number; pii: number; free: number; ents: number }>();
const byType = new Map<string, Record<string, number>>();
for (const m of msgs) {
  const l = byLoc.get(m.locale) ?? { m: 0, pii: 0, free: 0, ents: 0 };
  l.m++;
  if (m.entities.length) l.pii++;
  else l.free++;
  l.ents += m.entities.length;
  byLoc.set(m.locale, l);
  for (const e of m.entities) {
    const t = byType.get(e.type) ?? {};
    t[m.locale] = (t[m.locale] ?? 0) + 1;
    byType.set(e.type, t);
  }
}
const total = msgs.length;
const ents = msgs.reduce((a, m) => a + m.entities.length, 0);
const free = msgs.filter((m) => m.entities.length === 0).length;
const meanLen = msgs.reduce((a, m) => a + m.text.length, 0) / total;
console.log(`${total} messages (${total - free} with PII, ${free} = ${Math.round((100 * free) / total)}% without), ${ents} entities, mean length ${meanLen.toFixed(0)}\n`);
console.log('| locale | messages | with PII | no PII | entities |\n|---|---:|---:|---:|---:|');
for (const loc of LOCALES) {
  const l = byLoc.get(loc)!;
  console.log(`| ${loc} | ${l.m} | ${l.pii} | ${l.free} | ${l.ents} |`);
}
console.log(`\n| entity type | total | ${LOCALES.join(' | ')} |\n|---|---:|${LOCALES.map(() => '---:').join('|')}|`);
for (const t of TYPES) {
  const r = byType.get(t) ?? {};
  const sum = Object.values(r).reduce((a, b) => a + b, 0);
  if (sum === 0) errors.push(`no ${t} entity at all`);
  console.log(`| ${t} | ${sum} | ${LOCALES.map((l) => r[l] ?? 0).join(' | ')} |`);
}
for (const w of warnings) console.log(`note: ${w}`);
if (errors.length) {
  for (const e of errors) console.error(`ERROR ${e}`);
  process.exit(1);
}
console.log('\nall spans valid');
