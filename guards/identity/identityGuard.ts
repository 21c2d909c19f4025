/**
 * IdentityGuard (DESIGN.md section 1, slot 4) and the conversation's verified session (IMP-1, IMP-2).
 *
 * Per turn the guard reads the conversation's identity state (the same cached read the bot does: no extra round
 * trip), decides whether its verification still holds for THIS channel user now (idle and absolute timeouts), and
 * publishes the result in turn state: the verified session for the dialogs, the profile values for the transcript
 * redactor (TurnKeys.subject). Nothing else in the bot can read an account without going through `accountFor`,
 * which applies the per-intent policy (freshness, accepted methods) at the moment of use. It also takes the signed
 * host-page identity event and, on Teams, de-duplicates SSO token exchanges through storage eTags.
 */
import type { Middleware, StatePropertyAccessor, Storage, TurnContext } from 'botbuilder';
import { ActivityTypes, TeamsSSOTokenExchangeMiddleware } from 'botbuilder';
import type { Logger } from '../log/logger.js';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import { TurnKeys, type VerifiedSubject } from '../turnState.js';
import type { AuditLog } from '../audit/auditLog.js';
import { AuditEvents } from '../audit/auditLog.js';
import type { Customer, CustomerDirectory } from '../../directory/customerDirectory.js';
import { decide, sessionStatus, type IdentityPolicy, type VerificationMethod, type VerificationState, type Verdict } from './policy.js';
import type { SubjectIndex, SubjectOwnerResolver } from './subjectIndex.js';
import { HOST_IDENTITY_EVENT, type HostTokenVerifier } from './hostToken.js';
import { ridField } from '../log/correlation.js';

/** The guard's own slice of the conversation state (sealed with it). */
export interface IdentityState {
  verification?: VerificationState & { profile?: VerifiedSubject['profile'] };
}

const SESSION = Symbol.for('trustline.identity.session');

export const IDENTITY_EVENTS = {
  verified: 'guards.identity.verified',
  sessionEnded: 'guards.identity.session_ended',
  hostTokenRefused: 'guards.identity.host_token.refused',
  otherUser: 'guards.identity.other_user',
} as const;

export interface IdentityServiceOptions {
  accessor: StatePropertyAccessor<IdentityState>;
  pseudonyms: Pseudonymizer;
  index: SubjectIndex;
  resolver?: SubjectOwnerResolver;
  directory: CustomerDirectory;
  audit: AuditLog;
  policy: IdentityPolicy;
  now: () => number;
  log: Logger;
  /** Called after a verification is recorded (the consent ledger links the channel user's record to the subject). */
  onVerified?: (context: TurnContext, subject: { pseudonym: string; owner: string }) => Promise<void>;
}

export type AccountAccess = { kind: 'allow'; customer: Customer } | Extract<Verdict, { kind: 'redirect' }>;

/** Everything the dialogs may do with identity: ask, use an account under the policy, record a verification. */
export class IdentityService {
  readonly #o: IdentityServiceOptions;
  constructor(o: IdentityServiceOptions) { this.#o = o; }

  get policy(): IdentityPolicy { return this.#o.policy; }
  now(): number { return this.#o.now(); }

  conversationOwner(context: TurnContext): string {
    return this.#o.pseudonyms.conversationOwner(String(context.activity.channelId ?? ''), String(context.activity.conversation?.id ?? ''));
  }

  userKey(context: TurnContext): string {
    return this.#o.pseudonyms.userOwner(String(context.activity.channelId ?? ''), String(context.activity.from?.id ?? ''));
  }

  /** The verified session of this turn, as the guard decided it (undefined when the guard did not run: fail closed). */
  session(context: TurnContext): VerificationState | undefined {
    return context.turnState.get(SESSION) as VerificationState | undefined;
  }

  /** The policy's verdict for `intent` in this turn. */
  verdict(context: TurnContext, intent: string): Verdict {
    return decide(intent, this.session(context), this.#o.now(), this.#o.policy);
  }

  /** The account, only if the policy allows `intent` now; read fresh from the directory. */
  async accountFor(context: TurnContext, intent: string): Promise<AccountAccess> {
    const v = this.verdict(context, intent);
    if (v.kind === 'redirect') return v;
    const n = this.session(context)?.customerNumber;
    const customer = n ? await this.#o.directory.findByCustomerNumber(n) : undefined;
    if (!customer) return { kind: 'redirect', to: 'verify', reason: 'unverified', methods: this.#o.policy.intents[intent]?.methods ?? [] };
    return { kind: 'allow', customer };
  }

  /**
   * Records a successful verification: links the conversation to the subject in the index (from the next write on
   * the state is sealed under the subject's key), binds the session to this channel user, publishes it for this
   * turn and writes the audit event.
   */
  async markVerified(context: TurnContext, customer: Customer, method: VerificationMethod, purpose: string): Promise<void> {
    const conv = this.conversationOwner(context);
    const link = await this.#o.index.link(customer.customerNumber, conv);
    this.#o.resolver?.remember(conv, link.owner);
    const now = this.#o.now();
    const verification: IdentityState['verification'] = {
      verifiedAt: now, lastSeenAt: now, method, user: this.userKey(context), subjectOwner: link.owner, subject: link.pseudonym,
      customerNumber: customer.customerNumber, profile: profileOf(customer),
    };
    const state = await this.#o.accessor.get(context, {});
    state.verification = verification;
    this.#publish(context, verification);
    await this.#o.audit.append({ type: AuditEvents.verificationSucceeded, at: new Date(now).toISOString(), subject: link.pseudonym, conversation: conv, channel: channelWord(context), method, purpose });
    this.#o.log.info({ ...ridField(context), method }, IDENTITY_EVENTS.verified);
    await this.#o.onVerified?.(context, link);
  }

  /**
   * After a correction (data-subject request): the profile values this conversation redacts with become the new
   * ones, so the old value leaves the conversation state (DSR-4).
   */
  async refreshProfile(context: TurnContext, customer: Customer): Promise<void> {
    const state = await this.#o.accessor.get(context, {});
    const v = state.verification;
    if (!v || v.customerNumber !== customer.customerNumber) return;
    v.profile = profileOf(customer);
    if (this.session(context)) this.#publish(context, v);
  }

  /** The verified subject of the conversation for this user now, read from state (for guards that run earlier). */
  async currentSubject(context: TurnContext): Promise<{ pseudonym: string; owner: string } | undefined> {
    const v = (await this.#o.accessor.get(context, {})).verification;
    if (!v?.subject || !v.subjectOwner) return undefined;
    return sessionStatus(v, this.#o.now(), this.userKey(context), this.#o.policy) === 'valid' ? { pseudonym: v.subject, owner: v.subjectOwner } : undefined;
  }

  #publish(context: TurnContext, v: NonNullable<IdentityState['verification']>): void {
    context.turnState.set(SESSION, v);
    const subject: VerifiedSubject = { pseudonym: v.subject ?? '', verifiedAt: v.verifiedAt ?? 0, method: v.method ?? '', profile: v.profile ?? {} };
    context.turnState.set(TurnKeys.subject, subject);
  }

  /** The guard's per-turn step: decide the session for this user now. */
  async resolveSession(context: TurnContext): Promise<void> {
    const state = await this.#o.accessor.get(context, {});
    const v = state.verification;
    if (!v) return;
    const now = this.#o.now();
    const status = sessionStatus(v, now, this.userKey(context), this.#o.policy);
    if (status === 'valid') {
      v.lastSeenAt = now;
      this.#publish(context, v);
    } else if (status === 'idle' || status === 'expired') {
      // The session is over: the next protected intent asks again.
      delete state.verification;
      this.#o.log.info({ ...ridField(context), reason: status }, IDENTITY_EVENTS.sessionEnded);
    } else if (status === 'other_user') {
      // Another user id in the same conversation gets nothing, and cannot end the real customer's session either.
      this.#o.log.warn({ ...ridField(context) }, IDENTITY_EVENTS.otherUser);
    }
  }
}

function profileOf(c: Customer): VerifiedSubject['profile'] {
  const a = c.address;
  return {
    names: [c.name],
    emails: [c.email],
    phones: [c.phone],
    addresses: [[a.line1, a.line2, a.postcode, a.city].filter(Boolean).join(', ')],
    ...(c.birthDate ? { birthDates: [c.birthDate] } : {}),
  };
}

/** Channel ids are short words from the Bot Framework; anything unusual is logged as "other". */
export function channelWord(context: TurnContext): string {
  const c = String(context.activity.channelId ?? '');
  return /^[a-z0-9_-]{1,32}$/i.test(c) ? c : 'other';
}

export interface IdentityGuardOptions {
  service: IdentityService;
  hostTokens?: HostTokenVerifier;
  /** Teams SSO: storage for the token-exchange de-duplication (eTag compare-and-set) and the OAuth connection. */
  teamsSso?: { storage: Storage; connectionName: string };
  directory: CustomerDirectory;
  audit: AuditLog;
  log: Logger;
  /** Sends the fixed reply to a host identity event (the dialogs own the texts). */
  onHostIdentity?: (context: TurnContext, ok: boolean) => Promise<void>;
}

export class IdentityGuard implements Middleware {
  readonly #o: IdentityGuardOptions;
  readonly #sso: TeamsSSOTokenExchangeMiddleware | undefined;
  constructor(o: IdentityGuardOptions) {
    this.#o = o;
    this.#sso = o.teamsSso ? new TeamsSSOTokenExchangeMiddleware(o.teamsSso.storage, o.teamsSso.connectionName) : undefined;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (this.#sso) return this.#sso.onTurn(context, () => this.#turn(context, next));
    return this.#turn(context, next);
  }

  async #turn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    await this.#o.service.resolveSession(context);
    const a = context.activity;
    if (a.type === ActivityTypes.Event && a.name === HOST_IDENTITY_EVENT) {
      await this.#hostIdentity(context);
    }
    await next();
  }

  async #hostIdentity(context: TurnContext): Promise<void> {
    const a = context.activity;
    const token = (a.value as { token?: unknown } | undefined)?.token;
    // The token is a bearer credential: it must not reach the transcript or any state, whatever happens next.
    a.value = undefined;
    let ok = false;
    if (this.#o.hostTokens) {
      const r = await this.#o.hostTokens.verify(token, String(a.from?.id ?? ''));
      if (r.ok) {
        const customer = await this.#o.directory.findByCustomerNumber(r.customerNumber);
        if (customer) {
          await this.#o.service.markVerified(context, customer, 'host_jwt', 'host_sign_in');
          ok = true;
        }
      }
      if (!ok) {
        this.#o.log.warn({ ...ridField(context), reason: r.ok ? 'unknown_subject' : r.reason }, IDENTITY_EVENTS.hostTokenRefused);
        await this.#o.audit.append({ type: AuditEvents.verificationFailed, at: new Date(this.#o.service.now()).toISOString(), conversation: this.#o.service.conversationOwner(context), channel: channelWord(context), method: 'host_jwt', outcome: r.ok ? 'unknown_subject' : r.reason });
      }
    }
    await this.#o.onHostIdentity?.(context, ok);
  }
}
