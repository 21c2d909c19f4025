/**
 * Escalation to a person (handoff issue): an explicit request in any of the four languages, two not-understood turns
 * in a row, frustration, or an identity lock-out. Queues the conversation through the HandoffService the
 * HandoffGuard put in turn state and tells the customer roughly how long the wait is. Without a handoff (no Redis,
 * or handoff disabled) it says so with the fixed "not available" text.
 */
import type { TurnContext } from 'botbuilder';
import type { Lang } from './language.js';
import { t } from './messages.js';
import type { EscalationReason } from '../handoff/store.js';
import type { HandoffService } from '../handoff/service.js';
import { HANDOFF_SERVICE } from '../handoff/handoffGuard.js';

/** Queues this conversation for a person and answers the customer. Returns false when no handoff is installed. */
export async function escalate(context: TurnContext, reason: EscalationReason, lang: Lang, intent = 'agent'): Promise<boolean> {
  const svc = context.turnState.get(HANDOFF_SERVICE) as HandoffService | undefined;
  if (!svc) {
    await context.sendActivity(t(reason === 'misses' ? 'notUnderstoodTwice' : 'agentUnavailable', lang));
    return false;
  }
  const r = await svc.escalate(context, { reason, intent, lang });
  if (r.status === 'already') {
    await context.sendActivity(t('handoffStillQueued', lang));
    return true;
  }
  await context.sendActivity(t(reason === 'lockout' ? 'handoffLockout' : 'handoffQueued', lang, { minutes: r.minutes }));
  return true;
}

/** For the identity code: a verification lock-out offers a person instead of a dead end. */
export function escalateOnLockout(context: TurnContext, lang: Lang): Promise<boolean> {
  return escalate(context, 'lockout', lang, 'lockout');
}
