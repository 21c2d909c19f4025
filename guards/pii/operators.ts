/**
 * Operators transform one found value; they are chosen by name, per entity type (Presidio's split). Every operator
 * output is recognisable as already-redacted (see TAG_PATTERN), which keeps redaction idempotent.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { GuardError } from '../errors.js';
import { normaliseValue, tagNumber } from './tagState.js';
import { ENTITY_TYPES, OPERATOR_NAMES, type EntityType, type OperatorName, type TagState, type TokenEntry } from './types.js';

export interface OperatorContext {
  /** Persistent numbering (HMAC-keyed); when absent, `localTags` numbers values within the call. */
  tagState?: TagState | undefined;
  localTags?: Map<string, number>;
  tagKey: Uint8Array;
  hashKey?: Uint8Array | undefined;
}

export interface OperatorOutput {
  text: string;
  token?: TokenEntry;
}

export interface Operator {
  readonly name: OperatorName;
  apply(value: string, type: EntityType, ctx: OperatorContext): OperatorOutput;
}

/** Numbered tag: the same value gets the same number within a tag state. OTP codes get a fixed, unnumbered tag. */
export const replaceOperator: Operator = {
  name: 'replace',
  apply(value, type, ctx) {
    if (type === 'OTP_CODE') return { text: '[OTP_CODE]' };
    if (ctx.tagState) return { text: `[${type}_${tagNumber(ctx.tagState, ctx.tagKey, type, value)}]` };
    // One call, no stored state: plain numbering in memory (nothing leaves the call), no HMAC needed.
    const local = (ctx.localTags ??= new Map<string, number>());
    const key = `${type}\0${normaliseValue(type, value)}`;
    let n = local.get(key);
    if (n === undefined) {
      const countKey = `#${type}`;
      n = (local.get(countKey) ?? 0) + 1;
      local.set(countKey, n);
      local.set(key, n);
    }
    return { text: `[${type}_${n}]` };
  },
};

/** Letters and digits become "*", separators stay; a card keeps its last four digits (what a receipt shows). */
export const maskOperator: Operator = {
  name: 'mask',
  apply(value, type) {
    let keep = 0;
    if (type === 'CREDIT_CARD') keep = 4;
    let out = '';
    let digitsSeen = 0;
    const totalDigits = (value.match(/\d/g) ?? []).length;
    for (const ch of value) {
      if (/\d/.test(ch)) {
        digitsSeen++;
        out += digitsSeen > totalDigits - keep ? ch : '*';
      } else out += /[\p{L}\p{N}]/u.test(ch) ? '*' : ch;
    }
    return { text: out };
  },
};

/** Keyed hash for linkable analytics: HMAC-SHA256 under a configured key, never a bare hash. */
export const hashOperator: Operator = {
  name: 'hash',
  apply(value, type, ctx) {
    if (!ctx.hashKey) throw new GuardError('ERR_CONFIG_KEY_MISSING', { cause: new Error('hash operator needs hashKey') });
    const h = createHmac('sha256', ctx.hashKey).update(type).update('\0').update(normaliseValue(type, value)).digest('hex').slice(0, 16);
    return { text: `[${type}#${h}]` };
  },
};

/**
 * Reversible token: a random id in the text, the value handed back in `tokens` for the caller to seal under the
 * owner's data key. Card numbers are never persisted in any form (invariant 9): for CREDIT_CARD it falls back to
 * the numbered tag.
 */
export const tokenOperator: Operator = {
  name: 'token',
  apply(value, type, ctx) {
    if (type === 'CREDIT_CARD') return replaceOperator.apply(value, type, ctx);
    const token = `[TOKEN:${randomBytes(5).toString('hex')}]`;
    return { text: token, token: { token, type, value } };
  },
};

/** Removes the value. */
export const dropOperator: Operator = {
  name: 'drop',
  apply() {
    return { text: '' };
  },
};

export const OPERATORS: Readonly<Record<OperatorName, Operator>> = Object.freeze({
  replace: replaceOperator,
  mask: maskOperator,
  hash: hashOperator,
  token: tokenOperator,
  drop: dropOperator,
});

/** Looks an operator up by name; unknown names throw (a misconfigured redactor must never pass text through). */
export function operatorByName(name: string): Operator {
  if (!(OPERATOR_NAMES as readonly string[]).includes(name)) {
    throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error(`unknown PII operator "${name}"`) });
  }
  return OPERATORS[name as OperatorName];
}

/** Validates a per-entity operator map from configuration. */
export function validateOperatorMap(map: unknown, hashKey: Uint8Array | undefined): Partial<Record<EntityType, OperatorName>> {
  if (map === undefined) return {};
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error('PII operators must be an object') });
  }
  const out: Partial<Record<EntityType, OperatorName>> = {};
  for (const [type, name] of Object.entries(map as Record<string, unknown>)) {
    if (!(ENTITY_TYPES as readonly string[]).includes(type)) {
      throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error(`unknown PII entity type "${type}"`) });
    }
    if (typeof name !== 'string') throw new GuardError('ERR_CONFIG_INVALID', { cause: new Error(`operator for ${type} is not a name`) });
    operatorByName(name);
    if (name === 'hash' && (!hashKey || hashKey.length < 16)) {
      throw new GuardError('ERR_CONFIG_KEY_MISSING', { cause: new Error('the hash operator needs a hashKey of at least 16 bytes') });
    }
    out[type as EntityType] = name as OperatorName;
  }
  return out;
}

const TYPES = ENTITY_TYPES.join('|');
/**
 * Output of our own operators: [EMAIL_3], [OTP_CODE], [EMAIL#0123456789abcdef], [TOKEN:ab12cd34ef]. Text inside
 * these is never analysed again. Misses nothing of ours; it deliberately does not protect look-alikes with other
 * names ("[FOO_1]") so a customer cannot shield a value by wrapping it in brackets.
 */
export const TAG_PATTERN = new RegExp(`\\[(?:(?:${TYPES})(?:_\\d{1,4})?|(?:${TYPES})#[0-9a-f]{16}|TOKEN:[0-9a-f]{10})\\]`, 'g');
