import type { Finding, Recognizer } from '../types.js';
import { finding } from '../text.js';
import { AMBIGUOUS_NAMES, BRANDS, BRAND_PHRASES, CHAT_WORD_SET, FIRST_NAMES, MORE_GIVEN_NAMES, NOT_NAME, SURNAMES, foldWord } from '../gazetteer.js';

/**
 * Names without an NLP model: words are tokenised, then rules combine the gazetteer, capitals and context words in
 * four languages (introductions, titles, "account holder", relations, greetings, sign-offs, "X here", "X called",
 * a name before a birth date). Deliberately misses: a lone surname with no cue, names of people mentioned with no
 * context and not in the gazetteer ("ask Zebedee"), names in all capitals that are not in the gazetteer (they look
 * like acronyms), and company names (not personal data).
 */

interface Tok {
  s: number;
  /** Folded lower case, ’ as '. */
  f: string;
  e: number;
  w: string;
  cap: boolean;
  /** Touches a digit, "@", "_" or a dot inside a token: part of an e-mail, id or tag, never a name. */
  glued: boolean;
  gaz: boolean;
  amb: boolean;
  not: boolean;
  /** A given name from the larger, weaker list (used only in pairs). */
  gaz2: boolean;
  /** A listed surname (used only after another name-like word). */
  sur: boolean;
}

/**
 * Words, with inner apostrophes and hyphens ("O'Neill", "Jean-Luc"). Possessive 's is cut off below. Misses: names
 * written with digits or symbols ("J0hn"), which are then never names.
 */
const WORD = /[\p{L}][\p{L}\p{M}'’]*(?:-[\p{L}][\p{L}\p{M}'’]*)*/gu;
function isDigitOrLetter(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && c !== 0x2019 && c !== 0xa0 && c < 0x2000);
}

/** A digit, "@", "_", "+", "#", "/", "\" or "[" touching the word, or a dot between it and a letter/digit. */
function glued(text: string, s: number, e: number): boolean {
  const b = s > 0 ? text.charCodeAt(s - 1) : 32;
  if ((b >= 48 && b <= 57) || b === 64 || b === 95 || b === 43 || b === 35 || b === 47 || b === 92 || b === 91) return true;
  if (b === 46 && s > 1 && isDigitOrLetter(text.charCodeAt(s - 2))) return true;
  const a = e < text.length ? text.charCodeAt(e) : 32;
  if ((a >= 48 && a <= 57) || a === 64 || a === 95 || a === 43 || a === 93 || a === 47 || a === 92) return true;
  return a === 46 && e + 1 < text.length && isDigitOrLetter(text.charCodeAt(e + 1));
}

/** Which gazetteer lists hold a folded word, as bits: one map lookup per word instead of six set lookups. */
const IN_GIVEN = 1, IN_NOT_NAME = 2, IN_CHAT = 4, IN_MORE_GIVEN = 8, IN_SURNAMES = 16, IN_AMBIGUOUS = 32;
const WORD_FLAGS = new Map<string, number>();
for (const [list, bit] of [[FIRST_NAMES, IN_GIVEN], [NOT_NAME, IN_NOT_NAME], [CHAT_WORD_SET, IN_CHAT], [MORE_GIVEN_NAMES, IN_MORE_GIVEN], [SURNAMES, IN_SURNAMES], [AMBIGUOUS_NAMES, IN_AMBIGUOUS]] as const) {
  for (const w of list) WORD_FLAGS.set(w, (WORD_FLAGS.get(w) ?? 0) | bit);
}

/** Whether the first letter is a capital (ASCII answered without allocating). */
function capitalised(w: string): boolean {
  const c = w.charCodeAt(0);
  if (c >= 65 && c <= 90) return true;
  if (c >= 97 && c <= 122) return false;
  const first = w[0]!;
  return first !== first.toLowerCase();
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    let w = m[0];
    const s = m.index;
    const rawEnd = s + w.length;
    let e = rawEnd;
    if (w.length > 3 && (w.endsWith("'s") || w.endsWith('’s'))) {
      w = w.slice(0, -2);
      e -= 2;
    }
    const cap = capitalised(w);
    let f = foldWord(w);
    if (f.includes('’')) f = f.replace(/’/g, "'");
    const bits = WORD_FLAGS.get(f) ?? 0;
    const hyphenated = f.includes('-');
    const gaz = hyphenated ? f.split('-').every((p) => FIRST_NAMES.has(p)) : (bits & IN_GIVEN) !== 0;
    const apos = f.indexOf("'");
    const not = (bits & (IN_NOT_NAME | IN_CHAT)) !== 0 || (apos > 0 && NOT_NAME.has(f.slice(0, apos)));
    const gaz2 = gaz || (bits & IN_MORE_GIVEN) !== 0;
    const sur = hyphenated ? f.split('-').some((p) => SURNAMES.has(p)) : (bits & IN_SURNAMES) !== 0;
    out.push({ s, f, e, w, cap, glued: glued(text, s, rawEnd), gaz, amb: gaz && (bits & IN_AMBIGUOUS) !== 0, not, gaz2, sur });
  }
  return out;
}

function isAllCaps(t: Tok): boolean {
  return t.w.length > 1 && t.w === t.w.toUpperCase();
}

/** Could be part of a name: capitalised (strict) or any letters (lax); never a stop word or glued. */
function nameish(t: Tok | undefined, lax: boolean): boolean {
  if (!t || t.glued || t.not || t.w.length < 2) return false;
  // All capitals look like acronyms, except after a strong cue ("Name on the card: JOSEPH MCALLISTER").
  if (isAllCaps(t) && !t.gaz && !lax) return false;
  return lax ? true : t.cap;
}

/** Particles inside names: "Ludwig van Beethoven", "María de la Cruz". */
const PARTICLES = new Set(['van', 'von', 'der', 'de', 'del', 'della', 'di', 'da', 'du', 'la', 'le', 'dos', 'das', 'ten', 'zu', 'y', 'mac', 'mc', "o'"]);

function onlySpaces(text: string, a: number, b: number): boolean {
  if (b - a < 1 || b - a > 2) return false;
  for (let i = a; i < b; i++) if (text[i] !== ' ' && text[i] !== '\u00a0') return false;
  return true;
}

/** From token i, extend over adjacent name-like tokens (max 4 in all). Returns the last index. */
function extend(text: string, toks: Tok[], i: number, lax: boolean): number {
  let j = i;
  while (j + 1 < toks.length && j - i < 3) {
    const next = toks[j + 1]!;
    if (!onlySpaces(text, toks[j]!.e, next.s)) break;
    if (nameish(next, lax) && !(lax && isCalendarWord(next.w))) {
      j++;
      continue;
    }
    // A particle followed by a capitalised word.
    const after = toks[j + 2];
    if (PARTICLES.has(next.w.toLowerCase()) && after && after.cap && !after.not && onlySpaces(text, next.e, after.s)) {
      j += 2;
      continue;
    }
    break;
  }
  return j;
}

function isCalendarWord(w: string): boolean {
  return /^(?:today|tomorrow|yesterday|heute|morgen|gestern|demain|hier|mañana|ayer)$/i.test(w);
}

type Kind = 'lax' | 'surname' | 'title' | 'intro' | 'relation' | 'addressing' | 'greeting' | 'signoff';

/**
 * Trigger phrases, as words (matched on folded tokens, so "Rubén"/"ruben" and ’/' are the same). Kinds:
 * - lax: the next words are a name in any case ("my name is", "name:", "titular", "au nom de");
 * - surname: the next word alone is a surname;
 * - title: the next word is a name in any case ("Mr", "Frau", "Mme", "Sra");
 * - intro: a given name, or two capitalised words ("I'm", "ich bin", "je suis", "soy", "called");
 * - relation: a capitalised word or given name ("my partner", "meine Frau", "mon mari", "mi hermana");
 * - addressing: a capitalised given name ("tell", "email", "spoke to", "for", "mit", "pour", "para");
 * - greeting: a given name ("Hi", "Guten Abend", "Bonjour", "Hola");
 * - signoff: a name that ends the message ("Best,", "Viele Grüße,", "Cordialement,", "Un saludo,").
 */
const PHRASES: Record<Kind, string[]> = {
  lax: [
    'contact person', 'contact name', 'ansprechpartner', 'ansprechpartnerin', 'personne à contacter', 'persona de contacto',
    'name on the card', 'name on card', 'name on the account', 'nombre en la tarjeta', 'nom sur la carte', 'name auf der karte',
    'my name is', "my name's", 'name is', "name's", 'i am called', 'full name', 'first name', 'given name', 'name',
    'account holder', 'cardholder', 'card holder', 'in the name of', 'in my name', 'under the name', 'made out to', 'registered to',
    'mein name ist', 'mein name', 'ich heiße', 'ich heisse', 'vorname', 'name lautet', 'kontoinhaber', 'kontoinhaberin',
    'karteninhaber', 'karteninhaberin', 'auf den namen', 'läuft auf',
    "je m'appelle", 'mon nom est', 'mon nom', 'nom et prénom', 'prénom', 'nom', 'titulaire', 'au nom de',
    'me llamo', 'mi nombre es', 'mi nombre', 'nombre y apellidos', 'nombre', 'titular', 'a nombre de', 'a nombre del',
  ],
  surname: ['surname', 'last name', 'family name', 'nachname', 'familienname', 'nom de famille', 'apellido', 'apellidos'],
  title: [
    'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'herr', 'herrn', 'frau', 'mme', 'mlle', 'monsieur', 'madame',
    'mademoiselle', 'sr', 'sra', 'srta', 'señor', 'señora', 'señorita', 'doña', 'dña',
  ],
  intro: [
    "i'm", 'i am', 'this is', "it's", 'it is', 'here is', "here's", 'ich bin', 'hier ist', 'hier spricht', 'je suis',
    "moi c'est", "c'est", 'ici', 'soy', 'aquí', 'aqui', 'habla', 'le habla', 'me presento', 'les escribe', 'vous écrit',
    'called', 'named', 'goes by', 'heißt', 'heisst', 'namens', "s'appelle", 'se llama', 'llamado', 'llamada', 'contact is',
    'contact',
  ],
  relation: [],
  addressing: [
    'tell', 'ask', 'email', 'e-mail', 'call', 'text', 'contact', 'cc', 'thank', 'thanks', 'thank you', 'spoke to',
    'spoke with', 'speak to', 'speak with', 'talked to', 'talking to', 'sign for', 'signed by', 'deliver to', 'delivered to',
    'send to', 'send it to', 'send this to', 'send them to', 'post to', 'post it to', 'post this to', 'ship to', 'ship it to',
    'ship this to', 'address to', 'addressed to', 'attn', 'attention', 'for', 'with', 'to', 'from', 'by', 'and',
    'sagen sie', 'fragen sie', 'an', 'für', 'mit', 'von', 'dire à', 'demandez à', 'pour', 'avec', 'de la part de',
    'dígale a', 'dile a', 'pregunte a', 'para', 'con', 'de parte de',
    'merci', 'danke', 'gracias', 'à', 'envoyer à', 'envoyez à', 'envoyez-le à', 'remis à', 'livré à', 'envíenlo a',
    'envíalo a', 'mándenlo a', 'mándalo a', 'enviar a', 'entregado a', 'schicken an', 'senden an', 'ask for', 'left with',
    'under', 'signed for by',
  ],
  greeting: [
    'hi', 'hello', 'hey', 'dear', 'hallo', 'liebe', 'lieber', 'sehr geehrte', 'sehr geehrter', 'guten tag', 'guten morgen',
    'guten abend', 'moin', 'servus', 'bonjour', 'bonsoir', 'salut', 'cher', 'chère', 'hola', 'buenos días', 'buenas tardes',
    'buenas noches', 'estimado', 'estimada', 'querido', 'querida', 'good morning', 'good afternoon', 'good evening',
    'morning', 'evening', 'afternoon',
  ],
  signoff: [
    'best', 'best wishes', 'regards', 'kind regards', 'warm regards', 'thanks', 'thank you', 'many thanks', 'cheers',
    'sincerely', 'yours', 'love', 'ta', 'viele grüße', 'liebe grüße', 'beste grüße', 'grüße', 'gruß', 'lg', 'vg', 'mfg',
    'mit freundlichen grüßen', 'danke', 'cordialement', 'bien à vous', 'merci', 'bisous', 'amicalement', 'bonne journée',
    'saludos', 'un saludo', 'atentamente', 'gracias', 'besos', 'abrazos', 'un abrazo',
    'ty', 'thx', 'tysm', 'thanks again', 'thanks very much', 'thank you very much', 'ta very much', 'thanks a lot',
    'bonne soirée', 'bonne fin de journée', 'merci beaucoup', 'vielen dank', 'danke schön', 'muchas gracias', 'hasta luego',
  ],
};
const POSSESSIVE = ['my', 'our', 'her', 'his', 'their', 'your', 'mein', 'meine', 'meinem', 'meinen', 'meiner', 'dein', 'deine',
  'sein', 'seine', 'ihr', 'ihre', 'unser', 'unsere', 'mon', 'ma', 'notre', 'son', 'sa', 'leur', 'votre', 'mi', 'nuestro',
  'nuestra', 'su', 'tu'];
const RELATIVES = [
  'partner', 'wife', 'husband', 'son', 'daughter', 'mother', 'mom', 'mum', 'father', 'dad', 'brother', 'sister', 'friend',
  'colleague', 'neighbour', 'neighbor', 'boss', 'manager', 'grandmother', 'grandfather', 'grandma', 'grandpa', 'gran', 'nan',
  'aunt', 'uncle', 'cousin', 'fiance', 'fiancee', 'girlfriend', 'boyfriend', 'flatmate', 'roommate', 'carer', 'child', 'kid',
  'landlord', 'landlady', 'tenant', 'spouse', 'assistant',
  'mann', 'frau', 'partnerin', 'sohn', 'tochter', 'mutter', 'vater', 'bruder', 'schwester', 'freund', 'freundin', 'kollege',
  'kollegin', 'nachbar', 'nachbarin', 'oma', 'opa', 'tante', 'onkel', 'cousine', 'chef', 'chefin', 'vermieter', 'vermieterin',
  'lebensgefährte', 'lebensgefährtin',
  'mari', 'femme', 'fils', 'fille', 'mère', 'père', 'frère', 'sœur', 'soeur', 'ami', 'amie', 'conjoint', 'conjointe',
  'compagnon', 'compagne', 'collègue', 'voisin', 'voisine', 'copain', 'copine', 'grand-mère', 'grand-père', 'oncle',
  'patron', 'patronne', 'propriétaire',
  'marido', 'mujer', 'esposo', 'esposa', 'hijo', 'hija', 'madre', 'padre', 'hermano', 'hermana', 'amigo', 'amiga', 'pareja',
  'novio', 'novia', 'compañero', 'compañera', 'vecino', 'vecina', 'jefe', 'jefa', 'abuelo', 'abuela', 'tío', 'tía', 'primo',
  'prima', 'casero', 'casera',
];
for (const p of POSSESSIVE) for (const r of RELATIVES) PHRASES.relation.push(`${p} ${r}`);
PHRASES.relation.push('agent', 'advisor', 'adviser', 'rep', 'colleague', 'kollege', 'kollegin', 'conseiller', 'conseillère', 'agente', 'asesor', 'asesora');

interface Phrase {
  words: string[];
  kind: Kind;
}

/** First folded word -> phrases starting with it, longest first. */
const TRIGGERS = new Map<string, Phrase[]>();
for (const kind of Object.keys(PHRASES) as Kind[]) {
  for (const p of PHRASES[kind]) {
    const words = p.split(' ').map((w) => foldWord(w).replace(/’/g, "'"));
    const list = TRIGGERS.get(words[0]!) ?? [];
    list.push({ words, kind });
    TRIGGERS.set(words[0]!, list);
  }
}
for (const list of TRIGGERS.values()) list.sort((a, b) => b.words.length - a.words.length);

/** What may stand between a trigger and the name, per kind. */
const GAP: Record<Kind, RegExp> = {
  lax: /^[ \t\u00a0]*[:,\-–—=]?[ \t\u00a0]*$/,
  surname: /^[ \t\u00a0]*[:,\-–—=]?[ \t\u00a0]*$/,
  title: /^\.?[ \t\u00a0]{1,3}$/,
  intro: /^[,:]?[ \t\u00a0]{1,3}$/,
  relation: /^[,:]?[ \t\u00a0]{1,3}$/,
  addressing: /^[:,]?[ \t\u00a0]{1,3}$/,
  greeting: /^[,!]?[ \t\u00a0]{1,3}$/,
  signoff: /^[,!.]?\s{1,4}$/,
};
/**
 * What may follow a name found without a trigger (a bare "Given Surname" pair, or a given name after "and/for/with"):
 * punctuation, the end, or a verb, preposition or conjunction. A following noun makes it a product ("Georgia Peach
 * candles", "Victoria Secret gift card").
 */
const NAME_NEXT =
  /^(?:[ \t\u00a0]*(?:$|[\n,.;:!?()[\]"'«»—–\-/]|\p{Extended_Pictographic})|[ \t\u00a0]+(?:here|speaking|and|or|from|of|at|in|on|with|for|to|is|was|has|had|have|will|would|can|could|should|said|says|told|called|calls|rang|phoned|wrote|paid|ordered|lives|lived|signed|passed|died|who|needs|wants|asked|sent|gave|made|did|does|tried|aus|von|bei|mit|und|oder|ist|war|hat|hatte|wird|kann|wohnt|ruft|rief|hier|möchte|sagt|sagte|et|ou|de|du|des|à|a|est|était|va|qui|ici|habite|appelle|veut|y|o|del|en|con|es|era|ha|vive|que|aquí|llamó|llama|quiere|dijo)(?![\p{L}]))/u;

const PERSON_VERBS = new Set(['tell', 'ask', 'email', 'e-mail', 'call', 'text', 'cc', 'thank', 'thanks', 'thank you', 'spoke to', 'spoke with',
  'speak to', 'speak with', 'talked to', 'talking to', 'signed by', 'sagen sie', 'fragen sie', 'dire à', 'demandez à',
  'dígale a', 'dile a', 'pregunte a', 'merci', 'danke', 'gracias'].map((p) => p.split(' ').map(foldWord).join(' ')));
const WEAK_ADDRESSING = new Set(['for', 'with', 'to', 'from', 'by', 'and', 'an', 'für', 'mit', 'von', 'pour', 'avec', 'para', 'con', 'à', 'under']);
const COPULA = new Set(['is', 'ist', 'est', 'es']);
/** Lax triggers strong enough for one unknown lower-case word. Misses nothing: others need a given name. */
const STRONG_LAX = /name|nom|titular|titulaire|holder|inhaber|läuft|registered/;

/** A dash right before the last word: "... -dustin". Misses: sign-offs with two dashes or a dash after a line break only. */
const DASH_SIGN = /(?:^|\s)[-–—~]\s?$/u;

/** Nothing but punctuation, emoji or a closing kiss ("x") left. Misses: a trailing signature line after the name. */
const END_OF_MESSAGE = /^[\s.!?,;:)\p{Extended_Pictographic}\u200d\ufe0f]*(?:\s[xX]{1,4}[\s.!?\p{Extended_Pictographic}]*)?$/u;
/**
 * After a name: "here", "speaking", "called", "will sign", "aus meinem Haushalt", "llamó", "a appelé". Misses: any other
 * verb (the list is what people write about a person in customer service, not a grammar).
 */
const FOLLOW_VERB =
  /^\s+(?:here|speaking|rang|called|phoned|will|would|can|could|said|says|told|wrote|paid|ordered|lives|signed|is calling|has called|is my|from my household|hat|ist|wird|war|wohnt|ruft|rief|kann|aus meinem haushalt|a appelé|a téléphoné|appelle|habite|va|de ma part|llamó|llama|ha llamado|vive|de mi parte|ha pagado)(?![\p{L}])/iu;
/** "X here", "X from accounting here". Misses: "X on the line". */
const HERE = /^\s+(?:here|speaking|hier|ici|aquí)(?![\p{L}])|^\s+from\s+\p{L}+\s+here(?![\p{L}])/iu;
/**
 * A name right before a birth date or SSN: "lowri rivers, DOB ...", "till jung, geb. ...", "léa barbier, né(e) le".
 * Misses: a birth word without the comma ("lowri rivers born ...") - then only other rules apply.
 */
const BIRTH_AFTER =
  /^\s*,\s*(?:dob|d\.o\.b|born|date of birth|geb\.|geboren|geburtsdatum|né|née|né\(e\)|date de naissance|nacid[oa]|f\. nacimiento|fecha de nacimiento|f\. nac|social|ssn)(?![\p{L}])/iu;
/** Words before a capitalised pair that make it a product or a thing, not a person ("the Holly & Ivy", "sell Daisy Chain"). */
const ARTICLES = new Set(['range', 'collection', 'line', 'series', 'edition', 'gamme', 'collection', 'série', 'édition', 'serie', 'kollektion', 'colección', 'gama', 'sell', 'sells', 'buy', 'bought', 'order', 'ordered', 'stock', 'love', 'like', 'your', 'our', 'this', 'that', 'these', 'those', 'any', 'some', 'the', 'a', 'an', 'der', 'die', 'das', 'ein', 'eine', 'el', 'la', 'le', 'les', 'los', 'las', 'un', 'une', 'una', 'model', 'modelo', 'modèle', 'modell', 'size', 'colour', 'color', 'brand', 'marke', 'marque', 'marca']);
export const personRecognizer: Recognizer = {
  name: 'PersonRecognizer',
  entity: 'PERSON',
  analyze(text) {
    return analyzePersons(text);
  },
};

function analyzePersons(text: string): Finding[] {
  const toks = tokenize(text);
  const n = toks.length;
  if (n === 0) return [];
  const spans: Finding[] = [];
  const add = (i: number, j: number, score: number): void => {
    spans.push(finding('PERSON', toks[i]!.s, toks[j]!.e, score, 'PersonRecognizer'));
  };
  const gapBefore = (i: number): string => text.slice(i > 0 ? toks[i - 1]!.e : 0, toks[i]!.s);
  const lineStart = (i: number): boolean => {
    if (i === 0) return /^[\s\p{Extended_Pictographic}]*$/u.test(gapBefore(0));
    // The last non-blank character before the word ends a sentence, a line or a clause.
    for (let p = toks[i]!.s - 1; p >= toks[i - 1]!.e; p--) {
      const c = text[p]!;
      if (c === ' ' || c === '\t' || c === '\u00a0' || c === '\r') continue;
      return c === '\n' || c === '.' || c === '!' || c === '?' || c === ':' || c === ';' || c === ',';
    }
    return false;
  };
  // Only the last word (or the one before a closing "x" kiss) can end the message: no scan for the others.
  const kissAtEnd = n >= 2 && /^[xX]{1,4}$/.test(toks[n - 1]!.w);
  const endsMessage = (j: number): boolean =>
    (j === n - 1 || (kissAtEnd && j === n - 2)) && END_OF_MESSAGE.test(text.slice(toks[j]!.e));

  // Triggers: a phrase of words joined by spaces, then the name after the kind's separator.
  for (let i = 0; i < n; i++) {
    const phrases = TRIGGERS.get(toks[i]!.f);
    if (!phrases) continue;
    for (const ph of phrases) {
      const len = ph.words.length;
      let ok = i + len <= n;
      for (let w = 1; ok && w < len; w++) ok = toks[i + w]!.f === ph.words[w] && onlySpaces(text, toks[i + w - 1]!.e, toks[i + w]!.s);
      if (!ok) continue;
      let k = i + len;
      if (k >= n) continue;
      if (ph.kind === 'lax' && COPULA.has(toks[k]!.f) && k + 1 < n && onlySpaces(text, toks[k]!.e, toks[k + 1]!.s)) k++;
      if (!GAP[ph.kind].test(text.slice(toks[k - 1]!.e, toks[k]!.s))) continue;
      if (ph.kind === 'signoff' && DASH_SIGN.test(text.slice(toks[k - 1]!.e, toks[k]!.s))) continue;
      applyTrigger(ph, k);
    }
  }
  // Dash sign-off: "... -dustin". DASH_SIGN needs a dash in the gap's last two characters: checked first, without
  // slicing the gap.
  const dashNear = (k: number): boolean => {
    const from = Math.max(k > 0 ? toks[k - 1]!.e : 0, toks[k]!.s - 2);
    for (let p = toks[k]!.s - 1; p >= from; p--) {
      const c = text.charCodeAt(p);
      if (c === 45 || c === 0x2013 || c === 0x2014 || c === 126) return true;
    }
    return false;
  };
  for (let k = 0; k < n; k++) {
    const t = toks[k]!;
    if (dashNear(k) && DASH_SIGN.test(gapBefore(k)) && nameish(t, true) && (t.gaz || t.gaz2 || t.cap)) {
      const j = extend(text, toks, k, !t.cap);
      if (endsMessage(j)) add(k, j, 0.75);
    }
  }

  function applyTrigger(ph: Phrase, k: number): void {
    const t = toks[k]!;
    switch (ph.kind) {
      case 'lax': {
        if (!nameish(t, true)) return;
        const j = extend(text, toks, k, true);
        // One lower-case word that is not a known given name is too weak ("name is misspelled").
        if (!t.cap && !t.gaz && j === k) return;
        if (!t.cap && !t.gaz && !STRONG_LAX.test(ph.words.join(' '))) return;
        add(k, j, 0.85);
        return;
      }
      case 'surname':
        if (nameish(t, true)) add(k, extend(text, toks, k, false), 0.85);
        return;
      case 'title':
        if (nameish(t, true) && (t.cap || t.gaz)) add(k, extend(text, toks, k, false), 0.85);
        return;
      case 'intro': {
        if (!nameish(t, true)) return;
        if (t.gaz) {
          add(k, extend(text, toks, k, false), 0.85);
          if (!t.cap) {
            // "i'm lowri rivers, DOB ...": a lower-case surname counts when a birth date follows.
            const j = extend(text, toks, k, true);
            if (j > k && BIRTH_AFTER.test(text.slice(toks[j]!.e))) add(k, j, 0.85);
          }
        } else if (t.cap && k + 1 < n && nameish(toks[k + 1], false) && onlySpaces(text, t.e, toks[k + 1]!.s)) {
          add(k, extend(text, toks, k, false), 0.8);
        } else if (t.cap && !isAllCaps(t) && /^[ \t]*(?:$|[,.;!?(\n—–-])/.test(text.slice(t.e))) {
          // "I'm Zora, Zora Blake": one capitalised word closed by punctuation.
          add(k, k, 0.7);
        }
        return;
      }
      case 'relation':
        if (nameish(t, true) && (t.cap || t.gaz)) add(k, extend(text, toks, k, false), 0.8);
        return;
      case 'addressing': {
        const phrase = ph.words.join(' ');
        const weak = WEAK_ADDRESSING.has(phrase);
        // Verbs that take only a person ("tell", "email", "spoke to") accept any capitalised word; prepositions and
        // "ship/send to" (which also take places) need a known given name.
        if (!t.cap || !nameish(t, false)) return;
        const j = extend(text, toks, k, false);
        // "post it to Ewan Baird, 22 Thistle Court": an unknown capitalised pair followed by a street number.
        const beforeAddress = j > k && /^,\s*\d/.test(text.slice(toks[j]!.e));
        // A pair of a listed given name (weak list) and a capitalised word, or a capitalised word and a listed surname.
        const weakPair = j > k && t.gaz2 && toks[j]!.sur;
        if (!t.gaz && !PERSON_VERBS.has(phrase) && !beforeAddress && !weakPair) return;
        if (weak && ((t.amb && j === k) || !NAME_NEXT.test(text.slice(toks[j]!.e)))) return;
        add(k, j, j > k ? 0.8 : 0.7);
        return;
      }
      case 'greeting': {
        if (!nameish(t, true) || (!t.gaz && !t.cap)) return;
        const j = extend(text, toks, k, false);
        const closed = /^\s*[,!]/.test(text.slice(toks[j]!.e));
        if ((t.amb || !t.gaz) && j === k && !closed) return;
        add(k, j, 0.75);
        return;
      }
      case 'signoff': {
        if (!nameish(t, true) || (!t.gaz && !t.cap)) return;
        const j = extend(text, toks, k, !t.cap);
        if (endsMessage(j)) add(k, j, 0.75);
        // A signature block: the sign-off, then the name alone on its line, then contact lines.
        else if (/\n\s*$/.test(text.slice(toks[k - 1]!.e, t.s)) && /^[ \t]*\r?\n/.test(text.slice(toks[j]!.e)) && (t.gaz || t.gaz2 || toks[j]!.sur)) add(k, j, 0.75);
        return;
      }
    }
  }

  // Token rules: given name + capitalised surname, "X here", "X called", "x y, DOB", "..., Sven".
  for (let i = 0; i < n; i++) {
    const t = toks[i]!;
    if (t.glued || t.not) continue;
    const prev = toks[i - 1];
    const afterArticle = prev !== undefined && ARTICLES.has(prev.f) && onlySpaces(text, prev.e, t.s);
    if (t.gaz && t.cap && !isAllCaps(t) && !afterArticle) {
      const j = extend(text, toks, i, false);
      if (j > i && NAME_NEXT.test(text.slice(toks[j]!.e))) {
        add(i, j, 0.75);
        i = j;
        continue;
      }
      const rest = text.slice(t.e);
      if (HERE.test(rest) || (!t.amb && FOLLOW_VERB.test(rest))) {
        add(i, i, 0.75);
        continue;
      }
      if (i > 0 && endsMessage(i) && /(?:,|\n|[-–—])\s*$/.test(gapBefore(i))) {
        add(i, i, 0.65);
        continue;
      }
    } else if (t.cap && t.gaz2 && !isAllCaps(t) && !afterArticle && nameish(t, false) && nameish(toks[i + 1], false) && toks[i + 1]!.sur && onlySpaces(text, t.e, toks[i + 1]!.s)) {
      // "Oluwaseun Adebayo, ...": a given name and a surname from the larger lists, closed like a name.
      const j = extend(text, toks, i, false);
      if (NAME_NEXT.test(text.slice(toks[j]!.e))) {
        add(i, j, 0.7);
        i = j;
        continue;
      }
    } else if (t.cap && !t.gaz && !afterArticle && nameish(t, false)) {
      // "Tyrell Washington called ...": two capitalised words and a verb that takes a person.
      const j = extend(text, toks, i, false);
      if (j > i && j - i <= 2 && FOLLOW_VERB.test(text.slice(toks[j]!.e))) {
        add(i, j, 0.7);
        i = j;
        continue;
      }
    }
    if (nameish(t, true) && lineStart(i)) {
      // "latoya Jefferson here", "till jung, geb. 29.4.1948", "ramon Shah here"
      const j = extend(text, toks, i, true);
      if (j - i > 2) continue;
      const rest = text.slice(toks[j]!.e);
      if (BIRTH_AFTER.test(rest) && (j > i || t.gaz)) add(i, j, 0.8);
      else if ((t.gaz || (j > i && toks[j]!.cap)) && HERE.test(rest)) add(i, j, 0.8);
    }
  }
  // A name found once is a name everywhere in the message ("I'm Holly, Holly Fairbairn").
  if (spans.length > 0) {
    const covered = new Uint8Array(n);
    const indexOfStart = new Map<number, number>();
    toks.forEach((t, i) => indexOfStart.set(t.s, i));
    for (const f of spans) {
      for (let i = indexOfStart.get(f.start) ?? n; i < n && toks[i]!.e <= f.end; i++) covered[i] = 1;
    }
    const known = new Set<string>();
    for (let i = 0; i < n; i++) if (covered[i] && toks[i]!.w.length >= 3) known.add(toks[i]!.f);
    for (let i = 0; i < n; i++) {
      const t = toks[i]!;
      if (!covered[i] && !t.glued && (t.cap || t.gaz) && known.has(t.f)) add(i, t.cap ? extend(text, toks, i, false) : i, 0.7);
    }
  }
  // Brands greeted or thanked like people ("Hi Amazon,") and brand names made of person names ("Hugo Boss").
  return spans.filter((f) => {
    const v = foldWord(text.slice(f.start, f.end)).replace(/\s+/g, ' ');
    return !BRANDS.has(v) && !BRAND_PHRASES.has(v);
  });
}
