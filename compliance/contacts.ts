/**
 * Where breach notices can reach a customer: the conversation reference of each conversation (service URL, channel,
 * conversation and user ids), sealed under the conversation's data key with its storage key as associated data.
 * Recorded once per conversation per process (first activity), kept for the state retention, covered by export and
 * erasure (a subject data source) and crypto-shredded with the conversation's key.
 *
 *   tl:ref:{c}   hash { ref: envelope, ch: channel word }
 */
import { TurnContext, type ConversationReference, type Middleware } from 'botbuilder';
import type { RedisClientType } from 'redis';
import type { DataKeyService } from '../guards/crypto/dataKeys.js';
import { ownerOfKid } from '../guards/crypto/dataKeys.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../guards/crypto/envelope.js';
import type { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import { GuardError } from '../guards/errors.js';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import { scanAll, storageError } from '../guards/storage/redisClient.js';
import type { SubjectDataSource } from '../guards/dsr/sources.js';
import { channelWord } from '../handoff/service.js';
import { ridField } from '../guards/log/correlation.js';

export const CONTACT_PREFIX = 'tl:ref:';
const refKey = (c: string) => `${CONTACT_PREFIX}{${c}}`;
const ad = (c: string) => `ref/${c}`;

export class ContactRefStore {
  readonly #seen = new Set<string>();
  constructor(private readonly o: { redis: RedisClientType; keys: DataKeyService; pseudonyms: Pseudonymizer; ttlSeconds: number; maxEnvelopeBytes: number; log: Logger }) {}

  /** Records the reference of this turn's conversation (once per process; a failure never fails the turn). */
  middleware(): Middleware {
    return {
      onTurn: async (ctx, next) => {
        const a = ctx.activity;
        if (a?.type === 'message' && a.conversation?.id && a.serviceUrl) {
          const c = this.o.pseudonyms.conversationOwner(String(a.channelId ?? 'unknown'), String(a.conversation.id));
          if (!this.#seen.has(c)) {
            try {
              await this.record(c, TurnContext.getConversationReference(a));
              if (this.#seen.size > 50_000) this.#seen.clear();
              this.#seen.add(c);
            } catch (err) {
              this.o.log.warn({ ...ridField(ctx), err: errorFields(err) }, 'compliance.contact_record_failed');
            }
          }
        }
        await next();
      },
    };
  }

  async record(c: string, ref: Partial<ConversationReference>): Promise<void> {
    const dk = await this.o.keys.keyForWrite(c);
    const env = sealEnvelope(dk.key, dk.kid, ad(c), Buffer.from(JSON.stringify(ref), 'utf8'));
    try {
      await this.o.redis.hSet(refKey(c), { ref: env, ch: channelWord(ref.channelId) });
      await this.o.redis.expire(refKey(c), this.o.ttlSeconds);
    } catch (e) { throw storageError(e); }
  }

  async reference(c: string): Promise<Partial<ConversationReference> | undefined> {
    let env: string | null;
    try { env = (await this.o.redis.hGet(refKey(c), 'ref')) ?? null; } catch (e) { throw storageError(e); }
    if (!env) return undefined;
    const h = readEnvelopeHeader(env, this.o.maxEnvelopeBytes);
    if (ownerOfKid(h.kid) !== c) throw new GuardError('ERR_CRYPTO_DECRYPT');
    const key = await this.o.keys.keyForRead(h.kid);
    return JSON.parse(Buffer.from(openEnvelope(key, h, ad(c))).toString('utf8')) as Partial<ConversationReference>;
  }

  /** Every conversation with a recorded reference (SCAN: breach notification only). */
  async *conversations(): AsyncIterable<string[]> {
    try {
      // Every master on a cluster (each conversation's reference is in its own slot).
      for await (const batch of scanAll(this.o.redis, { MATCH: `${CONTACT_PREFIX}{*}`, COUNT: 1000 })) {
        const ids = (batch as unknown as string[]).map((k) => /^tl:ref:\{(c_[A-Za-z0-9_-]+)\}$/.exec(k)?.[1]).filter((x): x is string => Boolean(x));
        if (ids.length) yield ids;
      }
    } catch (e) { throw storageError(e); }
  }

  async erase(c: string): Promise<void> {
    try { await this.o.redis.del(refKey(c)); } catch (e) { throw storageError(e); }
    this.#seen.delete(c);
  }

  /** Export (channel only: the reference holds channel ids, not something the customer gave us) and erasure. */
  source(): SubjectDataSource {
    return {
      name: 'contactRefs',
      exportFor: async (s) => {
        const out = [];
        for (const c of s.conversations) {
          const ch = await this.o.redis.hGet(refKey(c), 'ch').catch((e: unknown) => { throw storageError(e); });
          if (ch) out.push({ conversation: c, channel: ch, purpose: 'legally required notices (GDPR art. 34)' });
        }
        return out;
      },
      eraseFor: async (s) => { for (const c of s.conversations) await this.erase(c); },
    };
  }
}
