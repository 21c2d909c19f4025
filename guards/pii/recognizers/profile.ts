import type { EntityType, Finding, ProfileValues, Recognizer } from '../types.js';
import { digitsOf, finding } from '../text.js';
import { isNotName } from '../gazetteer.js';

/**
 * The verified customer's own values (we know their name, e-mail, phone, address and birth date): found wherever
 * they appear, in any spacing, case, accents or format. Names also match reversed ("Smith, Jane") and by each part
 * of three letters or more; phones by their last nine digits; birth dates in every numeric and written format of
 * the four languages. Deliberately misses: nicknames ("Bob" for Robert), transliterations, and misspellings.
 */

const MONTH_NAMES: readonly string[][] = [
  ['january', 'jan', 'januar', 'jänner', 'janvier', 'janv', 'enero', 'ene'],
  ['february', 'feb', 'februar', 'février', 'fevrier', 'févr', 'fevr', 'febrero'],
  ['march', 'mar', 'märz', 'maerz', 'mär', 'mars', 'marzo'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr'],
  ['may', 'mai', 'mayo'],
  ['june', 'jun', 'juni', 'juin', 'junio'],
  ['july', 'jul', 'juli', 'juillet', 'juil', 'julio'],
  ['august', 'aug', 'août', 'aout', 'agosto', 'ago'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre'],
  ['october', 'oct', 'oktober', 'okt', 'octobre', 'octubre'],
  ['november', 'nov', 'novembre', 'noviembre'],
  ['december', 'dec', 'dezember', 'dez', 'décembre', 'decembre', 'déc', 'diciembre', 'dic'],
];

/** Same-length fold: each UTF-16 unit lower-cased and stripped of its accent ("Rubén" -> "ruben"). */
export function foldSameLength(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const c = ch.charCodeAt(0);
    if (c < 128) {
      out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch;
      continue;
    }
    const base = ch.normalize('NFD')[0]!.toLowerCase();
    out += base.length === 1 ? base : ch;
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SEP = "[\\s.,'’\\-/]*";
const STREET_ABBR: Record<string, string> = {
  street: 'street|st', st: 'street|st', road: 'road|rd', rd: 'road|rd', avenue: 'avenue|ave|av', ave: 'avenue|ave|av',
  drive: 'drive|dr', dr: 'drive|dr', lane: 'lane|ln', ln: 'lane|ln', court: 'court|ct', ct: 'court|ct', place: 'place|pl',
  pl: 'place|pl', boulevard: 'boulevard|blvd|bd', blvd: 'boulevard|blvd|bd', strasse: 'strasse|str', str: 'strasse|str',
  calle: 'calle|c|cl', c: 'calle|c|cl', avenida: 'avenida|avda|av', avda: 'avenida|avda|av',
};

interface Compiled {
  patterns: Array<{ type: EntityType; re: RegExp; score: number }>;
  phones: string[];
}

const cache = new Map<string, Compiled>();

function wordsOf(s: string): string[] {
  return foldSameLength(s.normalize('NFC'))
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function datePatterns(iso: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso.trim());
  if (!m) return [];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const day = String(Number(d));
  const mon = String(Number(mo));
  const yy = y.slice(2);
  const D = `0?${day}`;
  const M = `0?${mon}`;
  const Y = `(?:${y}|'?${yy})`;
  const S = '[./\\- ]';
  const names = (MONTH_NAMES[Number(mo) - 1] ?? []).map(esc).join('|');
  const ord = '(?:st|nd|rd|th|er|\\.|º)?';
  return [
    `${D}${S}${M}${S}${Y}`,
    `${M}${S}${D}${S}${Y}`,
    `${y}${S}${M}${S}${D}`,
    `${D}${ord}\\s*(?:of\\s+|de\\s+)?(?:${names})\\.?,?\\s*(?:de\\s+)?${y}`,
    `(?:${names})\\.?\\s+${D}${ord},?\\s*${y}`,
  ];
}

function compile(p: ProfileValues): Compiled {
  const key = JSON.stringify(p);
  const hit = cache.get(key);
  if (hit) return hit;
  const patterns: Compiled['patterns'] = [];
  const wrap = (body: string): string => `(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`;
  for (const name of p.names ?? []) {
    const w = wordsOf(name);
    if (w.length === 0) continue;
    const full = [w.map(esc).join(SEP)];
    if (w.length >= 2) full.push([w[w.length - 1]!, ...w.slice(0, -1)].map(esc).join(SEP));
    patterns.push({ type: 'PERSON', re: new RegExp(wrap(full.join('|')), 'gu'), score: 0.99 });
    const parts = w.filter((x) => x.length >= 3 && !isNotName(x));
    if (parts.length > 0) patterns.push({ type: 'PERSON', re: new RegExp(wrap(parts.map(esc).join('|')), 'gu'), score: 0.7 });
  }
  for (const email of p.emails ?? []) {
    const e = foldSameLength(email.trim());
    if (e) patterns.push({ type: 'EMAIL', re: new RegExp(wrap(esc(e)), 'gu'), score: 0.99 });
  }
  for (const addr of p.addresses ?? []) {
    const w = wordsOf(addr);
    if (w.length === 0) continue;
    const body = w.map((x) => (STREET_ABBR[x] ? `(?:${STREET_ABBR[x]})` : esc(x))).join(SEP);
    patterns.push({ type: 'ADDRESS', re: new RegExp(wrap(body), 'gu'), score: 0.99 });
  }
  for (const dob of p.birthDates ?? []) {
    const alts = datePatterns(dob);
    if (alts.length) patterns.push({ type: 'DATE_OF_BIRTH', re: new RegExp(wrap(alts.join('|')), 'gu'), score: 0.99 });
  }
  const phones = (p.phones ?? []).map((x) => digitsOf(x)).filter((d) => d.length >= 6);
  const out = { patterns, phones };
  if (cache.size > 256) cache.clear();
  cache.set(key, out);
  return out;
}

/** Digit runs to compare with the profile phones. Misses: numbers with letters inside ("0800-FLOWERS"). */
const PHONE_RUN = /(?<![\p{L}\p{N}])\+?[\d(][\d\s().\-/]{4,24}\d(?![\p{N}])/gu;

/** Same number if the last nine digits agree (drops +44 / 0044 / 0 trunk prefixes), or all digits for short ones. */
function samePhone(a: string, b: string): boolean {
  if (a.length >= 9 && b.length >= 9) return a.slice(-9) === b.slice(-9);
  return a === b;
}

export const profileRecognizer: Recognizer = {
  name: 'ProfileRecognizer',
  entity: ['PERSON', 'EMAIL', 'PHONE', 'ADDRESS', 'DATE_OF_BIRTH'],
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    const p = ctx.profile;
    if (!p) return out;
    const c = compile(p);
    if (c.patterns.length > 0) {
      const folded = foldSameLength(text);
      for (const { type, re, score } of c.patterns) {
        re.lastIndex = 0;
        for (let m = re.exec(folded); m; m = re.exec(folded)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          out.push(finding(type, m.index, m.index + m[0].length, score, 'ProfileRecognizer'));
        }
      }
    }
    if (c.phones.length > 0 && ctx.hasDigit) {
      PHONE_RUN.lastIndex = 0;
      for (let m = PHONE_RUN.exec(text); m; m = PHONE_RUN.exec(text)) {
        const raw = m[0].replace(/[\s(.\-/]+$/, '');
        const d = digitsOf(raw);
        if (c.phones.some((ph) => samePhone(d, ph))) out.push(finding('PHONE', m.index, m.index + raw.length, 0.99, 'ProfileRecognizer'));
      }
    }
    return out;
  },
};
