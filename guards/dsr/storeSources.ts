/**
 * The subject data sources of the stores that exist today. Each reads and deletes through the store's own
 * interface (sealed values open only through it), found from the subject index: never by scanning for values.
 */
import type { Storage } from 'botbuilder';
import type { RedisClientType } from 'redis';
import type { EncryptedTranscriptStore } from '../transcripts/transcriptStore.js';
import { scanAll, storageError } from '../storage/redisClient.js';
import type { SubjectDataSource, SubjectScope } from './sources.js';
import type { ExportLinkStore, OptOutStore } from './stores.js';

const refsOf = (s: SubjectScope, kind: string) => [...new Set(s.refs.filter((r) => r.kind === kind).map((r) => r.key))];

/** Conversation state of every conversation the subject verified in (sealed; opened through EncryptedStorage). */
export function conversationStateSource(storage: Storage): SubjectDataSource {
  return {
    name: 'conversationState',
    async exportFor(s) {
      const keys = refsOf(s, 'state');
      const items = keys.length ? await storage.read(keys) : {};
      // Tag numbering is keyed hashes of values (derived from a secret): internal, not the customer's data.
      return Object.values(items).map((v) => {
        const { eTag: _e, transcriptTags: _t, ...rest } = v as Record<string, unknown>;
        return rest;
      });
    },
    async eraseFor(s) {
      const keys = refsOf(s, 'state');
      if (keys.length) await storage.delete(keys);
    },
  };
}

/** Consent records: the subject's copy and the record of each channel user that verified as the subject. */
export function consentSource(storage: Storage): SubjectDataSource {
  const keysOf = (s: SubjectScope) => [`subject/${s.owner}`, ...refsOf(s, 'consentUser')];
  return {
    name: 'consent',
    async exportFor(s) {
      const items = await storage.read(keysOf(s));
      return {
        records: Object.values(items).map((v) => {
          const { eTag: _e, ...rest } = v as Record<string, unknown>;
          return rest;
        }),
      };
    },
    async eraseFor(s) { await storage.delete(keysOf(s)); },
  };
}

/** Redacted transcripts of every linked conversation, as stored (DESIGN.md section 5: card numbers never held). */
export function transcriptSource(store: EncryptedTranscriptStore): SubjectDataSource {
  return {
    name: 'transcripts',
    async exportFor(s) {
      const out = [];
      for (const c of s.conversations) {
        const [{ entries, unreadable }, summary] = await Promise.all([store.list(c), store.summary(c)]);
        if (entries.length || summary) out.push({ conversation: c, channel: summary?.channelId ?? null, entries, unreadable });
      }
      return out;
    },
    async eraseFor(s) { for (const c of s.conversations) await store.deleteConversation(c); },
  };
}

/** What the handoff store offers per conversation (handoff/store.ts implements it). */
export interface ConversationRecords {
  exportConversation(c: string): Promise<unknown>;
  eraseConversation(c: string): Promise<void>;
}

/** Any per-conversation store (handoff queue entries, relayed messages, reveals) becomes a source with this. */
export function perConversationSource(name: string, store: ConversationRecords): SubjectDataSource {
  return {
    name,
    async exportFor(s) {
      const out = [];
      for (const c of s.conversations) out.push({ conversation: c, ...(await store.exportConversation(c) as Record<string, unknown>) });
      return out;
    },
    async eraseFor(s) { for (const c of s.conversations) await store.eraseConversation(c); },
  };
}

/** One-time code challenges and counters of the subject's account: secrets (code hashes), so erased, never exported. */
export function otpSource(redis: RedisClientType | undefined, accountOf: (customerNumber: string) => string): SubjectDataSource {
  return {
    name: 'verificationCodes',
    async exportFor() { return undefined; },
    async eraseFor(s) {
      if (!redis) return;
      const a = accountOf(s.customerNumber);
      try {
        // One account's keys share its hash tag: the match names one slot, it does not scan values (on a cluster
        // only the master owning that slot is scanned).
        for await (const batch of scanAll(redis, { MATCH: `tl:otp:{${a}}:*`, COUNT: 200 })) {
          const keys = batch as unknown as string[];
          if (keys.length) await Promise.all(keys.map((k) => redis.del(k)));
        }
      } catch (e) { throw storageError(e); }
    },
  };
}

export function exportLinkSource(links: ExportLinkStore): SubjectDataSource {
  return {
    name: 'exportLinks',
    async exportFor() { return undefined; },
    async eraseFor(s) { await links.delete(refsOf(s, 'exportLink')); },
  };
}

export function optOutSource(optOuts: OptOutStore): SubjectDataSource {
  const owners = (s: SubjectScope) => [s.owner, ...refsOf(s, 'userOwner')];
  return {
    name: 'optOut',
    async exportFor(s) {
      const recs = await Promise.all(owners(s).map((o) => optOuts.get(o)));
      const found = recs.filter((r) => r !== undefined);
      return { optedOut: found.length > 0, records: found };
    },
    async eraseFor(s) { await optOuts.delete(owners(s)); },
  };
}
