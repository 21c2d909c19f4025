/**
 * Public types of the PII engine (DESIGN.md section 5). Recognizers find, operators transform, the redactor
 * resolves overlaps and applies operators right to left. A {@link Finding} never holds the value it points at.
 */

/** Every kind of personal data the engine knows. OTP_CODE has no recognizer: callers name the code they know. */
export type EntityType =
  | 'EMAIL'
  | 'PHONE'
  | 'CREDIT_CARD'
  | 'IBAN'
  | 'US_SSN'
  | 'IP_ADDRESS'
  | 'DATE_OF_BIRTH'
  | 'PERSON'
  | 'ADDRESS'
  | 'POSTCODE'
  | 'PASSPORT'
  | 'ACCOUNT_NUMBER'
  | 'URL'
  | 'OTP_CODE';

export const ENTITY_TYPES: readonly EntityType[] = [
  'EMAIL',
  'PHONE',
  'CREDIT_CARD',
  'IBAN',
  'US_SSN',
  'IP_ADDRESS',
  'DATE_OF_BIRTH',
  'PERSON',
  'ADDRESS',
  'POSTCODE',
  'PASSPORT',
  'ACCOUNT_NUMBER',
  'URL',
  'OTP_CODE',
];

/** Operators are chosen by name (config), per entity type. */
export type OperatorName = 'replace' | 'mask' | 'hash' | 'token' | 'drop';

export const OPERATOR_NAMES: readonly OperatorName[] = ['replace', 'mask', 'hash', 'token', 'drop'];

/** Where personal data was found. Offsets are UTF-16 indices into the analysed text, `end` exclusive. */
export interface Finding {
  type: EntityType;
  start: number;
  end: number;
  /** 0..1; used to resolve overlaps (higher wins, then longer, then earlier). */
  score: number;
  /** Name of the recognizer that produced it. */
  recognizer: string;
  /** Set by the redactor: the operator that was applied. */
  operator?: OperatorName;
}

/** The verified customer's own values, redacted wherever they appear in any spacing, case or format. */
export interface ProfileValues {
  names?: string[];
  emails?: string[];
  phones?: string[];
  addresses?: string[];
  /** ISO yyyy-mm-dd. */
  birthDates?: string[];
}

/**
 * Per-conversation numbering of replacement tags, so the same value keeps the same `[EMAIL_1]` across turns.
 * Plain JSON, safe to store in conversation state: values are represented only by a keyed HMAC, never in clear.
 * Create it with `createTagState()`; the redactor mutates it.
 */
export interface TagState {
  v: 1;
  /** Last number handed out, per entity type. */
  next: Partial<Record<EntityType, number>>;
  /** base64url(HMAC(tagKey, type + normalised value)) truncated -> number. */
  seen: Record<string, number>;
}

/** A value taken out by the `token` operator. The caller seals it under the owner's data key; never log it. */
export interface TokenEntry {
  token: string;
  type: EntityType;
  value: string;
}

export interface RedactOptions {
  /** BCP 47 tag such as `de-DE`; default `en-US`. Unknown locales fall back to the language, then to en-US. */
  locale?: string;
  profile?: ProfileValues;
  /** Per-conversation numbering: the same value gets the same tag number. Mutated in place. */
  tagState?: TagState;
  /** Per-call operator overrides (validated like the constructor's). */
  operators?: Partial<Record<EntityType, OperatorName>>;
  /** One-time codes the caller knows were typed in this text; they become OTP_CODE findings. */
  otpCodes?: string[];
}

export interface RedactResult {
  text: string;
  findings: Finding[];
  /** Only for the `token` operator; never produced for CREDIT_CARD. */
  tokens: TokenEntry[];
}

/** What every recognizer receives besides the text: precomputed views, so each recognizer stays cheap and pure. */
export interface RecognizerContext {
  /** `text.toLowerCase()`; same length and offsets as the text for the scripts we handle. */
  readonly lower: string;
  /** True when the text holds at least one ASCII digit. */
  readonly hasDigit: boolean;
  /** Normalised locale, one of SUPPORTED_LOCALES. */
  readonly locale: SupportedLocale;
  /** Language part of the locale. */
  readonly lang: 'en' | 'de' | 'fr' | 'es';
  readonly profile?: ProfileValues | undefined;
}

export type SupportedLocale = 'en-US' | 'en-GB' | 'de-DE' | 'fr-FR' | 'es-ES';
export const SUPPORTED_LOCALES: readonly SupportedLocale[] = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES'];

/** One recognizer per entity (the profile recognizer covers several). Pure: same input, same findings. */
export interface Recognizer {
  readonly name: string;
  readonly entity: EntityType | readonly EntityType[];
  analyze(text: string, locale: SupportedLocale, ctx: RecognizerContext): Finding[];
}
