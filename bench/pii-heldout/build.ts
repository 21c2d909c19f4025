/**
 * Builds heldout.jsonl from the hand-written source-*.txt files (markup described at the top of source-en-US.txt).
 * Card numbers, IBANs, SSNs, EANs and serials are generated with a seeded PRNG so that checksums are valid and the
 * output is reproducible:  npx tsx bench/pii-heldout/build.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esDc, ibanFrom, luhnComplete, luhnOk, nlElevenOk, ptNibCheck, ribKey, ssnOk } from './checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES'] as const;
const TYPES: Record<string, string> = {
  P: 'PERSON', E: 'EMAIL', T: 'PHONE', A: 'ADDRESS', Z: 'POSTCODE', B: 'DATE_OF_BIRTH', X: 'PASSPORT',
  N: 'ACCOUNT_NUMBER', I: 'IP_ADDRESS', S: 'US_SSN', C: 'CREDIT_CARD', IB: 'IBAN',
};

let seed = 0x5eed1e55;
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

function cardDigits(kind: string): string {
  if (kind === 'visa') return luhnComplete('4' + digits(14));
  if (kind === 'mc') return luhnComplete('5' + pick(['1', '2', '3', '4', '5']) + digits(13));
  if (kind === 'mc2') return luhnComplete('2' + pick(['221', '300', '500', '700']) + digits(11));
  if (kind === 'amex') return luhnComplete('3' + pick(['4', '7']) + digits(12));
  throw new Error(`unknown card kind ${kind}`);
}

function group(d: string, sizes: number[], seps: string[] | string): string {
  let out = '';
  let p = 0;
  sizes.forEach((s, i) => {
    if (i > 0) out += typeof seps === 'string' ? seps : seps[(i - 1) % seps.length];
    out += d.slice(p, p + s);
    p += s;
  });
  return out;
}

function formatCard(d: string, fmt: string): string {
  const sizes = d.length === 15 ? [4, 6, 5] : [4, 4, 4, 4];
  if (fmt === 'none') return d;
  if (fmt === 'sp') return group(d, sizes, ' ');
  if (fmt === 'dash') return group(d, sizes, '-');
  if (fmt === 'mixed') return group(d, sizes, [' ', '-', '']);
  throw new Error(`unknown card format ${fmt}`);
}

function bban(cc: string): string {
  switch (cc) {
    case 'DE': return digits(18);
    case 'AT': return digits(16);
    case 'CH': return digits(17);
    case 'GB': return pick(['NWBK', 'BARC', 'LOYD', 'MIDL']) + digits(14);
    case 'IE': return pick(['AIBK', 'BOFI']) + digits(14);
    case 'LU': return digits(3) + digits(13);
    case 'FR': {
      const bank = digits(5), branch = digits(5), acct = digits(11);
      return bank + branch + acct + ribKey(bank, branch, acct);
    }
    case 'ES': {
      const bank = digits(4), branch = digits(4), acct = digits(10);
      return bank + branch + esDc(bank, branch, acct) + acct;
    }
    case 'NL': {
      let acct = digits(10);
      while (!nlElevenOk(acct)) acct = digits(10);
      return pick(['ABNA', 'INGB', 'RABO']) + acct;
    }
    case 'BE': {
      const first = digits(10);
      const r = Number(BigInt(first) % 97n);
      return first + String(r === 0 ? 97 : r).padStart(2, '0');
    }
    case 'PT': {
      const first = digits(19);
      return first + ptNibCheck(first);
    }
    default: throw new Error(`no BBAN generator for ${cc}`);
  }
}

function formatIban(iban: string, fmt: string): string {
  const grouped = iban.replace(/(.{4})(?=.)/g, '$1 ');
  if (fmt === 'grp') return grouped;
  if (fmt === 'cmp') return iban;
  if (fmt === 'low') return grouped.toLowerCase();
  throw new Error(`unknown IBAN format ${fmt}`);
}

function ssn(fmt: string): string {
  let d = digits(9);
  while (!ssnOk(d)) d = digits(9);
  if (fmt === 'dash') return `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`;
  if (fmt === 'sp') return `${d.slice(0, 3)} ${d.slice(3, 5)} ${d.slice(5)}`;
  return d;
}

function ean13(): string {
  const body = '40' + digits(10);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return body + String((10 - (sum % 10)) % 10);
}

interface Entity { type: string; start: number; end: number }

let pendingHalf: string | null = null;
function generate(spec: string): { value: string; type: string | null } {
  const [kind, a, b] = spec.split(':');
  switch (kind) {
    case 'card': return { value: formatCard(cardDigits(a!), b!), type: 'CREDIT_CARD' };
    case 'card1': {
      const d = cardDigits(a!);
      pendingHalf = d.slice(8);
      return { value: `${d.slice(0, 4)} ${d.slice(4, 8)}`, type: 'CREDIT_CARD' };
    }
    case 'card2': {
      if (!pendingHalf) throw new Error('card2 without card1');
      const d = pendingHalf;
      pendingHalf = null;
      return { value: d.length === 8 ? `${d.slice(0, 4)} ${d.slice(4)}` : d, type: 'CREDIT_CARD' };
    }
    case 'iban': return { value: formatIban(ibanFrom(a!, bban(a!)), b!), type: 'IBAN' };
    case 'ssn': return { value: ssn(a!), type: 'US_SSN' };
    case 'nocard16': {
      let d = digits(16);
      while (luhnOk(d)) d = digits(16);
      return { value: a === 'sp' ? formatCard(d, 'sp') : d, type: null };
    }
    case 'serial16': return { value: luhnComplete(pick(['4', '5']) + digits(14)), type: null };
    case 'ean13': return { value: ean13(), type: null };
    default: throw new Error(`unknown generator ${spec}`);
  }
}

function parse(template: string): { text: string; entities: Entity[] } {
  let text = '';
  const entities: Entity[] = [];
  const re = /\[\[([A-Z]+)\|(.+?)\]\](?!\])|\{\{([^}]+)\}\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    text += template.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1]) {
      const type = TYPES[m[1]];
      if (!type) throw new Error(`unknown type code ${m[1]}`);
      entities.push({ type, start: text.length, end: text.length + m[2]!.length });
      text += m[2];
    } else {
      const g = generate(m[3]!);
      if (g.type) entities.push({ type: g.type, start: text.length, end: text.length + g.value.length });
      text += g.value;
    }
  }
  text += template.slice(last);
  return { text, entities };
}

const lines: string[] = [];
let n = 0;
for (const locale of LOCALES) {
  const src = readFileSync(join(here, `source-${locale}.txt`), 'utf8');
  for (const raw of src.split('\n')) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    const { text, entities } = parse(raw.replace(/\\n/g, '\n').replace(/\s+$/, ''));
    const id = `ho-${String(++n).padStart(4, '0')}`;
    lines.push(JSON.stringify({ id, locale, text: text.normalize('NFC'), entities }));
  }
}
// Deterministic shuffle so locales and negatives are interleaved like the dev corpus.
for (let i = lines.length - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [lines[i], lines[j]] = [lines[j]!, lines[i]!];
}
writeFileSync(join(here, 'heldout.jsonl'), lines.join('\n') + '\n');
console.log(`wrote ${lines.length} messages to heldout.jsonl`);
