/**
 * The four languages Trustline speaks. The user's language comes from the activity's locale when the channel sends
 * one, else from the words of the message (a small stop-word vote: cheap, and good enough to pick among four).
 */
export type Lang = 'en' | 'de' | 'fr' | 'es';
export const LANGS: readonly Lang[] = ['en', 'de', 'fr', 'es'];

/** Culture passed to @microsoft/recognizers-text-suite (German falls back to our own parsing). */
export const CULTURE: Record<Lang, string> = { en: 'en-us', de: 'de-de', fr: 'fr-fr', es: 'es-es' };

export function langFromLocale(locale: unknown): Lang | undefined {
  if (typeof locale !== 'string') return undefined;
  const l = locale.slice(0, 2).toLowerCase();
  return (LANGS as readonly string[]).includes(l) ? (l as Lang) : undefined;
}

const STOP: Record<Lang, string[]> = {
  en: ['the', 'my', 'is', 'i', 'you', 'where', 'what', 'hello', 'hi', 'please', 'order', 'want', 'to', 'and', 'thanks', 'help', 'can', 'with', 'need', 'bye'],
  de: ['der', 'die', 'das', 'ist', 'ich', 'mein', 'meine', 'wo', 'was', 'hallo', 'bitte', 'bestellung', 'möchte', 'und', 'danke', 'hilfe', 'nicht', 'mit', 'ein', 'eine', 'tschüss', 'guten'],
  fr: ['le', 'la', 'les', 'est', 'je', 'mon', 'ma', 'mes', 'où', 'quoi', 'bonjour', 'merci', 'commande', 'veux', 'et', 'aide', 'pas', 'avec', 'un', 'une', 'au', 'revoir', 'parler'],
  es: ['el', 'la', 'los', 'es', 'yo', 'mi', 'mis', 'dónde', 'donde', 'qué', 'que', 'hola', 'gracias', 'pedido', 'quiero', 'y', 'ayuda', 'no', 'con', 'un', 'una', 'adiós', 'hablar'],
};
const STOPSETS = Object.fromEntries(LANGS.map((l) => [l, new Set(STOP[l])])) as Record<Lang, Set<string>>;

/** Returns a language only when the words clearly favour it; otherwise undefined (keep the current one). */
export function detectLang(text: string): Lang | undefined {
  const words = text.toLowerCase().normalize('NFC').split(/[^\p{L}]+/u).filter(Boolean).slice(0, 60);
  if (words.length === 0) return undefined;
  let best: Lang | undefined;
  let bestScore = 0;
  let second = 0;
  // A letter only one language uses counts once for it (tested once per text, not once per language).
  const marks: Partial<Record<Lang, number>> = { de: /[äöüß]/.test(text) ? 1 : 0, es: /[ñ¿¡]/.test(text) ? 1 : 0, fr: /[çèêà]/.test(text) ? 1 : 0 };
  for (const l of LANGS) {
    let score = marks[l] ?? 0;
    for (const w of words) if (STOPSETS[l].has(w)) score++;
    if (score > bestScore) { second = bestScore; bestScore = score; best = l; } else if (score > second) second = score;
  }
  return bestScore > 0 && bestScore > second ? best : undefined;
}

/**
 * The language a dialog step answers in: MainDialog normalises `activity.locale` to the conversation's language at
 * the start of every turn, so steps read it from there.
 */
export function langOf(context: { activity: { locale?: string } }): Lang {
  return langFromLocale(context.activity.locale) ?? 'en';
}
