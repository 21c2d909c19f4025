/** Small text helpers shared by the recognizers. Pure functions, no state. */
import type { EntityType, Finding, RecognizerContext, SupportedLocale } from './types.js';

/** Lower-cases without changing length (a few characters such as U+0130 grow under toLowerCase: keep those as they are). */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const l = ch.toLowerCase();
    out += l.length === 1 ? l : ch;
  }
  return out;
}

export function normaliseLocale(locale: string | undefined): SupportedLocale {
  const l = (locale ?? '').trim().toLowerCase().replace('_', '-');
  if (l === 'en-gb' || l === 'en-uk' || l === 'en-ie') return 'en-GB';
  if (l.startsWith('de')) return 'de-DE';
  if (l.startsWith('fr')) return 'fr-FR';
  if (l.startsWith('es')) return 'es-ES';
  return 'en-US';
}

export function makeContext(text: string, locale: SupportedLocale, profile?: RecognizerContext['profile']): RecognizerContext {
  return {
    lower: lowerSameLength(text),
    hasDigit: /\d/.test(text),
    locale,
    lang: locale.slice(0, 2) as RecognizerContext['lang'],
    profile,
  };
}

/** Letters and digits of any script (what the benchmark counts as "surviving"). */
export const ALNUM = /[\p{L}\p{N}]/u;

export function isAlnumChar(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return ALNUM.test(ch);
}

/**
 * The lower-cased text in the `n` characters before `start`, cut at the last newline (context does not cross
 * lines: a form's "name - ..." line must not lend its context to the next line).
 */
export function before(ctx: RecognizerContext, start: number, n: number): string {
  const from = Math.max(0, start - n);
  const w = ctx.lower.slice(from, start);
  const nl = w.lastIndexOf('\n');
  return nl >= 0 ? w.slice(nl + 1) : w;
}

/** The lower-cased text in the `n` characters after `end`, cut at the first newline. */
export function after(ctx: RecognizerContext, end: number, n: number): string {
  const w = ctx.lower.slice(end, end + n);
  const nl = w.indexOf('\n');
  return nl >= 0 ? w.slice(0, nl) : w;
}

export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function finding(type: EntityType, start: number, end: number, score: number, recognizer: string): Finding {
  return { type, start, end, score, recognizer };
}

/** Strips diacritics and lower-cases: "Rubén" -> "ruben". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * Words that say the number next to them is NOT personal data (orders, parcels, invoices, tickets, products), in the
 * four languages, optionally followed by "number"/"no"/"is" and up to four short digit-bearing chunks of the same
 * reference ("Package 1Z 999 AA1 ..."). Used by recognizers without a checksum to stand down. Misses: rarer business
 * words ("waybill").
 */
export const NON_PII_NUMBER_CONTEXT =
  /(?<!\p{L})(?:order|orders|tracking|track|parcel|package|shipment|consignment|delivery|invoice|receipt|ticket|case|claim|complaint|confirmation|booking|reservation|quote|transaction|txn|awb|po|purchase order|ref|reference|req|request|rma|return|sku|item|model|product|ean|upc|gtin|isbn|imei|article|part(?= ?(?:number|no|nr|#))|serial|lot|batch|version|build|promo|coupon|voucher|(?:bestell|sendung|rechnung|auftrag|artikel|liefer|vorgang|paket|buchung|reservierung|beleg|gutschein|ticket|modell|retouren|reklamation)\p{L}*|commande|colis|livraison|suivi|facture|demande|dossier|réservation|modèle|bon|pedido|envío|envio|paquete|entrega|seguimiento|localizador|factura|incidencia|referencia|solicitud|reserva|artículo|modelo|cupón|código promocional)(?![\p{L}])[^\p{L}\p{N}]{0,4}(?:(?:number|no|nr|num|numéro|número|nummer|#|n°|nº|id|code|ref)\b[^\p{L}\p{N}]{0,3})?(?:\p{L}{1,3}[^\p{L}\p{N}]{0,2})?(?:\p{L}{0,2}\p{N}[\p{L}\p{N}]{0,3}[^\p{L}\p{N}]{1,2}){0,4}$/u;

/** True when the few words right before `start` name an order, parcel, invoice, ticket or product. */
export function hasNonPiiContextBefore(ctx: RecognizerContext, start: number): boolean {
  return NON_PII_NUMBER_CONTEXT.test(before(ctx, start, 40));
}

/**
 * Which characters are already taken, so overlap checks stay linear in the text length (a list scan per finding
 * would be quadratic on a 100 kB paste with thousands of findings). Small sets stay a list: no typed array is
 * allocated for the usual handful of findings per message.
 */
export class Occupancy {
  private used: Uint8Array | undefined;
  private readonly spans: number[] = [];
  constructor(private readonly length: number) {}
  isFree(start: number, end: number): boolean {
    if (this.used) {
      for (let i = start; i < end; i++) if (this.used[i]) return false;
      return true;
    }
    for (let i = 0; i < this.spans.length; i += 2) if (this.spans[i]! < end && start < this.spans[i + 1]!) return false;
    return true;
  }
  take(start: number, end: number): void {
    if (!this.used && this.spans.length < 32) {
      this.spans.push(start, end);
      return;
    }
    if (!this.used) {
      this.used = new Uint8Array(this.length);
      for (let i = 0; i < this.spans.length; i += 2) this.used.fill(1, this.spans[i]!, this.spans[i + 1]!);
    }
    this.used.fill(1, start, end);
  }
}
