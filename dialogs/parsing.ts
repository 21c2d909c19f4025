/**
 * Values typed into prompts: numbers, dates, yes/no. English, French and Spanish use
 * @microsoft/recognizers-text-suite (prompt path only: its DateTime costs milliseconds, never run it per message in
 * the redaction path). It has no German beyond yes/no, so German numbers and dates are parsed here.
 */
import * as Recognizers from '@microsoft/recognizers-text-suite';
import { CULTURE, type Lang } from './language.js';
import { fold } from './intents.js';

const DE_UNITS: Record<string, number> = {
  null: 0, ein: 1, eins: 1, eine: 1, einen: 1, zwei: 2, zwo: 2, drei: 3, vier: 4, funf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9, zehn: 10,
  elf: 11, zwolf: 12, dreizehn: 13, vierzehn: 14, funfzehn: 15, sechzehn: 16, siebzehn: 17, achtzehn: 18, neunzehn: 19,
};
const DE_TENS: Record<string, number> = { zwanzig: 20, dreissig: 30, vierzig: 40, funfzig: 50, sechzig: 60, siebzig: 70, achtzig: 80, neunzig: 90 };

/** German number words up to 99 ("dreiundzwanzig"), digits with comma decimals ("2,5"). */
function parseGermanNumber(text: string): number | undefined {
  const t = fold(text);
  const digits = /(?:^|[^\d])(-?\d+(?:[.,]\d+)?)(?!\d)/.exec(t);
  if (digits) return Number(digits[1]!.replace(',', '.'));
  for (const word of t.split(/[^a-z]+/).filter(Boolean)) {
    if (word in DE_UNITS) return DE_UNITS[word];
    if (word in DE_TENS) return DE_TENS[word];
    if (word === 'hundert' || word === 'einhundert') return 100;
    const m = /^([a-z]+?)und([a-z]+)$/.exec(word);
    if (m && m[1]! in DE_UNITS && m[2]! in DE_TENS) return DE_UNITS[m[1]!]! + DE_TENS[m[2]!]!;
  }
  return undefined;
}

export function parseNumber(text: string, lang: Lang): number | undefined {
  if (lang === 'de') return parseGermanNumber(text);
  const r = Recognizers.recognizeNumber(text.slice(0, 500), CULTURE[lang]);
  const v = r[0]?.resolution?.value;
  const n = typeof v === 'string' ? Number(v) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

const DE_MONTHS = ['januar', 'februar', 'marz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember'];

function iso(y: number, m: number, d: number): string | undefined {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return dt.toISOString().slice(0, 10);
}

function addDays(today: Date, n: number): string {
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + n)).toISOString().slice(0, 10);
}

/** German: "heute", "gestern", "vorgestern", "vor 3 Tagen", "3.5.2024", "3. Mai 2024", "3. Mai" (this year). */
function parseGermanDate(text: string, today: Date): string | undefined {
  const t = fold(text);
  if (/\bvorgestern\b/.test(t)) return addDays(today, -2);
  if (/\bgestern\b/.test(t)) return addDays(today, -1);
  if (/\bheute\b/.test(t)) return addDays(today, 0);
  const ago = /\bvor (\S+) (tag|tagen|woche|wochen)\b/.exec(t);
  if (ago) {
    const n = parseGermanNumber(ago[1]!);
    if (n !== undefined) return addDays(today, -n * (ago[2]!.startsWith('woche') ? 7 : 1));
  }
  const num = /\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})?/.exec(t);
  if (num) {
    const y = num[3] ? (num[3].length === 2 ? 2000 + Number(num[3]) : Number(num[3])) : today.getUTCFullYear();
    return iso(y, Number(num[2]), Number(num[1]));
  }
  const words = /\b(\d{1,2})\.? ?([a-z]+)(?: (\d{4}))?/.exec(t);
  if (words) {
    const m = DE_MONTHS.findIndex((name) => words[2]!.startsWith(name.slice(0, 3)));
    if (m >= 0) return iso(words[3] ? Number(words[3]) : today.getUTCFullYear(), m + 1, Number(words[1]));
  }
  return undefined;
}

/** A calendar date the customer typed, as YYYY-MM-DD, relative to `today` (injected clock). */
export function parseDate(text: string, lang: Lang, today: Date): string | undefined {
  if (lang === 'de') return parseGermanDate(text, today);
  const results = Recognizers.recognizeDateTime(text.slice(0, 200), CULTURE[lang], undefined, today);
  for (const r of results) {
    const values = (r.resolution?.values ?? []) as { type?: string; value?: string }[];
    // Ambiguous dates ("May 3") resolve to several years: take the latest that is not in the future.
    const dates = values.filter((v) => v.type === 'date' && typeof v.value === 'string').map((v) => v.value!);
    const past = dates.filter((d) => d <= today.toISOString().slice(0, 10)).sort();
    const pick = past[past.length - 1] ?? dates[0];
    if (pick && /^\d{4}-\d{2}-\d{2}$/.test(pick)) return pick;
  }
  return undefined;
}

/** Yes/no in all four languages (recognizers-text covers German for booleans). */
export function parseYesNo(text: string, lang: Lang): boolean | undefined {
  const r = Recognizers.recognizeBoolean(text.slice(0, 200), CULTURE[lang]);
  const v = r[0]?.resolution?.value;
  return typeof v === 'boolean' ? v : undefined;
}

/** Loads the recognizer models and cultures once at start-up (first calls cost seconds: STACK-NOTES.md). */
export function warmUpPromptRecognizers(): number {
  const t0 = performance.now();
  const today = new Date();
  for (const lang of ['en', 'fr', 'es'] as Lang[]) {
    parseNumber('three', lang);
    parseDate('yesterday', lang, today);
  }
  for (const lang of ['en', 'de', 'fr', 'es'] as Lang[]) parseYesNo('yes', lang);
  return performance.now() - t0;
}
