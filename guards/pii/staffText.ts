/**
 * Free text our own staff type into records that other staff read later: reveal reasons, incident titles and
 * decisions. Customers' chat keeps the general redactor (a name needs a cue or the gazetteer there, or every
 * "Thanks, Visa Support" would lose words). Staff notes are different: they are written ABOUT customers, often
 * naming one without any cue ("called back Ysolde Fairweather-Okon re refund"), and nobody needs the proper nouns
 * in them to review a reveal or an incident. So after the general redactor, every run of capitalised words is taken
 * out as a name, except a single word opening a sentence (or a known non-name word such as a month or weekday).
 * Over-redaction here costs a reviewer a product name; under-redaction would put a customer's name on the audit
 * trail of every compliance view.
 */
import type { RedactOptions } from './types.js';
import type { Redactor } from './redactor.js';

/** A word starting with an upper-case letter followed by a lower-case one (ALL-CAPS acronyms are not names). */
const CAP_WORD = /\p{Lu}[\p{Ll}\p{M}][\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*/u;
const CAP_FULL = new RegExp(`^${CAP_WORD.source}$`, 'u');
const WORD = /[\p{L}][\p{L}\p{M}'’]*(?:-[\p{L}][\p{L}\p{M}'’]*)*|\[[A-Z_]+(?:_\d+)?\]/gu;

/** Capitalised words that are not names in our four languages (dates, greetings, the pronoun). */
const NOT_NAMES = new Set([
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'montag', 'dienstag', 'mittwoch', 'donnerstag', 'freitag', 'samstag', 'sonntag',
  'januar', 'februar', 'märz', 'juni', 'juli', 'oktober', 'dezember',
  'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche', 'janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre',
  'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'domingo', 'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre',
]);

const TAG = '[PERSON]';

/** General redaction, then every capitalised run that may be a name. Idempotent (tags are never words here). */
export function redactStaffText(redactor: Redactor, text: string, opts: RedactOptions = {}): string {
  const general = redactor.redact(text, opts).text;
  return redactCapitalisedRuns(general);
}

export function redactCapitalisedRuns(text: string): string {
  const words: { s: number; e: number; cap: boolean; tag: boolean }[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    const w = m[0];
    const tag = w.startsWith('[');
    // A name tag of the general redactor joins a run ("[PERSON_1] van der Berg" is one name).
    words.push({ s: m.index, e: m.index + w.length, tag, cap: tag ? w.startsWith('[PERSON') : CAP_FULL.test(w) && !NOT_NAMES.has(w.toLowerCase()) });
  }
  let out = '';
  let last = 0;
  for (let i = 0; i < words.length;) {
    if (!words[i]!.cap) { i++; continue; }
    // A run: capitalised words separated only by spaces (a name may span "Anne-Marie van der Berg": lower-case
    // particles between capitalised words join the run).
    let j = i;
    for (;;) {
      // Next capitalised word, possibly after lower-case particles, with only spaces in between.
      let k = j + 1;
      while (k < words.length && spaced(text, words[k - 1]!.e, words[k]!.s) && !words[k]!.cap && isParticle(text.slice(words[k]!.s, words[k]!.e))) k++;
      if (k < words.length && spaced(text, words[k - 1]!.e, words[k]!.s) && words[k]!.cap) j = k;
      else break;
    }
    const single = j === i;
    if (single && sentenceStart(text, words[i]!.s)) { i = j + 1; continue; }
    out += text.slice(last, words[i]!.s) + TAG;
    last = words[j]!.e;
    i = j + 1;
  }
  return out + text.slice(last);
}

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'la', 'le', 'du', 'da', 'di', 'y', 'zu', 'ten', 'ter']);
function isParticle(w: string): boolean { return PARTICLES.has(w.toLowerCase()); }
function spaced(text: string, from: number, to: number): boolean { return to > from && /^[ \u00a0]+$/.test(text.slice(from, to)); }

/** At the start of the text or after ., !, ?, : or a line break (ignoring spaces and opening quotes/brackets). */
function sentenceStart(text: string, s: number): boolean {
  for (let k = s - 1; k >= 0; k--) {
    const c = text[k]!;
    if (c === ' ' || c === '\t' || c === '"' || c === '(' || c === '“' || c === '«' || c === '¿' || c === '¡' || c === '\u00a0') continue;
    return c === '.' || c === '!' || c === '?' || c === ':' || c === '\n' || c === '\r';
  }
  return true;
}
