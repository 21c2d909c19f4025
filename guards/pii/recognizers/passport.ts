import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';

/**
 * Passport and other identity-document numbers (national ID card, DNI/NIE, Personalausweis, carte d'identité,
 * driving licence, UK National Insurance number), all reported as PASSPORT. A document word, optional filler ("no", "number", "#", ":", "is", "n°", "número"), then one token of 6-10 letters
 * and digits with at least one digit (US 9 digits or letter+8, UK 9 digits, DE 9 of [CFGHJKLMNPRTVWXYZ0-9],
 * FR 2 digits+2 letters+5 digits, ES 3 letters+6 digits). Deliberately misses: a passport number with no passport
 * word before it (indistinguishable from a reference) and numbers written with spaces inside.
 */
const PASSPORT =
  /(?<![\p{L}])(?:passport|pass-?nr\.?|passnummer|reisepass(?:nummer)?|pass|passeport|pasaporte|passaporto|id card|identity card|national id|national insurance|ni number|ni no|nino|driver'?s licen[cs]e|driving licen[cs]e|licen[cs]e number|personalausweis(?:nummer)?|ausweis(?:nummer)?|ausweis-?nr\.?|führerschein(?:nummer)?|steuer-?id|carte d'identité|carte d’identité|cni|numéro fiscal|permis de conduire|dni|nie|nif|documento de identidad|carnet de conducir)(?:\s*(?:number|numbers|no\.?|nr\.?|num\.?|nummer|numéro|número|n[°º]\.?|#|id))?(?:\s*(?:is|ist|est|es|:|-|=))?\s*[:#]?\s*([A-Za-z0-9]{6,10})(?![\p{L}\p{N}])/giu;

export const passportRecognizer: Recognizer = {
  name: 'PassportRecognizer',
  entity: 'PASSPORT',
  analyze(text, _locale, ctx) {
    const out: Finding[] = [];
    if (!ctx.hasDigit) return out;
    PASSPORT.lastIndex = 0;
    for (let m = PASSPORT.exec(text); m; m = PASSPORT.exec(text)) {
      const v = m[1]!;
      if (!/\d/.test(v)) continue;
      // A year ("valid until 2031") or a short count is not a passport number.
      if (/^\d{1,5}$/.test(v)) continue;
      const start = m.index + m[0].length - v.length;
      out.push(finding('PASSPORT', start, start + v.length, 0.9, 'PassportRecognizer'));
    }
    return out;
  },
};
