import type { Finding, Recognizer } from '../types.js';
import { before, finding, hasNonPiiContextBefore } from '../text.js';
import { findStreetLines } from './address.js';

/**
 * UK postcodes in capitals are distinctive enough alone (outward code A9, A99, AA9, AA99, A9A, AA9A; inward 9AA).
 * Lower-case ones need a postcode word. Deliberately misses: postcodes written without the space in lower case
 * with no postcode word, BFPO and overseas-territory codes.
 */
const UK = /(?<![\p{L}\p{N}])([A-PR-UWYZa-pr-uwyz][A-HK-Ya-hk-y]?\d[A-Za-z\d]?) ?(\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![\p{L}\p{N}])/gu;

/**
 * Five digits (US ZIP with optional +4; DE, FR and ES codes). Taken with a postcode word before ("zip", "PLZ",
 * "code postal", "CP", "código postal"), a US state abbreviation before ("TN 37216"), a street line just before
 * ("Camino Nueva 121, 46022"), or, in DE/FR/ES text, a capitalised town name right after ("01146 Dresden").
 * Deliberately misses: a bare five-digit number with none of these (it is more often a quantity or a reference),
 * and four-digit codes (AT, CH, BE, NL) which collide with years.
 */
const FIVE = /(?<![\p{L}\p{N}\-.,/])(\d{5})(-\d{4})?(?![\p{L}\p{N}]|[\-.,/]\d)/gu;
/** Postcode words right before the code. Misses: "post code" written with a line break in between. */
const POSTCODE_WORD =
  /(?:zip|zip ?code|zipcode|postal code|postcode|post code|plz|postleitzahl|code postal|\bcp|c\.p\.|código postal|codigo postal|cód\. postal)\s*(?:is|:|-|=)?\s*$/;
/** A US state code right before a ZIP ("Nashville TN 37216"). Misses: state names written out ("Tennessee 37216"). */
const US_STATE =
  /(?:^|[\s,])(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR)\s*,?\s*$/;
/** Words after five digits that show they were a quantity or money, not a town. Misses other units (then taken as a town). */
const NOT_TOWN =
  /^(?:Euro|EUR|Stück|Stk|Tage|Tagen|Jahre|Mal|Uhr|Punkte|Pieces|Points|Jours|Fois|Días|Dias|Veces|Unidades|Units|Items|Mo|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b/;
/** A capitalised word after the digits ("01146 Dresden"). Misses: lower-case town names. */
const TOWN_AFTER = /^[ \u00a0]+(\p{Lu}[\p{L}'’\-]+)/u;

export const postcodeRecognizer: Recognizer = {
  name: 'PostcodeRecognizer',
  entity: 'POSTCODE',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    UK.lastIndex = 0;
    for (let m = UK.exec(text); m; m = UK.exec(text)) {
      const upper = m[0] === m[0].toUpperCase();
      const hasWord = POSTCODE_WORD.test(before(ctx, m.index, 25));
      // Capitals with a space are distinctive; without the space only with a postcode word or in en-GB text.
      const spaced = m[0].includes(' ');
      const distinctive = (upper && spaced) || (upper && ctx.locale === 'en-GB' && /^[A-Z]{1,2}\d/.test(m[0]));
      if (hasWord || (distinctive && !hasNonPiiContextBefore(ctx, m.index))) {
        out.push(finding('POSTCODE', m.index, m.index + m[0].length, hasWord ? 0.85 : 0.75, 'PostcodeRecognizer'));
      }
    }
    let streetEnds: Set<number> | undefined;
    FIVE.lastIndex = 0;
    for (let m = FIVE.exec(text); m; m = FIVE.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      const w = before(ctx, start, 25);
      let score = 0;
      if (POSTCODE_WORD.test(w)) score = 0.85;
      else if (US_STATE.test(text.slice(Math.max(0, start - 6), start))) score = 0.8;
      else if (!hasNonPiiContextBefore(ctx, start)) {
        streetEnds ??= new Set(findStreetLines(text, ctx.lang, ctx.lower).map(([, e]) => e));
        let afterStreet = false;
        for (let e = Math.max(0, start - 4); e <= start && !afterStreet; e++) {
          afterStreet = streetEnds.has(e) && /^[\s,;-]*$/.test(text.slice(e, start));
        }
        if (afterStreet) score = 0.8;
        else if (ctx.lang !== 'en' && !m[2]) {
          const t = TOWN_AFTER.exec(text.slice(end, end + 40));
          if (t && !NOT_TOWN.test(t[1]!)) score = 0.7;
        }
      }
      if (score > 0) out.push(finding('POSTCODE', start, end, score, 'PostcodeRecognizer'));
    }
    return out;
  },
};
