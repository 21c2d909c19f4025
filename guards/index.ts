/**
 * The guard pipeline, in its ONE order (DESIGN.md section 1). The order is the design:
 *   1. TranscriptGuard  wraps the whole turn, so it sees every activity in and out, and writes only redacted
 *                       entries at the end of the turn (nothing reaches a store before redaction);
 *   2. ConsentGuard     decides, before anything else runs, whether this customer's transcript may be kept;
 *   3. HandoffGuard     when an agent owns the conversation the bot must not answer, so it sits before identity;
 *   4. IdentityGuard    holds protected intents until the subject is verified and fresh enough.
 * Each guard is a botbuilder `Middleware`; a slot left empty is simply skipped (later issues fill them).
 */
import type { BotAdapter, Middleware, TurnContext } from 'botbuilder';

export interface GuardSlots {
  transcript?: Middleware;
  consent?: Middleware;
  handoff?: Middleware;
  identity?: Middleware;
}

export const GUARD_ORDER: readonly (keyof GuardSlots)[] = ['transcript', 'consent', 'handoff', 'identity'];

/** A guard may start its per-turn reads at the start of the turn, so they share a round trip with the others. */
export interface Prefetching { prefetch(context: TurnContext): void }

export function installGuards(adapter: BotAdapter, slots: GuardSlots): (keyof GuardSlots)[] {
  const installed: (keyof GuardSlots)[] = [];
  const prefetchers = GUARD_ORDER.map((n) => slots[n]).filter((g): g is Middleware & Prefetching => typeof (g as Partial<Prefetching> | undefined)?.prefetch === 'function');
  if (prefetchers.length) {
    // Not a guard: it decides nothing, it only issues reads early (node-redis pipelines reads issued in one tick).
    adapter.use({ onTurn: async (context, next) => { for (const g of prefetchers) g.prefetch(context); await next(); } });
  }
  for (const name of GUARD_ORDER) {
    const guard = slots[name];
    if (guard) {
      adapter.use(guard);
      installed.push(name);
    }
  }
  return installed;
}
