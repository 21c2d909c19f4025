/**
 * The redactor: runs the recognizers, resolves overlaps by one explicit rule, applies the operators right to left.
 *
 * Overlap rule: candidates are ranked by score (higher first), then length (longer first), then start (earlier
 * first); each is accepted unless it overlaps one already accepted. Spans inside our own tags ([EMAIL_1], ...) are
 * never findings, which makes `redact(redact(x).text).text === redact(x).text`.
 *
 * Fails loud: a bad configuration throws at construction, a non-string input or a broken recognizer throws from
 * `redact`; it never returns the input unchanged because something was wrong.
 */
import { randomBytes } from 'node:crypto';
import { GuardError } from '../errors.js';
import { operatorByName, TAG_PATTERN, validateOperatorMap, type OperatorContext } from './operators.js';
import { DEFAULT_RECOGNIZERS } from './registry.js';
import { isTagState } from './tagState.js';
import { digitsOf, makeContext, normaliseLocale, Occupancy } from './text.js';
import {
  SUPPORTED_LOCALES,
  type EntityType,
  type Finding,
  type OperatorName,
  type ProfileValues,
  type RedactOptions,
  type RedactResult,
  type Recognizer,
  type TokenEntry,
} from './types.js';

export interface RedactorOptions {
  recognizers?: Recognizer[];
  /** Operator per entity type; default `replace` for all. */
  operators?: Partial<Record<EntityType, OperatorName>>;
  /** Key of the `hash` operator (>= 16 bytes); required when any entity uses `hash`. */
  hashKey?: Uint8Array;
  /** Key of the tag-state HMAC; default a random per-process key (numbering then restarts with the process). */
  tagKey?: Uint8Array;
}

const PROCESS_TAG_KEY = randomBytes(32);

/** Resolves overlaps by the documented rule: score, then length, then start. Returns findings sorted by start. */
export function resolveOverlaps(candidates: readonly Finding[]): Finding[] {
  const ranked = [...candidates].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: Finding[] = [];
  const taken = new Occupancy(ranked.reduce((m, f) => Math.max(m, f.end), 0));
  for (const f of ranked) {
    if (f.end <= f.start || f.start < 0) continue;
    if (!taken.isFree(f.start, f.end)) continue;
    taken.take(f.start, f.end);
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Characters inside our own tags, or undefined when there are none. */
function protectedSpans(text: string): Occupancy | undefined {
  if (!text.includes('[')) return undefined;
  let occ: Occupancy | undefined;
  TAG_PATTERN.lastIndex = 0;
  for (let m = TAG_PATTERN.exec(text); m; m = TAG_PATTERN.exec(text)) {
    occ ??= new Occupancy(text.length);
    occ.take(m.index, m.index + m[0].length);
  }
  return occ;
}

function otpFindings(text: string, codes: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const code of codes) {
    const d = digitsOf(code);
    if (d.length < 4) continue;
    const re = new RegExp(`(?<!\\d)${d.split('').join('[\\s-]?')}(?!\\d)`, 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push({ type: 'OTP_CODE', start: m.index, end: m.index + m[0].length, score: 1, recognizer: 'OtpCode' });
    }
  }
  return out;
}

export class Redactor {
  private readonly recognizers: readonly Recognizer[];
  private readonly operators: Partial<Record<EntityType, OperatorName>>;
  private readonly hashKey: Uint8Array | undefined;
  private readonly tagKey: Uint8Array;

  constructor(opts: RedactorOptions = {}) {
    const recognizers = opts.recognizers ?? [...DEFAULT_RECOGNIZERS];
    if (!Array.isArray(recognizers) || recognizers.length === 0) {
      throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error('a redactor needs at least one recognizer') });
    }
    for (const r of recognizers) {
      if (!r || typeof r.name !== 'string' || typeof r.analyze !== 'function') {
        throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error('invalid recognizer') });
      }
    }
    if (opts.hashKey !== undefined && (!(opts.hashKey instanceof Uint8Array) || opts.hashKey.length < 16)) {
      throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error('hashKey must be at least 16 bytes') });
    }
    if (opts.tagKey !== undefined && (!(opts.tagKey instanceof Uint8Array) || opts.tagKey.length < 16)) {
      throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error('tagKey must be at least 16 bytes') });
    }
    this.recognizers = Object.freeze([...recognizers]);
    this.hashKey = opts.hashKey;
    this.tagKey = opts.tagKey ?? PROCESS_TAG_KEY;
    this.operators = Object.freeze(validateOperatorMap(opts.operators, this.hashKey));
  }

  /** Findings after overlap resolution, without the values. Pure. */
  analyze(text: string, locale?: string, profile?: ProfileValues, otpCodes?: readonly string[]): Finding[] {
    if (typeof text !== 'string') {
      throw new GuardError('ERR_REDACTION_FAILED', { cause: new TypeError('text must be a string') });
    }
    if (text.length === 0) return [];
    const loc = normaliseLocale(locale);
    const ctx = makeContext(text, loc, profile);
    const candidates: Finding[] = [];
    for (const r of this.recognizers) {
      for (const f of r.analyze(text, loc, ctx)) candidates.push(f);
    }
    if (otpCodes && otpCodes.length > 0) candidates.push(...otpFindings(text, otpCodes));
    const shielded = protectedSpans(text);
    const usable = shielded === undefined ? candidates : candidates.filter((f) => shielded.isFree(f.start, f.end));
    return resolveOverlaps(usable).map((f) => ({ type: f.type, start: f.start, end: f.end, score: f.score, recognizer: f.recognizer }));
  }

  /** Redacts synchronously. The tag state in `opts` is updated in place. */
  redact(text: string, opts: RedactOptions = {}): RedactResult {
    const findings = this.analyze(text, opts.locale, opts.profile, opts.otpCodes);
    const perCall = opts.operators ? validateOperatorMap(opts.operators, this.hashKey) : undefined;
    if (opts.tagState !== undefined && !isTagState(opts.tagState)) {
      throw new GuardError('ERR_REDACTION_FAILED', { cause: new Error('malformed tag state') });
    }
    const ctx: OperatorContext = { tagState: opts.tagState, tagKey: this.tagKey, hashKey: this.hashKey };
    // Numbers are handed out left to right (first mention gets _1), replacements are applied right to left.
    const outputs: string[] = [];
    const tokens: TokenEntry[] = [];
    for (const f of findings) {
      const name = perCall?.[f.type] ?? this.operators[f.type] ?? 'replace';
      const out = operatorByName(name).apply(text.slice(f.start, f.end), f.type, ctx);
      f.operator = name === 'token' && f.type === 'CREDIT_CARD' ? 'replace' : name;
      outputs.push(out.text);
      if (out.token) tokens.push(out.token);
    }
    // Right to left, collecting pieces (linear even with thousands of findings), then joined in reading order.
    const pieces: string[] = [];
    let cursor = text.length;
    for (let i = findings.length - 1; i >= 0; i--) {
      const f = findings[i]!;
      pieces.push(text.slice(f.end, cursor), outputs[i]!);
      cursor = f.start;
    }
    pieces.push(text.slice(0, cursor));
    return { text: pieces.reverse().join(''), findings, tokens };
  }

  /** Runs every recognizer over every supported locale once so regexes are compiled before the first turn. */
  warmUp(): { ms: number } {
    const t0 = performance.now();
    for (let round = 0; round < 3; round++) {
      for (const locale of SUPPORTED_LOCALES) {
        for (const sample of WARM_UP_SAMPLES) this.redact(sample, { locale });
      }
    }
    return { ms: performance.now() - t0 };
  }
}

/** Synthetic samples touching every recognizer (all values made up; the card and IBAN are test numbers). */
const WARM_UP_SAMPLES = [
  "Hi, I'm Anna Test, born 1 January 1990, email anna.test@example.com or anna dot test at example dot com",
  'Call +44 20 7946 0958 or (555) 201-3344, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00',
  'SSN 123-45-6789 from 203.0.113.7 / 2001:db8::1, passport 123456789, account 12345678',
  'Send it to 10 Example Street, SW1A 1AA, Hauptstraße 5, 10115 Berlin, 3 rue de la Paix, 75002, Calle Mayor 1, 28013',
  'Geburtsdatum 01.02.1980, né le 3 mars 1970, fecha de nacimiento 4/5/66, https://example.com/u/anna?email=a@b.co',
  'Order 12345, invoice INV-2024-001, delivery 12/05/2025 at 10:30, version 1.2.3, thanks! -Anna',
];

export interface DefaultRedactorOptions {
  operators?: Partial<Record<EntityType, OperatorName>>;
  hashKey?: Uint8Array;
  tagKey?: Uint8Array;
}

/** The redactor with every default recognizer. */
export function createDefaultRedactor(opts: DefaultRedactorOptions = {}): Redactor {
  return new Redactor({ recognizers: [...DEFAULT_RECOGNIZERS], ...opts });
}
