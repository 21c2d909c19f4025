import type { Finding, Recognizer, RecognizerContext } from '../types.js';
import { before, digitsOf, finding, hasNonPiiContextBefore, luhnValid, Occupancy } from '../text.js';

/** Issuer prefixes and lengths we accept (Visa, Mastercard incl. 2-series, Amex, Discover, JCB, Diners, Maestro). */
export function plausibleCard(d: string): boolean {
  const n = d.length;
  if (n < 13 || n > 19) return false;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  const p3 = Number(d.slice(0, 3));
  if (d[0] === '4') return n === 16 || n === 19; // Visa (13-digit Visa is retired; EAN-13 barcodes start with 40-44)
  if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return n === 16; // Mastercard 2-series
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16; // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16; // JCB
  if (p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305)) return n >= 14; // Diners
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 16; // Maestro (shorter ones collide with EAN-13 barcodes)
  return false;
}

/**
 * Runs of digit groups joined by one space, dash or dot (mixed separators allowed: "4056.3469-1736 3998").
 * Each run is split into its groups and the longest run of whole groups that is Luhn-valid with an issuer prefix
 * wins. Deliberately misses: numbers with two separators between groups ("4111 - 1111"), numbers broken by a
 * newline, and non-Luhn numbers (by design: they are order numbers, not cards).
 */
const RUN = /(?<![\p{L}\p{N}])\d{1,19}(?:[ .\-\u00a0]\d{1,19}){0,7}(?![\p{L}\p{N}]|[.\-]\d)/gu;
/** Digit groups inside a run; misses nothing (a run is digits and separators only). */
const GROUP = /\d+/g;

/** Barcode words: EAN/UPC/IMEI numbers can pass Luhn. Misses: a barcode typed without its word (then a card if it looks like one). */
const BARCODE_BEFORE = /(?:ean|upc|gtin|isbn|imei|barcode|bar code|strichcode|code-barres|code barre|código de barras)\W{0,4}(?:number|no|nr|code)?\W{0,3}$/;

/** Words near one piece of a card typed in two parts. Misses: parts announced only by punctuation ("4111 1111 / 1111 1111"). */
const HALF_CONTEXT =
  /(?:half|part|rest|remaining|first|second|last|digits|then|after that|suite|ensuite|fin|dann|danach|luego|después|hälfte|teil|rest|erste|zweite|letzte|ziffern|moitié|partie|reste|premier|première|deuxième|second|seconde|derniers|chiffres|mitad|parte|resto|primera|primeros|segunda|últimos|dígitos|card|karte|carte|tarjeta)/;

/**
 * Serial-number words: device serials (often 16 digits) can pass Luhn by chance. A number is vetoed when such a word
 * stands in the 40 characters before it and no card word comes after that word ("serial number on the router is
 * ..." yes; "serial 123, card 4111 ..." no). Misses: a serial typed without its word (then a card if it looks like one).
 */
const SERIAL_WORD =
  /(?:serial|numero de serie|n° de serie|s\/n|\bsn\b|seriennummer|serien-?nr|numéro de série|n° de série|no de série|número de serie|nº de serie|n\.º de serie|device id|geräte-?id)/g;
const CARD_WORD = /(?:card|karte|carte|tarjeta|visa|master|amex|cb\b)/;
export function serialBefore(window: string): boolean {
  let last = -1;
  SERIAL_WORD.lastIndex = 0;
  for (let m = SERIAL_WORD.exec(window); m; m = SERIAL_WORD.exec(window)) last = m.index + m[0].length;
  return last >= 0 && !CARD_WORD.test(window.slice(last));
}

function scanRun(text: string, start: number, run: string, out: Finding[]): void {
  const groups: Array<{ s: number; e: number }> = [];
  GROUP.lastIndex = 0;
  for (let g = GROUP.exec(run); g; g = GROUP.exec(run)) groups.push({ s: start + g.index, e: start + g.index + g[0].length });
  // Longest window of whole groups first.
  for (let i = 0; i < groups.length; i++) {
    for (let j = groups.length - 1; j >= i; j--) {
      const s = groups[i]!.s;
      const e = groups[j]!.e;
      const d = digitsOf(text.slice(s, e));
      if (d.length < 13) break;
      if (d.length > 19) continue;
      if (plausibleCard(d) && luhnValid(d)) {
        out.push(finding('CREDIT_CARD', s, e, 0.96, 'CreditCardRecognizer'));
        return;
      }
    }
  }
}

/**
 * A card typed in two parts in one message ("first half 5356 0512, second half 5812 7002"): two numeric pieces of
 * 4-12 digits close together whose concatenation is a plausible Luhn-valid card, with a "half/part/rest/card" word
 * near the first. Misses: parts sent in separate messages (each message is redacted alone).
 */
function scanHalves(ctx: RecognizerContext, runs: Array<{ s: number; e: number; d: string }>, out: Finding[]): void {
  for (let i = 0; i + 1 < runs.length; i++) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (a.d.length < 4 || b.d.length < 4 || a.d.length > 12 || b.d.length > 12) continue;
    if (b.s - a.e > 40) continue;
    const d = a.d + b.d;
    if (d.length < 13 || d.length > 19 || !plausibleCard(d) || !luhnValid(d)) continue;
    if (!HALF_CONTEXT.test(before(ctx, a.s, 30)) && !HALF_CONTEXT.test(ctx.lower.slice(a.e, b.s))) continue;
    out.push(finding('CREDIT_CARD', a.s, a.e, 0.9, 'CreditCardRecognizer'));
    out.push(finding('CREDIT_CARD', b.s, b.e, 0.9, 'CreditCardRecognizer'));
    i++;
  }
}

export const creditCardRecognizer: Recognizer = {
  name: 'CreditCardRecognizer',
  entity: 'CREDIT_CARD',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    const runs: Array<{ s: number; e: number; d: string }> = [];
    RUN.lastIndex = 0;
    for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
      const d = digitsOf(m[0]);
      // "the last 8 7485 6281": a count of one or two digits before a piece is a word, not part of it.
      const lead = /^\d{1,2}[ \u00a0](?=\d{4})/.exec(m[0]);
      if (lead && d.length - lead[0].length + 1 >= 5) runs.push({ s: m.index + lead[0].length, e: m.index + m[0].length, d: d.slice(lead[0].length - 1) });
      else runs.push({ s: m.index, e: m.index + m[0].length, d });
      if (d.length >= 13) scanRun(text, m.index, m[0], out);
    }
    if (runs.length >= 2) {
      const cards = new Occupancy(text.length);
      for (const f of out) cards.take(f.start, f.end);
      // Short counts between the halves ("the first 8 are ..., the last 8 ...") are words, not pieces.
      scanHalves(ctx, runs.filter((r) => r.d.length >= 4 && cards.isFree(r.s, r.e)), out);
    }
    // A Luhn-valid number right after "order/tracking/invoice number" is still redacted: a card typed into the wrong
    // field is the costlier mistake. Only the two-part rule stands down in that context, and every rule stands down
    // right after a barcode word (EAN/UPC/GTIN/ISBN/IMEI numbers are Luhn-like by design).
    return out.filter(
      (f) =>
        !BARCODE_BEFORE.test(before(ctx, f.start, 20)) &&
        !serialBefore(before(ctx, f.start, 40)) &&
        (f.score > 0.9 || !hasNonPiiContextBefore(ctx, f.start)),
    );
  },
};
