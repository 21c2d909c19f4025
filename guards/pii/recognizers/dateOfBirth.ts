import type { Finding, Recognizer, RecognizerContext } from '../types.js';
import { after, before, finding } from '../text.js';

/** Month names and common abbreviations in English, German, French and Spanish. */
export const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|' +
  'jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|' +
  'januar|jänner|februar|märz|maerz|mai|juni|juli|oktober|dezember|mär|okt|dez|' +
  'janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|' +
  'janv|févr|fevr|avr|juil|déc|' +
  'enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|' +
  'ene|abr|ago|dic';

const DAY = '(?:3[01]|[12]\\d|0?[1-9])';
const YEAR4 = '(?:1[89]\\d\\d|20\\d\\d)';
const YEAR = `(?:${YEAR4}|'?\\d\\d)`;
const ORD = '(?:st|nd|rd|th|er|\\.|º|°)?';

/**
 * Dates in the shapes people type: 27. Februar 1945, 18th of February 1990, 7 de octubre de 1973, 3 mars 1961,
 * November 29 1945, September 9th, 1958, 22.07.77, 15/7/52, 1955-12-09, 08-15-1941. A birth date is a date with a
 * birth word before it (see BIRTH_BEFORE); every other date is left alone (deliveries, appointments, invoices).
 * Deliberately misses: dates written fully in words ("the twelfth of May"), day-month without a year after a birth
 * word is taken ("born 3 March") but a bare year is taken only right after "born in"/"geboren"/"né en"/"nacido en".
 */
const DATE = new RegExp(
  [
    // day month year (the year is optional only when a birth word is right before; checked below)
    `(?<![\\p{L}\\p{N}])${DAY}${ORD}(?:\\s+of|\\s+de)?\\s+(?:${MONTHS})\\.?(?:,?\\s+(?:de\\s+)?${YEAR4})?(?![\\p{L}\\p{N}])`,
    // month day year
    `(?<![\\p{L}\\p{N}])(?:${MONTHS})\\.?\\s+${DAY}(?:st|nd|rd|th)?(?:,?\\s+${YEAR4})?(?![\\p{L}\\p{N}])`,
    // numeric d/m/y, m/d/y
    `(?<![\\p{L}\\p{N}./-])\\d{1,2}([./-])\\d{1,2}\\1${YEAR}(?![\\p{L}\\p{N}]|[./-]\\d)`,
    // ISO y-m-d
    `(?<![\\p{L}\\p{N}./-])${YEAR4}([./-])\\d{1,2}\\2\\d{1,2}(?![\\p{L}\\p{N}]|[./-]\\d)`,
  ].join('|'),
  'giu',
);

/**
 * A bare year right after a birth phrase ("born in 1985", "Jahrgang 1985", "né en 1985", "nacido en 1985"). Misses: a
 * year further away ("born in Leeds in 1985") - the year alone is weak personal data.
 */
const BIRTH_YEAR = new RegExp(
  `(?:born in|born|geboren|jahrgang|né en|née en|né\\(e\\) en|nacido en|nacida en|nací en|naci en)\\s+(${YEAR4})(?![\\p{L}\\p{N}])`,
  'giu',
);

/**
 * Birth words; the last one before the date must be nearer than any other date word (delivery, appointment, ...).
 * Misses: "anniversary", and an age ("I'm 34") which is not a date.
 */
const BIRTH_WORD =
  /(?:born|birth|dob\b|d\.o\.b|b-day|bday|birthday|geboren|geb\.|geburt|né\(e\)|née(?![a-z])|né(?![a-z])|nee\b|naissance|nacid[oa]|nací|naci\b|nacimiento|nac\.|f\. nac|cumpleaños|anniversaire)/g;
/** Words of non-birth dates; misses rarer ones ("warranty"), where the nearer birth word then wins. */
const OTHER_DATE_WORD =
  /(?:deliver|delivery|appointment|slot|invoice|order|ship|arriv|expir|valid|until|due|booking|booked|meeting|visit|liefer|termin|rechnung|bestell|bis zum|gültig|livraison|rendez-vous|rdv|facture|commande|jusqu|valable|entrega|cita|factura|pedido|hasta|válid|caduc)/g;

function lastIndex(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let last = -1;
  for (let m = re.exec(s); m; m = re.exec(s)) last = m.index;
  return last;
}

function validNumeric(s: string): boolean {
  const parts = s.split(/[./-]/).map(Number);
  if (parts.length !== 3) return false;
  const [a, b, c] = parts as [number, number, number];
  if (s.split(/[./-]/)[0]!.length === 4) return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  // d/m or m/d: one reading must be a real day and month.
  return ((a >= 1 && a <= 31 && b >= 1 && b <= 12) || (a >= 1 && a <= 12 && b >= 1 && b <= 31)) && c >= 0;
}

/** True when a birth word precedes `start` (same line, 45 characters) with no other kind of date word after it. */
export function birthContextBefore(ctx: RecognizerContext, start: number): boolean {
  const w = before(ctx, start, 45);
  const b = lastIndex(BIRTH_WORD, w);
  if (b < 0) return false;
  return lastIndex(OTHER_DATE_WORD, w) < b;
}

function birthContextAfter(ctx: RecognizerContext, end: number): boolean {
  return /^[\s,:)(-]*(?:(?:is my|as my|my)?\s*(?:date of birth|birth ?date|birthday|dob|geburtsdatum|geburtstag|date de naissance|fecha de nacimiento|cumpleaños)|geboren|born)/.test(
    after(ctx, end, 40),
  );
}

export const dateOfBirthRecognizer: Recognizer = {
  name: 'DateOfBirthRecognizer',
  entity: 'DATE_OF_BIRTH',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    BIRTH_WORD.lastIndex = 0;
    if (!BIRTH_WORD.test(ctx.lower)) return out;
    DATE.lastIndex = 0;
    for (let m = DATE.exec(text); m; m = DATE.exec(text)) {
      const s = m[0];
      const start = m.index;
      const numeric = /^\d[\d./-]*$/.test(s);
      if (numeric && !validNumeric(s)) continue;
      if (!numeric && !/\p{L}/u.test(s)) continue;
      if (birthContextBefore(ctx, start) || birthContextAfter(ctx, start + s.length)) {
        out.push(finding('DATE_OF_BIRTH', start, start + s.length, 0.9, 'DateOfBirthRecognizer'));
      }
    }
    const dated = new Set(out.map((f) => f.end));
    BIRTH_YEAR.lastIndex = 0;
    for (let m = BIRTH_YEAR.exec(ctx.lower); m; m = BIRTH_YEAR.exec(ctx.lower)) {
      const y = m[1]!;
      const start = m.index + m[0].length - y.length;
      // A year already inside a full date ends where that date ends.
      if (dated.has(start + y.length)) continue;
      out.push(finding('DATE_OF_BIRTH', start, start + y.length, 0.8, 'DateOfBirthRecognizer'));
    }
    return out;
  },
};
