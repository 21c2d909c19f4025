import type { Finding, Recognizer, RecognizerContext } from '../types.js';
import { before, digitsOf, finding, hasNonPiiContextBefore } from '../text.js';

/**
 * Candidates: an optional "+" or "00", then digits and bracketed groups joined by at most two separators (space,
 * dot, dash, slash). Each candidate is then classified by its digits and grouping (see `classify`). Deliberately
 * misses: numbers spelled in words ("five five five"), extensions ("x204" is left), vanity numbers (1-800-FLOWERS),
 * numbers broken over a line, and local numbers without an area code unless a phone word is near.
 */
const CANDIDATE =
  /(?<![\p{L}\p{N}+.\-/])(?:(?:\+|00)[ \u00a0]?)?(?:\([ ]?\+?\d{1,5}[ ]?\)[ \t.\-/\u00a0]{0,2}|\d)(?:[ \t.\-/\u00a0]{0,2}(?:\([ ]?\d{1,5}[ ]?\)|\d)){2,18}(?![\p{L}\p{N}]|[.\-/]\d)/gu;

/** Words that make a short or bare number a phone number. Misses: slang ("digits", "hmu"). */
const PHONE_CONTEXT =
  /(?:phone|tel\b|tél|tele|telf|tlf|cell|mobile|mobil|móvil|movil|portable|landline|fixe|fijo|festnetz|handy|fax|whatsapp|sms|text me|call me|call|ring|reach|contact|number|nummer|numéro|número|rufnummer|erreichbar|joignable|localizable|llamar|llámame|anrufen|appeler|area code|vorwahl|indicatif|prefijo)/;

/** Dates are not phones. Misses nothing we want: a phone written like a date (12.05.2024) is not plausible. */
const DATE_LIKE = /^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$/;
/** "area code 719" (a number given in pieces). Misses: "the code is 719" without the words "area code". */
const AREA_CODE_BEFORE = /(?:area code|vorwahl|indicatif|prefijo|código de área)\s*:?\s*$/;

function nanp(d: string): boolean {
  // NXX-NXX-XXXX: area and exchange start with 2-9.
  return d.length === 10 && d[0]! >= '2' && d[3]! >= '2';
}

function groupLengths(raw: string): number[] {
  const out: number[] = [];
  const re = /\d+/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push(m[0].length);
  return out;
}

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Score for a candidate, or 0 when it is not a phone number. */
export function classifyPhone(raw: string, ctx: RecognizerContext, start: number): number {
  const trimmed = raw.trim();
  if (DATE_LIKE.test(trimmed)) return 0;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(trimmed)) return 0; // IPv4: the IP recognizer's
  const intl = trimmed.startsWith('+') || trimmed.startsWith('00');
  let d = digitsOf(trimmed);
  const groups = groupLengths(trimmed);
  const phoneCtx = (): boolean => PHONE_CONTEXT.test(before(ctx, start, 40));

  if (intl) {
    if (d.startsWith('00')) {
      // "00" can also start a parcel or reference number: only the "+" form is unambiguous.
      if (hasNonPiiContextBefore(ctx, start)) return 0;
      d = d.slice(2);
    }
    // Country codes never start with 0: "000123456789" is an account or reference number.
    if (d.startsWith('0')) return 0;
    const trunk = /\(\s?0\s?\)/.test(trimmed);
    const rest = (cc: string): string => {
      let r = d.slice(cc.length);
      if (trunk && r.startsWith('0')) r = r.slice(1);
      return r;
    };
    if (d.startsWith('1') && nanp(rest('1'))) return 0.9;
    if (d.startsWith('44')) return rest('44').length >= 9 && rest('44').length <= 10 ? 0.9 : 0;
    if (d.startsWith('49')) {
      const r = rest('49').replace(/^0/, '');
      return r.length >= 6 && r.length <= 13 ? 0.9 : 0;
    }
    if (d.startsWith('33')) return rest('33').replace(/^0/, '').length === 9 ? 0.9 : 0;
    if (d.startsWith('34')) return rest('34').length === 9 ? 0.9 : 0;
    return d.length >= 8 && d.length <= 15 ? 0.75 : 0;
  }

  if (hasNonPiiContextBefore(ctx, start)) return 0;
  const n = d.length;

  // North American: 1-NXX-NXX-XXXX, (NXX) NXX-XXXX, NXX.NXX.XXXX, NXXNXXXXXX.
  if (n === 11 && d[0] === '1' && nanp(d.slice(1))) return groups.length > 1 ? 0.8 : 0.6;
  if (n === 10 && nanp(d)) {
    if (same(groups, [3, 3, 4])) return 0.8;
    if (groups.length === 1) return phoneCtx() ? 0.75 : 0.55;
  }
  // 3-3-4 with separators is phone-shaped even when the area code breaks the NANP rules (555-style fiction, typos).
  if (n === 10 && d[0] !== '0' && same(groups, [3, 3, 4]) && /^\(?\d{3}\)?[ .\-]\d{3}[ .\-]\d{4}$/.test(trimmed)) return 0.7;
  // Trunk prefix 0: UK (10-11 digits), DE (9-12), FR (10, pairs).
  if (d[0] === '0' && d[1] !== '0' && n >= 9 && n <= 12) {
    if (n === 10 && (same(groups, [2, 2, 2, 2, 2]) || groups.length === 1) && ctx.lang === 'fr') return 0.8;
    if (n === 10 && same(groups, [2, 2, 2, 2, 2])) return 0.8;
    if (same(groups, [5, 4])) return 0; // ZIP+4 shape
    const first = groups[0] ?? 0;
    if (groups.length === 1 || (first >= 2 && first <= 5 && groups.length <= 4)) return phoneCtx() ? 0.8 : 0.7;
    return phoneCtx() ? 0.6 : 0;
  }
  // Spain: 9 digits starting 6-9.
  if (n === 9 && d[0]! >= '6') {
    if (same(groups, [3, 3, 3]) || same(groups, [3, 2, 2, 2]) || same(groups, [2, 3, 2, 2])) return 0.75;
    if (groups.length === 1 && phoneCtx()) return 0.7;
    return 0;
  }
  // Pieces: an area code alone, or a 7-digit local number, next to phone words.
  if (n === 3 && groups.length === 1 && d[0]! >= '2' && AREA_CODE_BEFORE.test(before(ctx, start, 30))) return 0.75;
  if (n === 7 && (same(groups, [3, 4]) || groups.length === 1) && d[0]! >= '2' && phoneCtx()) return 0.7;
  if (n >= 6 && n <= 8 && groups.length <= 3 && phoneCtx() && /(?:tel|phone|mobile|cell|handy|telefon|téléphone|teléfono|móvil|portable)\W*$/.test(before(ctx, start, 20))) return 0.6;
  return 0;
}

export const phoneRecognizer: Recognizer = {
  name: 'PhoneRecognizer',
  entity: 'PHONE',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
      const raw = m[0];
      const s = m.index;
      let score = classifyPhone(raw, ctx, s);
      if (score > 0) {
        out.push(finding('PHONE', s, s + raw.length, score, 'PhoneRecognizer'));
        continue;
      }
      // A number glued to a neighbour by a space: try without the last group, then without the first.
      const lastSep = raw.search(/[ \t.\-/\u00a0]+\d+$/);
      if (lastSep > 0) {
        const head = raw.slice(0, lastSep);
        score = classifyPhone(head, ctx, s);
        if (score >= 0.75) {
          out.push(finding('PHONE', s, s + head.length, score - 0.05, 'PhoneRecognizer'));
          continue;
        }
      }
      const firstSep = /^\d+[ \t\u00a0]+/.exec(raw);
      if (firstSep && !raw.startsWith('+')) {
        const tailStart = s + firstSep[0].length;
        const tail = raw.slice(firstSep[0].length);
        score = classifyPhone(tail, ctx, tailStart);
        if (score >= 0.75) out.push(finding('PHONE', tailStart, s + raw.length, score - 0.05, 'PhoneRecognizer'));
      }
    }
    return out;
  },
};
