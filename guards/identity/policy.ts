/**
 * Which intents need a verified customer, and how fresh the verification must be (DESIGN.md invariant 5). A pure
 * decision in the teams-ai style: the guard's `onTurn` is plumbing, this function is the policy and is tested alone.
 */
export interface ProtectedIntentPolicy { maxAgeMinutes: number }

/** Intents that disclose or change something about an account. Minutes are the default freshness. */
export const PROTECTED_INTENTS: Readonly<Record<string, ProtectedIntentPolicy>> = Object.freeze({
  orderStatus: { maxAgeMinutes: 30 },
  paymentProblem: { maxAgeMinutes: 30 },
  addressChange: { maxAgeMinutes: 5 },
});

export interface VerificationState {
  /** Epoch ms of the last successful verification of this conversation's subject. */
  verifiedAt?: number;
}

export type Verdict = { kind: 'allow' } | { kind: 'redirect'; to: 'verify'; reason: 'unverified' | 'stale' };

export function decide(intent: string, state: VerificationState | undefined, now: number, policy = PROTECTED_INTENTS): Verdict {
  const p = policy[intent];
  if (!p) return { kind: 'allow' };
  if (!state?.verifiedAt) return { kind: 'redirect', to: 'verify', reason: 'unverified' };
  if (now - state.verifiedAt > p.maxAgeMinutes * 60_000) return { kind: 'redirect', to: 'verify', reason: 'stale' };
  return { kind: 'allow' };
}
