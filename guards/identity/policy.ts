/**
 * Which intents need a verified customer, how fresh the verification must be, and which methods count for each
 * (DESIGN.md invariant 5, SECURITY-CHECKLIST IMP-1/IMP-2/OTP-9). Pure decisions in the teams-ai style: the guard's
 * `onTurn` is plumbing, these functions are the policy and are tested alone.
 */

/**
 * How a conversation proved who the customer is. Email is the weakest: 800-63B does not accept it as an
 * out-of-band authenticator, so the policy can leave it out for the most sensitive intents (erasure).
 */
export type VerificationMethod = 'email_otp' | 'sms_otp' | 'host_jwt' | 'teams_sso';
export const ALL_METHODS: readonly VerificationMethod[] = ['email_otp', 'sms_otp', 'host_jwt', 'teams_sso'];
export const STRONG_METHODS: readonly VerificationMethod[] = ['sms_otp', 'host_jwt', 'teams_sso'];

export interface ProtectedIntentPolicy {
  /** The verification must be at most this old when the intent runs. */
  maxAgeMinutes: number;
  /** Methods whose verification counts for this intent. */
  methods: readonly VerificationMethod[];
}

/**
 * Intents that disclose or change something about an account, with their default freshness and methods. The data
 * requests (dataAccess/dataCorrect/dataErase/contactChange) are listed now so the data-request issue only routes to
 * them; opt-out needs no verification (DSR-1) and is deliberately absent.
 */
export const PROTECTED_INTENTS: Readonly<Record<string, ProtectedIntentPolicy>> = Object.freeze({
  orderStatus: { maxAgeMinutes: 30, methods: ALL_METHODS },
  paymentProblem: { maxAgeMinutes: 30, methods: ALL_METHODS },
  addressChange: { maxAgeMinutes: 5, methods: ALL_METHODS },
  contactChange: { maxAgeMinutes: 5, methods: ALL_METHODS },
  dataAccess: { maxAgeMinutes: 5, methods: ALL_METHODS },
  dataExport: { maxAgeMinutes: 5, methods: ALL_METHODS },
  dataCorrect: { maxAgeMinutes: 5, methods: ALL_METHODS },
  dataErase: { maxAgeMinutes: 5, methods: STRONG_METHODS },
});

export interface IdentityPolicy {
  intents: Readonly<Record<string, ProtectedIntentPolicy>>;
  /** A verified conversation with no turn for this long is no longer verified (IMP-1). */
  idleMinutes: number;
  /** ...and never longer than this after the verification, however active (IMP-1). */
  absoluteMinutes: number;
}

export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = Object.freeze({ intents: PROTECTED_INTENTS, idleMinutes: 15, absoluteMinutes: 120 });

/**
 * What the conversation state remembers about its verification (sealed with the conversation state, which is
 * itself per channel + conversation). `user` is the keyed pseudonym of the channel user id that verified: another
 * user id in the same conversation is not verified.
 */
export interface VerificationState {
  /** Epoch ms of the last successful verification of this conversation's subject. */
  verifiedAt?: number;
  /** Epoch ms of the last turn seen while verified (idle timeout). */
  lastSeenAt?: number;
  method?: VerificationMethod;
  /** Pseudonym of the channel user that verified. */
  user?: string;
  /** Owner id of the subject's data key (subject index). */
  subjectOwner?: string;
  /** Random pseudonym of the subject (subject index; destroyed at erasure). */
  subject?: string;
  /** The directory's customer number; sealed with the state, used to read the account. */
  customerNumber?: string;
}

export type SessionStatus = 'valid' | 'none' | 'idle' | 'expired' | 'other_user';

/** Whether the conversation's verification still holds for this channel user now (IMP-1). */
export function sessionStatus(state: VerificationState | undefined, now: number, user: string, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): SessionStatus {
  if (!state?.verifiedAt || !state.customerNumber) return 'none';
  if (state.user !== user) return 'other_user';
  if (now - state.verifiedAt > policy.absoluteMinutes * 60_000) return 'expired';
  if (now - (state.lastSeenAt ?? state.verifiedAt) > policy.idleMinutes * 60_000) return 'idle';
  return 'valid';
}

export type Verdict =
  | { kind: 'allow' }
  | { kind: 'redirect'; to: 'verify'; reason: 'unverified' | 'stale' | 'method'; methods: readonly VerificationMethod[] };

/**
 * May `intent` run now? `state` must already be a valid session for this user (see `sessionStatus`); callers pass
 * undefined otherwise. An intent the policy does not list needs no verification.
 */
export function decide(intent: string, state: VerificationState | undefined, now: number, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): Verdict {
  const p = policy.intents[intent];
  if (!p) return { kind: 'allow' };
  if (!state?.verifiedAt || !state.method) return { kind: 'redirect', to: 'verify', reason: 'unverified', methods: p.methods };
  if (!p.methods.includes(state.method)) return { kind: 'redirect', to: 'verify', reason: 'method', methods: p.methods };
  if (now - state.verifiedAt > p.maxAgeMinutes * 60_000) return { kind: 'redirect', to: 'verify', reason: 'stale', methods: p.methods };
  return { kind: 'allow' };
}

export function isProtected(intent: string, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): boolean {
  return Object.hasOwn(policy.intents, intent);
}

/**
 * Builds the intent table from configuration text. `freshness`: `intent=minutes,...`; `methods`:
 * `intent=m1|m2,...`. Unknown intents or methods are errors (a typo must not silently weaken the policy).
 */
export function buildIdentityPolicy(o: { freshness?: string; methods?: string; idleMinutes?: number; absoluteMinutes?: number }): IdentityPolicy {
  const intents: Record<string, ProtectedIntentPolicy> = {};
  for (const [k, v] of Object.entries(PROTECTED_INTENTS)) intents[k] = { maxAgeMinutes: v.maxAgeMinutes, methods: [...v.methods] };
  for (const [intent, value] of pairs(o.freshness)) {
    const p = intents[intent];
    const n = Number(value);
    if (!p || !Number.isInteger(n) || n < 1 || n > 24 * 60) throw new Error(`identity freshness: ${intent}`);
    p.maxAgeMinutes = n;
  }
  for (const [intent, value] of pairs(o.methods)) {
    const p = intents[intent];
    const methods = value.split('|').map((m) => m.trim()).filter(Boolean);
    if (!p || methods.length === 0 || methods.some((m) => !(ALL_METHODS as readonly string[]).includes(m))) throw new Error(`identity methods: ${intent}`);
    p.methods = methods as VerificationMethod[];
  }
  return Object.freeze({
    intents: Object.freeze(intents),
    idleMinutes: o.idleMinutes ?? DEFAULT_IDENTITY_POLICY.idleMinutes,
    absoluteMinutes: o.absoluteMinutes ?? DEFAULT_IDENTITY_POLICY.absoluteMinutes,
  });
}

function pairs(text: string | undefined): [string, string][] {
  if (!text) return [];
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const i = s.indexOf('=');
    return i < 0 ? [s, ''] : [s.slice(0, i).trim(), s.slice(i + 1).trim()];
  });
}
