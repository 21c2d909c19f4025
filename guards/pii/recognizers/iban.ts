import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';

/** IBAN length per country (ISO 13616 registry). */
const IBAN_LENGTH: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/**
 * A country code and two check digits at a word start, then the rest is walked character by character up to the
 * country's length (single spaces or dashes between groups allowed), and mod-97 decides. Deliberately misses:
 * IBANs of countries outside the registry above, IBANs split over two lines or two messages, and ones with a
 * typo (a wrong check digit means it is not an IBAN; the account-number recognizer may still take it from context).
 */
const START = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?=[ \-]?[A-Za-z0-9])/gu;

export function ibanMod97(iban: string): boolean {
  const s = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

function isAlnumAscii(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export const ibanRecognizer: Recognizer = {
  name: 'IbanRecognizer',
  entity: 'IBAN',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    START.lastIndex = 0;
    for (let m = START.exec(text); m; m = START.exec(text)) {
      const cc = m[0].slice(0, 2).toUpperCase();
      const len = IBAN_LENGTH[cc];
      if (len === undefined) continue;
      let compact = m[0].toUpperCase();
      let i = m.index + 4;
      let end = i;
      while (compact.length < len && i < text.length) {
        const c = text.charCodeAt(i);
        if (isAlnumAscii(c)) {
          compact += text[i]!.toUpperCase();
          i++;
          end = i;
        } else if ((c === 32 || c === 45) && i + 1 < text.length && isAlnumAscii(text.charCodeAt(i + 1)) && i === end) {
          i++; // one separator between groups
        } else break;
      }
      if (compact.length !== len) continue;
      // The IBAN must end at a word boundary (not in the middle of a longer token).
      if (end < text.length && isAlnumAscii(text.charCodeAt(end))) continue;
      if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact) || !ibanMod97(compact)) continue;
      out.push(finding('IBAN', m.index, end, 0.97, 'IbanRecognizer'));
      START.lastIndex = end;
    }
    return out;
  },
};
