/**
 * The handoff's records for data-subject requests (issue 5): one export section and one erasure step, found from
 * the subject's linked conversations alone (every handoff record is named by the conversation id). Register it in the
 * composition root: `registry.register(new HandoffDataSource(handoff.store))`.
 */
import type { SubjectDataSource, SubjectScope } from '../guards/dsr/sources.js';
import type { HandoffStore, HandoffMeta, RelayedMessage, RevealRecord } from './store.js';

export interface HandoffExport {
  conversation: string;
  /** State, times, reason, intent, language, channel; the agent's staff id. No conversation reference. */
  meta: HandoffMeta | undefined;
  /** Relayed messages as stored: redacted, tokens by type only (no revealable values). */
  messages: RelayedMessage[];
  /** Who revealed which kind of value, when and why (redacted reason). */
  reveals: RevealRecord[];
}

export class HandoffDataSource implements SubjectDataSource {
  readonly name = 'handoff';
  constructor(private readonly store: HandoffStore) {}

  async exportFor(scope: SubjectScope): Promise<HandoffExport[]> {
    const out: HandoffExport[] = [];
    for (const c of scope.conversations) {
      const r = await this.store.exportConversation(c);
      if (r.meta || r.messages.length || r.reveals.length) out.push({ conversation: c, ...r });
    }
    return out;
  }

  async eraseFor(scope: SubjectScope): Promise<void> {
    for (const c of scope.conversations) await this.store.eraseConversation(c);
  }
}
