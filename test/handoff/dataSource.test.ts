import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { sharedRedis } from '../support/redis.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { MemoryKeyStore } from '../../guards/crypto/keyStore.js';
import { HandoffStore } from '../../handoff/store.js';
import { HandoffDataSource } from '../../handoff/dataSource.js';
import { randomBytes } from 'node:crypto';

describe('handoff records for data-subject export and erasure', () => {
  let redis: RedisClientType;
  let store: HandoffStore;
  let keys: DataKeyService;
  const c1 = `c_${randomBytes(16).toString('base64url').slice(0, 22)}`;
  const c2 = `c_${randomBytes(16).toString('base64url').slice(0, 22)}`;
  const untouched = `c_${randomBytes(16).toString('base64url').slice(0, 22)}`;

  before(async () => {
    redis = await (await sharedRedis()).client();
    keys = new DataKeyService(new MemoryKeyStore(), [{ version: 'v1', key: new Uint8Array(randomBytes(32)) }], 'v1');
    store = new HandoffStore({ redis, keys, retentionSeconds: 3600, maxEnvelopeBytes: 1 << 20 });
    for (const c of [c1, c2, untouched]) {
      await store.open({ c, queuedAt: Date.now(), reason: 'request', intent: 'none', verified: true, lang: 'en', channel: 'test' }, 'subj_owner', { conversation: { id: 'x', isGroup: false, name: '', conversationType: '' }, serviceUrl: 'http://127.0.0.1:9' });
      await store.addMessage(c, 'subj_owner', { role: 'user', text: 'my mail is [TOKEN:0123456789]', tokens: [{ token: '[TOKEN:0123456789]', type: 'EMAIL' }], at: new Date().toISOString() }, [{ token: '[TOKEN:0123456789]', type: 'EMAIL', value: 'secret.canary@example.org' }]);
      await store.addReveal(c, 'subj_owner', { staff: 'st_AAAAAAAAAAAAAAAA', token: '[TOKEN:0123456789]', type: 'EMAIL', purpose: 'other', reason: 'because', at: new Date().toISOString() });
    }
  });

  const scope = { customerNumber: 'x', pseudonym: 'p', owner: 'subj_owner', conversations: [c1, c2], refs: [] };

  it('exports every record of the subject\'s conversations, without revealable values or the conversation reference', async () => {
    const out = await new HandoffDataSource(store).exportFor(scope);
    expect(out.map((o) => o.conversation)).to.deep.equal([c1, c2]);
    expect(out[0]!.messages).to.have.length(1);
    expect(out[0]!.reveals).to.have.length(1);
    const text = JSON.stringify(out);
    expect(text).to.not.contain('secret.canary@example.org');
    expect(text).to.not.contain('127.0.0.1');
  });

  it('erases them all (idempotently) and leaves other conversations alone; a shredded key leaves nothing readable', async () => {
    const src = new HandoffDataSource(store);
    await src.eraseFor(scope);
    await src.eraseFor(scope);
    for (const c of [c1, c2]) {
      const k = HandoffStore.keysOf(c);
      expect(await redis.exists([k.meta, k.messages, k.tokens, k.reveals])).to.equal(0);
    }
    expect((await store.exportConversation(untouched)).messages).to.have.length(1);
    await keys.destroy('subj_owner');
    const after = await store.exportConversation(untouched);
    expect(after.messages).to.deep.equal([]);
    expect(await store.tokenValue(untouched, '[TOKEN:0123456789]')).to.equal(undefined);
    await store.eraseConversation(untouched);
  });
});
