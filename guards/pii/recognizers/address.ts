import type { Finding, Recognizer } from '../types.js';
import { finding, Occupancy } from '../text.js';

/** "[Rr]ue" for "rue": a street-type word may start upper or lower case, the rest is as written. */
function eitherCase(words: string[]): string {
  return words
    .map((w) => {
      const c = w[0]!;
      const rest = w.slice(1).replace(/[.]/g, '\\.');
      return c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]${rest}` : `${c}${rest}`;
    })
    .join('|');
}

const UP = '[\\p{Lu}]';
const WORD = "[\\p{L}][\\p{L}'’.\\-]*";
const CAP_WORD = `${UP}[\\p{L}'’.\\-]*`;

/**
 * English street line: house number, up to three name words, a street-type word, then an optional unit
 * ("#10", "Apt 4B", "Flat 2"). Street types that are also ordinary words (Close, Place, Way, Drive, Court, ...) must
 * be capitalised; unambiguous ones (Street, Road, Avenue, ...) may be lower case. Deliberately misses: PO boxes,
 * rural routes, addresses without a street-type word ("10 Downing"), and the house number written after the name.
 */
const EN_TYPES_ANY = eitherCase([
  'street', 'st.', 'st', 'road', 'rd.', 'rd', 'avenue', 'ave.', 'ave', 'av.', 'lane', 'ln.', 'ln', 'boulevard', 'blvd.', 'blvd',
  'mews', 'crescent', 'cres', 'terrace', 'ter', 'highway', 'hwy', 'parkway', 'pkwy', 'circle', 'cir', 'ct.', 'ct', 'dr.', 'pl.',
]);
const EN_TYPES_CAP = [
  'Close', 'Place', 'Pl', 'Way', 'Drive', 'Dr', 'Court', 'Square', 'Sq', 'Gardens', 'Grove', 'Hill', 'Park', 'Row', 'Walk', 'View',
  'Gate', 'Rise', 'Parade', 'Trail', 'Green', 'Heights', 'Yard', 'Wharf', 'Lodge', 'Vale', 'Wynd', 'Brae', 'Loop', 'Pike', 'Plaza',
].join('|');
const EN_UNIT = '(?:,?\\s*(?:#\\s?|[Aa]pt\\.?\\s?|[Aa]partment\\s|[Ss]uite\\s|[Ss]te\\.?\\s?|[Uu]nit\\s|[Ff]lat\\s|[Ff]loor\\s)[\\p{L}\\p{N}\\-]{1,5})?';
const EN_STOP = '(?!(?:and|or|the|a|an|of|in|on|at|to|for|my|your|is|are|was|it|i|we|you|he|she|they|days?|weeks?|hours?|minutes?|items?|times?|pieces?)\\s)';
const EN = `(?:(?:[Ff]lat|[Aa]pt\\.?|[Aa]partment|[Uu]nit|[Ss]uite)\\s*\\d{1,4}[A-Za-z]?,?\\s+)?(?<![\\p{L}\\p{N}])\\d{1,5}[A-Za-z]?(?:-\\d{1,5})?\\s+(?:${EN_STOP}${WORD}\\s+){1,3}(?:(?:${EN_TYPES_ANY})|(?:${EN_TYPES_CAP}))(?![\\p{L}\\p{N}])${EN_UNIT}`;

/**
 * German street line: name ending in a street word (-straße, -str., -weg, -allee, ...), or a preposition name
 * ("Am Stadtpark", "Zur Alten Mühle"), or an adjective plus street word ("Berliner Straße"), then a house number
 * with an optional letter or range. Case-sensitive, as German writes it. Deliberately misses: lower-case street
 * names, and street names without a street word or preposition ("Jungfernstieg" is found, "Zeil 5" is not).
 */
const DE_SUFFIX =
  '(?:[Ss]tra(?:ß|ss)e|[Ss]tr\\.|[Ww]eg|[Gg]asse|[Aa]llee|[Pp]latz|[Rr]ing|[Dd]amm|[Uu]fer|[Cc]haussee|[Ss]teig|[Ss]tieg|[Pp]fad|[Gg]raben|[Kk]amp|[Tt]wiete|[Zz]eile|[Pp]romenade|[Cc]hausee)';
/** Street names made of a preposition or adjective and a noun. Misses rarer ones ("Hinter dem Dorfe"). */
const DE_PREP =
  '(?:Am|An der|An den|Auf der|Auf dem|Auf den|Im|In der|In den|Zum|Zur|Unter den|Hinter der|Hinter dem|Vor dem|Beim|Alte|Alter|Altes|Neue|Neuer|Neues|Große|Großer|Kleine|Kleiner)';
const DE_NOT_STREET = '(?!(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Wochenende|Ende|Anfang|Moment|Tag|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\\b)';
const DE_NAME = `(?:(?:${UP}[\\p{L}]+(?:-[\\p{L}]+)*\\s)?(?:${UP}[\\p{L}]*(?:-[\\p{L}]+)*?-?)?${DE_SUFFIX}|${DE_PREP}\\s+${DE_NOT_STREET}${UP}[\\p{L}\\-]+(?:\\s+${UP}[\\p{L}\\-]+)?)`;
const DE = `(?<![\\p{L}\\p{N}])${DE_NAME}\\s+\\d{1,4}\\s?[a-zA-Z]?(?:\\s?[-/]\\s?\\d{1,4}[a-z]?)?(?![\\p{L}\\p{N}])`;

/**
 * French street line: number (with bis/ter/A), a street type, then the name (particles and capitalised words).
 * Types that are also ordinary words (cours, place, route, ...) need a capitalised name. Deliberately misses:
 * lower-case names after those types, "lieu-dit" rural addresses, and the building/staircase lines ("Bât. B").
 */
const FR_PARTICLE = "(?:de la |de l'|de l’|du |des |de |d'|d’|la |le |les |l'|l’)";
const FR_TYPES_ANY = eitherCase(['rue', 'avenue', 'av.', 'boulevard', 'bd', 'bld', 'impasse', 'allée', 'allee', 'quai', 'chemin', 'faubourg']);
const FR_TYPES_CAP = eitherCase(['place', 'pl.', 'cours', 'route', 'rte', 'square', 'passage', 'voie', 'chaussée', 'sentier', 'cité', 'résidence', 'lotissement', 'promenade', 'esplanade', 'rond-point', 'villa', 'hameau', 'montée', 'parvis', 'traverse', 'clos', 'domaine']);
const FR_TAIL = `(?:\\s+${FR_PARTICLE}?${CAP_WORD})*`;
const FR = `(?<![\\p{L}\\p{N}])\\d{1,4}(?:\\s?(?:bis|ter|quater|[A-Da-d])(?![\\p{L}]))?,?\\s+(?:(?:${FR_TYPES_ANY})(?![\\p{L}])\\s+${FR_PARTICLE}?${WORD}|(?:${FR_TYPES_CAP})(?![\\p{L}])\\s+${FR_PARTICLE}?${CAP_WORD})${FR_TAIL}`;

/**
 * Spanish street line: a street type (c/, calle, avda., paseo, plaza, camino, ...), the name, the number, and the
 * floor/door part ("2º D", "5º dcha.", "bajo", "esc. B"). Deliberately misses: addresses without a street type and
 * "s/n" (sin número) addresses, which carry no number to anchor on.
 */
const ES_TYPES = eitherCase([
  'c/', 'calle', 'avda.', 'avda', 'avenida', 'av.', 'paseo', 'pº', 'plaza', 'pza.', 'pza', 'camino', 'carretera', 'ctra.', 'ronda',
  'travesía', 'glorieta', 'rambla', 'vía', 'urbanización', 'urb.', 'pasaje', 'callejón', 'cuesta', 'bulevar', 'carrer',
]);
const ES_PARTICLE = '(?:de la |de los |de las |del |de |dels |y )';
/** Floor and door after the number. Misses: door descriptions in words ("puerta de la izquierda"). */
const ES_FLOOR =
  '(?:\\s*,\\s*(?:\\d{1,2}\\s*[º°ªoa]\\.?(?:\\s*(?:[A-Za-z](?![\\p{L}])|izq(?:da|uierda)?\\.?|dcha\\.?|der(?:echa)?\\.?|centro|ctro\\.?))?|bajo|ático|atico|entlo\\.?|entresuelo|esc(?:alera)?\\.?\\s*[\\p{L}\\p{N}]{1,3}|puerta\\s*[\\p{L}\\p{N}]{1,3}|pta\\.?\\s*[\\p{L}\\p{N}]{1,3}|piso\\s*\\d{1,2}))*';
const ES = `(?<![\\p{L}\\p{N}])(?:(?:${ES_TYPES})(?<=[/.º])|(?:${ES_TYPES})(?![\\p{L}]))\\s*${ES_PARTICLE}?${WORD}(?:\\s+${ES_PARTICLE}?${CAP_WORD}){0,3},?\\s*(?:n[º°o]\\.?\\s*)?\\d{1,4}[A-Za-z]?(?![\\p{L}\\p{N}])${ES_FLOOR}`;

const PATTERNS: ReadonlyArray<{ lang: string; re: RegExp; hint: RegExp }> = [
  { lang: 'en', re: new RegExp(EN, 'gu'), hint: /./ },
  // German street words also end English words ("Spring 2024", "Bring 5"): outside German text only with a hint.
  { lang: 'de', re: new RegExp(DE, 'gu'), hint: /stra(?:ß|ss)e|str\.|weg\b|allee|platz|gasse|damm/ },
  { lang: 'fr', re: new RegExp(FR, 'gu'), hint: /\b(?:rue|avenue|boulevard|bd|quai|allée|chemin|impasse|place|cours)\b/ },
  { lang: 'es', re: new RegExp(ES, 'gu'), hint: /(?:calle|c\/|avda|avenida|plaza|paseo|camino|carretera|ronda|rambla)/ },
];

/**
 * Street lines in `text` as [start, end) pairs, for the message's language plus any other language whose street
 * words appear. Exported for the postcode recognizer ("Camino Nueva 121, 46022").
 */
export function findStreetLines(text: string, lang: string, lower: string = text.toLowerCase()): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!/\d/.test(text)) return out;
  for (const p of PATTERNS) {
    if (p.lang !== lang && p.lang !== 'en' && !p.hint.test(lower)) continue;
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      let s = m[0];
      // A trailing dot belongs to the sentence unless it closes an abbreviation we matched (dcha., Str.).
      if (s.endsWith('.') && !/(?:dcha|izq|izqda|der|ctro|entlo|esc|pta|[Ss]tr|[Aa]ve|[Rr]d|[Ss]t|[Dd]r|[Cc]t|[Bb]lvd|[Ll]n)\.$/.test(s)) s = s.slice(0, -1);
      out.push([m.index, m.index + s.length]);
    }
  }
  // Where two languages' patterns overlap ("154 bis boulevard" in English, "154 bis boulevard Voltaire" in French),
  // the longer street line wins.
  out.sort((x, y) => y[1] - y[0] - (x[1] - x[0]));
  const kept: Array<[number, number]> = [];
  const taken = new Occupancy(text.length);
  for (const [a, b] of out) {
    if (!taken.isFree(a, b)) continue;
    taken.take(a, b);
    kept.push([a, b]);
  }
  return kept.sort((x, y) => x[0] - y[0]);
}

export const addressRecognizer: Recognizer = {
  name: 'AddressRecognizer',
  entity: 'ADDRESS',
  analyze(text, _locale, ctx) {
    if (!ctx.hasDigit) return [];
    return findStreetLines(text, ctx.lang, ctx.lower).map(([s, e]): Finding => finding('ADDRESS', s, e, 0.85, 'AddressRecognizer'));
  },
};
