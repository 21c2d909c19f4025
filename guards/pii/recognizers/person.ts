import type { Finding, Recognizer, RecognizerContext } from '../types.js';
import { finding } from '../text.js';
import { isAmbiguousName, isFirstName, isNotName } from '../gazetteer.js';

/**
 * Names without an NLP model: words are tokenised, then rules combine the gazetteer, capitals and context words in
 * four languages (introductions, titles, "account holder", relations, greetings, sign-offs, "X here", "X called",
 * a name before a birth date). Deliberately misses: a lone surname with no cue, names of people mentioned with no
 * context and not in the gazetteer ("ask Zebedee"), names in all capitals that are not in the gazetteer (they look
 * like acronyms), and company names (not personal data).
 */

interface Tok {
  s: number;
  e: number;
  w: string;
  cap: boolean;
  /** Touches a digit, "@", "_" or a dot inside a token: part of an e-mail, id or tag, never a name. */
  glued: boolean;
  gaz: boolean;
  amb: boolean;
  not: boolean;
}

/** Words, with inner apostrophes and hyphens ("O'Neill", "Jean-Luc"). Possessive 's is cut off below. */
const WORD = /[\p{L}][\p{L}\p{M}'’]*(?:-[\p{L}][\p{L}\p{M}'’]*)*/gu;
const GLUE_BEFORE = /[\p{N}@_+#/\\[]|[\p{L}\p{N}][.]$/u;
const GLUE_AFTER = /^(?:[\p{N}@_+\]/\\]|[.][\p{L}\p{N}])/u;

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
    let w = m[0];
    let e = m.index + w.length;
    const poss = /['’]s$/i.exec(w);
    if (poss && w.length > 3) {
      w = w.slice(0, -2);
      e -= 2;
    }
    const s = m.index;
    const pre = text.slice(Math.max(0, s - 2), s);
    const post = text.slice(m.index + m[0].length, m.index + m[0].length + 2);
    const glued = GLUE_BEFORE.test(pre.slice(-1)) || /[\p{L}\p{N}][.]$/u.test(pre) || GLUE_AFTER.test(post);
    const first = w[0]!;
    const cap = first !== first.toLowerCase();
    const parts = w.split('-');
    const gaz = parts.every((p) => isFirstName(p));
    out.push({ s, e, w, cap, glued, gaz, amb: gaz && isAmbiguousName(w), not: isNotName(w.replace(/['’].*$/, '')) && isNotName(w) });
  }
  return out;
}

function isAllCaps(t: Tok): boolean {
  return t.w.length > 1 && t.w === t.w.toUpperCase();
}

/** Could be part of a name: capitalised (strict) or any letters (lax); never a stop word or glued. */
function nameish(t: Tok | undefined, lax: boolean): boolean {
  if (!t || t.glued || t.not || t.w.length < 2) return false;
  if (isAllCaps(t) && !t.gaz) return false;
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

/** The first token starting at or after `pos`, if only spaces and ":-,–" separate them. */
function tokenAt(toks: Tok[], text: string, pos: number): number {
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.s < pos) continue;
    return /^[\s:,\-–—=]{0,4}$/.test(text.slice(pos, t.s)) && !text.slice(pos, t.s).includes('\n') ? k : -1;
  }
  return -1;
}

/** Triggers whose next words are a name even in lower case: "my name is", "name:", "titular", "au nom de". */
const LAX_TRIGGER = new RegExp(
  String.raw`(?<![\p{L}])(?:my name is|my name's|name is|name's|i am called|full name|first name|given name|name|account holder|cardholder|card holder|in the name of|in my name|under the name|made out to|registered to|` +
    String.raw`mein name ist|mein name|ich heiße|ich heisse|vorname|name lautet|kontoinhaber(?:in)?|karteninhaber(?:in)?|auf den namen|läuft auf|` +
    String.raw`je m'appelle|je m’appelle|mon nom est|mon nom|nom et prénom|prénom|nom|titulaire|au nom de|` +
    String.raw`me llamo|mi nombre es|mi nombre|nombre y apellidos|nombre|titular|a nombre de|a nombre del)(?:\s*(?:is|ist|est|es|:|-|–|—|=|,))?\s+`,
  'giu',
);
/** Triggers after which one word alone is a surname. */
const SURNAME_TRIGGER = /(?<![\p{L}])(?:surname|last name|family name|nachname|familienname|nom de famille|apellidos?)(?:\s*(?:is|ist|est|es|:|-|=))?\s+/giu;
/** Titles: the next word is a name in any case. */
const TITLE = /(?<![\p{L}])(?:mr|mrs|ms|miss|mx|dr|prof|herr|frau|mme|mlle|monsieur|madame|mademoiselle|sr|sra|srta|señor|señora|señorita|doña|dña)\.?\s+/giu;
/** Self-introductions: the next word is a name if it is a known given name, or two capitalised words. */
const INTRO =
  /(?<![\p{L}])(?:i'm|i’m|i am|this is|it's|it’s|it is|here is|here's|ich bin|hier ist|hier spricht|je suis|moi c'est|moi c’est|c'est|c’est|ici|soy|aquí|aqui|habla|le habla|me presento|les escribe|vous écrit)[,:]?\s+/giu;
/** Relations and roles: "my partner Skye Griffiths", "meine Frau Anna", "mon mari Paul", "mi hermana Lucía". */
const RELATION = new RegExp(
  String.raw`(?<![\p{L}])(?:(?:my|our)\s+(?:partner|wife|husband|son|daughter|mother|mom|mum|father|dad|brother|sister|friend|colleague|neighbou?r|boss|manager|grandmother|grandfather|grandma|grandpa|gran|nan|aunt|uncle|cousin|fianc[ée]e?|girlfriend|boyfriend|flatmate|roommate|carer|child|kid|landlord|landlady|tenant|spouse|assistant)` +
    String.raw`|mein(?:e|em|en|er)?\s+(?:mann|frau|partner(?:in)?|sohn|tochter|mutter|vater|bruder|schwester|freund(?:in)?|kollege|kollegin|nachbar(?:in)?|oma|opa|tante|onkel|cousine?|chef(?:in)?|vermieter(?:in)?|lebensgefährt(?:e|in))` +
    String.raw`|(?:mon|ma|notre)\s+(?:mari|femme|fils|fille|mère|père|frère|sœur|soeur|ami|amie|conjointe?|compagnon|compagne|collègue|voisine?|copain|copine|grand-mère|grand-père|oncle|tante|cousine?|patronne?|propriétaire)` +
    String.raw`|(?:mi|nuestro|nuestra)\s+(?:marido|mujer|esposo|esposa|hijo|hija|madre|padre|hermano|hermana|amigo|amiga|pareja|novio|novia|compañer[oa]|vecin[oa]|jef[ea]|abuel[oa]|tí[oa]|prim[oa]|casero|casera)` +
    String.raw`|(?:agent|advisor|adviser|rep|colleague|kollege|kollegin|conseill(?:er|ère)|agente|asesor(?:a)?|compañer[oa]))[,:]?\s+`,
  'giu',
);
/** Verbs and words that take a person right after: "tell Drew", "email Holly", "spoke to Andre", "for Jack". */
const ADDRESSING =
  /(?<![\p{L}])(?:tell|ask|email|e-mail|call|text|contact|cc|thank|thanks|thank you|spoke to|spoke with|speak to|speak with|talked to|talking to|sign for|signed by|deliver(?:ed)? to|send (?:it |this |them )?to|post (?:it |this )?to|ship (?:it |this )?to|address(?:ed)? to|attn|attention|c\/o|for|with|to|from|by|and|sagen sie|fragen sie|an|für|mit|von|dire à|demandez à|pour|avec|de la part de|dígale a|dile a|pregunte a|para|con|de parte de)[:,]?\s+/giu;
/** Greetings: "Guten Abend Mareike", "Hi Sam", "Hola Lucía". */
const GREETING =
  /(?<![\p{L}])(?:hi|hello|hey|dear|hallo|liebe|lieber|sehr geehrte|sehr geehrter|guten tag|guten morgen|guten abend|moin|servus|bonjour|bonsoir|salut|cher|chère|hola|buenos días|buenas tardes|buenas noches|estimado|estimada|querido|querida|good morning|good afternoon|good evening|morning|evening|afternoon)[,!]?\s+/giu;
/** Sign-offs; the name must then end the message. */
const SIGN_OFF =
  /(?<![\p{L}])(?:best|best wishes|regards|kind regards|warm regards|thanks|thank you|many thanks|cheers|sincerely|yours|love|ta|viele grüße|liebe grüße|beste grüße|grüße|gruß|lg|vg|mfg|mit freundlichen grüßen|danke|cordialement|bien à vous|merci|bisous|amicalement|bonne journée|saludos|un saludo|atentamente|gracias|besos|abrazos|un abrazo)[,!.]?\s+/giu;
const DASH_SIGN = /(?:^|\s)[-–—~]\s?(?=\p{L})/gu;
const END_OF_MESSAGE = /^[\s.!?,;:)\p{Extended_Pictographic}\u200d\ufe0f]*$/u;
/** After a name: "here", "speaking", "called", "will sign", "aus meinem Haushalt", "llamó", "a appelé". */
const FOLLOW_VERB =
  /^\s+(?:here|speaking|rang|called|phoned|will|would|can|could|said|says|told|wrote|paid|ordered|lives|signed|is calling|has called|is my|from my household|hat|ist|wird|war|wohnt|ruft|rief|kann|aus meinem haushalt|a appelé|a téléphoné|appelle|habite|va|de ma part|llamó|llama|ha llamado|vive|de mi parte|ha pagado)(?![\p{L}])/iu;
const HERE = /^\s+(?:here|speaking|hier|ici|aquí)(?![\p{L}])|^\s+from\s+\p{L}+\s+here(?![\p{L}])/iu;
/** A name right before a birth date or SSN: "lowri rivers, DOB ...", "till jung, geb. ...", "léa barbier, né(e) le". */
const BIRTH_AFTER =
  /^\s*,\s*(?:dob|d\.o\.b|born|date of birth|geb\.|geboren|geburtsdatum|né|née|né\(e\)|date de naissance|nacid[oa]|f\. nacimiento|fecha de nacimiento|f\. nac|social|ssn)(?![\p{L}])/iu;
const ARTICLES = new Set(['the', 'a', 'an', 'der', 'die', 'das', 'ein', 'eine', 'el', 'la', 'le', 'les', 'los', 'las', 'un', 'une', 'una', 'model', 'modelo', 'modèle', 'modell', 'size', 'colour', 'color', 'brand', 'marke', 'marque', 'marca']);

export const personRecognizer: Recognizer = {
  name: 'PersonRecognizer',
  entity: 'PERSON',
  analyze(text, _locale, ctx) {
    return analyzePersons(text, ctx);
  },
};

function analyzePersons(text: string, _ctx: RecognizerContext): Finding[] {
  const toks = tokenize(text);
  if (toks.length === 0) return [];
  const spans: Finding[] = [];
  const add = (i: number, j: number, score: number): void => {
    spans.push(finding('PERSON', toks[i]!.s, toks[j]!.e, score, 'PersonRecognizer'));
  };
  const lineStart = (i: number): boolean => {
    const t = toks[i]!;
    const prev = i > 0 ? toks[i - 1]!.e : 0;
    const gap = text.slice(prev, t.s);
    return i === 0 ? /^[\s\p{Extended_Pictographic}]*$/u.test(gap) : /[\n.!?:;,]\s*$/.test(gap);
  };
  const endsMessage = (j: number): boolean => END_OF_MESSAGE.test(text.slice(toks[j]!.e));

  // 1. Lax triggers: the following words are a name in any case.
  for (const m of text.matchAll(LAX_TRIGGER)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k < 0) continue;
    const t = toks[k]!;
    if (!nameish(t, true)) continue;
    const j = extend(text, toks, k, true);
    const strongWord = /name|nom|titular|titulaire|holder|inhaber|läuft auf|registered/i.test(m[0]);
    // One lower-case word that is not a known given name is too weak ("name is misspelled").
    if (!t.cap && !t.gaz && j === k) continue;
    if (!strongWord && !t.cap && !t.gaz) continue;
    add(k, j, 0.85);
  }
  for (const m of text.matchAll(SURNAME_TRIGGER)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k >= 0 && nameish(toks[k], true)) add(k, extend(text, toks, k, false), 0.85);
  }
  // 2. Titles.
  for (const m of text.matchAll(TITLE)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k >= 0 && nameish(toks[k], true) && (toks[k]!.cap || toks[k]!.gaz)) add(k, extend(text, toks, k, false), 0.85);
  }
  // 3. Introductions: a given name, or two capitalised words.
  for (const m of text.matchAll(INTRO)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k < 0) continue;
    const t = toks[k]!;
    if (!nameish(t, true)) continue;
    if (t.gaz) {
      add(k, extend(text, toks, k, false), 0.85);
      if (!t.cap) {
        // "i'm lowri rivers, DOB ...": a lower-case surname counts when a birth date follows.
        const j = extend(text, toks, k, true);
        if (j > k && BIRTH_AFTER.test(text.slice(toks[j]!.e))) add(k, j, 0.85);
      }
    } else if (t.cap && nameish(toks[k + 1], false) && onlySpaces(text, t.e, toks[k + 1]!.s)) {
      add(k, extend(text, toks, k, false), 0.8);
    }
  }
  // 4. Relations and roles.
  for (const m of text.matchAll(RELATION)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k < 0) continue;
    const t = toks[k]!;
    if (nameish(t, true) && (t.cap || t.gaz)) add(k, extend(text, toks, k, false), 0.8);
  }
  // 5. Addressing verbs and prepositions: a capitalised given name.
  for (const m of text.matchAll(ADDRESSING)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k < 0) continue;
    const t = toks[k]!;
    if (!t.gaz || !t.cap || t.glued || isAllCaps(t)) continue;
    const j = extend(text, toks, k, false);
    const weak = /^(?:for|with|to|from|by|and|an|für|mit|von|pour|avec|para|con)\b/i.test(m[0]);
    if (t.amb && weak && j === k) continue;
    add(k, j, j > k ? 0.8 : 0.7);
  }
  // 6. Greetings.
  for (const m of text.matchAll(GREETING)) {
    const k = tokenAt(toks, text, m.index + m[0].length);
    if (k < 0) continue;
    const t = toks[k]!;
    if (!nameish(t, true) || !t.gaz) continue;
    const j = extend(text, toks, k, false);
    if (t.amb && j === k && !/^\s*[,!]/.test(text.slice(t.e))) continue;
    add(k, j, 0.75);
  }
  // 7. Sign-offs, ending the message.
  for (const re of [SIGN_OFF, DASH_SIGN]) {
    for (const m of text.matchAll(re)) {
      const k = tokenAt(toks, text, m.index + m[0].length);
      if (k < 0) continue;
      const t = toks[k]!;
      if (!nameish(t, true) || (!t.gaz && !t.cap)) continue;
      const j = extend(text, toks, k, !t.cap);
      if (endsMessage(j)) add(k, j, 0.75);
    }
  }
  // 8. Token rules: pairs of given name + capitalised surname, "X here", "X called", "x y, DOB".
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.glued || t.not) continue;
    const prev = toks[i - 1];
    const afterArticle = prev !== undefined && ARTICLES.has(prev.w.toLowerCase()) && onlySpaces(text, prev.e, t.s);
    if (t.gaz && t.cap && !isAllCaps(t) && !afterArticle) {
      const j = extend(text, toks, i, false);
      if (j > i) {
        add(i, j, 0.75);
        i = j;
        continue;
      }
      const rest = text.slice(t.e);
      if (HERE.test(rest) || (!t.amb && FOLLOW_VERB.test(rest))) {
        add(i, i, 0.75);
        continue;
      }
    }
    if (lineStart(i) && nameish(t, true)) {
      // "latoya Jefferson here", "till jung, geb. 29.4.1948", "ramon Shah here"
      const j = extend(text, toks, i, true);
      const rest = text.slice(toks[j]!.e);
      if (j - i <= 2 && BIRTH_AFTER.test(rest) && (j > i || t.gaz)) add(i, j, 0.8);
      else if (j - i <= 2 && t.gaz && HERE.test(rest)) add(i, j, 0.8);
    }
  }
  // 9. A name found once is a name everywhere in the message ("I'm Holly, Holly Fairbairn").
  if (spans.length > 0) {
    const known = new Set<string>();
    for (const f of spans) for (const t of toks) if (t.s >= f.start && t.e <= f.end && t.w.length >= 3) known.add(t.w.toLowerCase());
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (!t.glued && (t.cap || t.gaz) && known.has(t.w.toLowerCase()) && !spans.some((f) => f.start <= t.s && t.e <= f.end)) add(i, i, 0.7);
    }
  }
  return spans;
}
