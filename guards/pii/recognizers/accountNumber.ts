import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';

/**
 * An account word (bank account, customer/member/contract number, in four languages), optional filler, then an
 * identifier: letters and digit groups joined by single dashes or spaces, at least 5 digits in all ("4147567469",
 * "MBR2562188", "61-3309222", "kx-281472-u", "102 864 884 05"). Deliberately misses: ids with no account word before
 * them, ids over 24 characters, and order/invoice/ticket numbers by design (they are not personal data).
 */
const ACCOUNT_WORD =
  '(?:bank\\s*acc(?:ount)?|acc(?:oun)?t|acc\\.?|account(?:\\s*(?:id|number|no\\.?|nr\\.?|#))?|member(?:ship)?\\s*(?:number|no\\.?|id|#)|customer\\s*(?:ref(?:erence)?|number|no\\.?|id|#)|client\\s*(?:ref(?:erence)?|number|no\\.?|id)|contract\\s*(?:number|no\\.?)?|policy\\s*(?:number|no\\.?)|routing(?:\\s*(?:number|no\\.?))?|sort\\s*code|bsb|' +
  'konto(?:nummer|nr\\.?)?|bankleitzahl|blz|kundennummer|kunden-?nr\\.?|kundennr\\.?|vertrags?nummer|vertrags?-?nr\\.?|mitgliedsnummer|' +
  'num[ée]ro\\s+de\\s+compte|compte|r[ée]f[ée]rence\\s+client|num[ée]ro\\s+client|n°\\s*client|contrat|num[ée]ro\\s+de\\s+contrat|' +
  'n[úu]mero\\s+de\\s+cuenta|cuenta|n[úu]mero\\s+de\\s+cliente|n[úu]mero\\s+de\\s+socio|contrato|p[óo]liza)';
const ID = '((?:[A-Za-z]{1,4}-?)?\\d[\\d]*(?:[ -]\\d+)*(?:-?[A-Za-z]{1,3})?)';
/** Account word + identifier; misses what ACCOUNT_WORD and ID say above. */
const ACCOUNT = new RegExp(
  `(?<![\\p{L}])${ACCOUNT_WORD}(?:\\s*(?:is|ist|est|es|:|-|=|#|n[°º]))?\\s*[:#]?\\s*(?:(?:is|ist|est|es)\\s+)?${ID}(?![\\p{L}\\p{N}]|[-]\\p{L})`,
  'giu',
);

export const accountNumberRecognizer: Recognizer = {
  name: 'AccountNumberRecognizer',
  entity: 'ACCOUNT_NUMBER',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    ACCOUNT.lastIndex = 0;
    for (let m = ACCOUNT.exec(text); m; m = ACCOUNT.exec(text)) {
      const v = m[1]!;
      const digits = v.replace(/\D/g, '').length;
      if (digits < 5 || v.length > 24) continue;
      const start = m.index + m[0].length - v.length;
      out.push(finding('ACCOUNT_NUMBER', start, start + v.length, 0.8, 'AccountNumberRecognizer'));
    }
    return out;
  },
};
