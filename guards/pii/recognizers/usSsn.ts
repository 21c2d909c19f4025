import type { Finding, Recognizer } from '../types.js';
import { before, finding } from '../text.js';

/**
 * Three forms: 123-45-6789 (dashed: distinctive enough alone), 123 45 6789 and 123456789 (only with an SSN word
 * within the 40 characters before). The SSA rules reject area 000, 666 and 900-999, group 00 and serial 0000.
 * Deliberately misses: ITINs (9xx), SSNs written with dots or slashes, and plain nine digits with no SSN word
 * (they are far more often order or passport numbers).
 */
const SSN = /(?<![\p{L}\p{N}\-.\/])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\p{L}\p{N}]|[\-.\/]\d)/gu;
/** SSN words. Misses: "SS number" spelled with a space inside, and "my social" more than 40 characters before. */
const SSN_CONTEXT = /(?:ssn|s\.s\.n|social security|social|ss#|ss ?no|tax ?id|taxpayer|itin|sozialversicherungsnummer)/;

export function ssnValid(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

export const usSsnRecognizer: Recognizer = {
  name: 'UsSsnRecognizer',
  entity: 'US_SSN',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    SSN.lastIndex = 0;
    for (let m = SSN.exec(text); m; m = SSN.exec(text)) {
      if (!ssnValid(m[1]!, m[3]!, m[4]!)) continue;
      const hasCtx = SSN_CONTEXT.test(before(ctx, m.index, 40));
      if (m[2] === '-') out.push(finding('US_SSN', m.index, m.index + m[0].length, hasCtx ? 0.95 : 0.8, 'UsSsnRecognizer'));
      else if (hasCtx) out.push(finding('US_SSN', m.index, m.index + m[0].length, 0.9, 'UsSsnRecognizer'));
    }
    return out;
  },
};
