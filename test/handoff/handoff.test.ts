import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { sharedRedis, dumpRedis } from '../support/redis.js';
import { ConnectorStub, StaffClient, TestClock, createStaff, type StaffUser } from './support.js';
import { HandoffStore } from '../../handoff/store.js';

const CANARY_EMAIL = 'canary.handoff.7q2@example.org';
const CANARY_CARD = '4111 1111 1111 1111';
const CANARY_IBAN = 'DE89370400440532013000';

/** The whole bot in-process on a shared Redis; the customer talks through expectReplies, proactive messages reach a stub. */
describe('human handoff (queue, claim, relay, reveal, hand back)', function () {
  this.timeout(60000);
  let a: RunningApp;
  let stub: ConnectorStub;
  let redis: RedisClientType;
  const clock = new TestClock();
  let agent: StaffUser;
  let other: StaffUser;
  let supervisor: StaffUser;
  let convSeq = 0;

  const say = (conversationId: string, text: string) => turn(a.url, text, { conversationId, userId: `u-${conversationId}`, extra: { serviceUrl: stub.url, locale: 'en-US' } });
  const cOf = (conversationId: string) => a.app.pseudonyms.conversationOwner('test', conversationId);
  const newConv = () => `ho-conv-${++convSeq}-${Date.now()}`;
  const auditEvents = async () => ((await redis.xRange('tl:audit', '-', '+')) ?? []).map((e) => e.message);

  before(async () => {
    const r = await sharedRedis();
    redis = await r.client();
    stub = await new ConnectorStub().start();
    a = await startApp({ REDIS_URL: r.url, CONSENT_PRESET: 'keep', HANDOFF_OFFER_AFTER_SECONDS: '120', HANDOFF_SWEEP_SECONDS: '3600' }, { clock });
    agent = await createStaff(a, ['agent']);
    other = await createStaff(a, ['agent']);
    supervisor = await createStaff(a, ['supervisor']);
  });
  after(async () => { await a?.stop(); await stub?.stop(); });

  async function loggedIn(u: StaffUser): Promise<StaffClient> {
    const s = new StaffClient(a.url);
    clock.advance(31_000); // a TOTP time step is accepted once per account
    await s.login(u, clock.now());
    return s;
  }

  it('queues on request, shows only a redacted preview, relays both ways, reveals with a reason (audited), and hands back', async () => {
    const conv = newConv();
    const c = cOf(conv);
    const first = await say(conv, `I want to talk to a person please. My email is ${CANARY_EMAIL} and my card ${CANARY_CARD}`);
    expect(first.status).to.equal(200);
    expect(first.texts.join(' ')).to.match(/queue; the wait is roughly \d+ minutes/);

    const ag = await loggedIn(agent);
    const q = await ag.req('GET', '/api/staff/queue');
    expect(q.status).to.equal(200);
    const item = (q.json.items as { id: string; preview: string; reason: string }[]).find((i) => i.id === c);
    expect(item, 'queued conversation listed').to.not.equal(undefined);
    expect(item!.reason).to.equal('request');
    expect(item!.preview).to.contain('[EMAIL]');
    expect(q.text).to.not.contain(CANARY_EMAIL);
    expect(q.text).to.not.contain('4111');
    expect(q.text).to.not.match(/TOKEN:/);

    // Before the claim the agent sees no conversation (AZ-3).
    expect((await ag.req('GET', `/api/staff/conversations/${c}`)).status).to.equal(404);
    // While queued the bot does not run its dialogs: a short "still queued" answer only.
    const queuedMsg = await say(conv, `also my IBAN is ${CANARY_IBAN}`);
    expect(queuedMsg.texts).to.have.length(1);
    expect(queuedMsg.texts[0]).to.match(/still in the queue/);

    expect((await ag.req('POST', `/api/staff/conversations/${c}/claim`)).status).to.equal(200);
    await stub.waitFor((t) => /joined the conversation/.test(t), conv);
    // A second claim (any agent) finds nothing waiting.
    const otherClient = await loggedIn(other);
    expect((await otherClient.req('POST', `/api/staff/conversations/${c}/claim`)).status).to.equal(404);

    // Customer messages now go to the agent only: the bot says nothing.
    const silent = await say(conv, 'hello, are you there? where is my order');
    expect(silent.status).to.equal(200);
    expect(silent.texts).to.deep.equal([]);

    const view = await ag.req('GET', `/api/staff/conversations/${c}`);
    expect(view.status).to.equal(200);
    expect(view.text).to.not.contain(CANARY_EMAIL);
    expect(view.text).to.not.contain(CANARY_IBAN);
    expect(view.text).to.not.contain('4111 1111');
    const messages = view.json.messages as { role: string; text: string; tokens: { token: string; type: string }[] }[];
    expect(messages.map((m) => m.role)).to.deep.equal(['user', 'user', 'user']);
    expect(messages[2]!.text).to.contain('where is my order');
    const emailToken = messages[0]!.tokens.find((t) => t.type === 'EMAIL');
    expect(emailToken, 'email is revealable').to.not.equal(undefined);
    expect(messages[0]!.tokens.some((t) => t.type === 'CREDIT_CARD')).to.equal(false);
    expect(messages[0]!.text).to.contain('[CREDIT_CARD');

    // Agent -> customer through proactive messaging; the agent's own message is redacted in the record too.
    expect((await ag.req('POST', `/api/staff/conversations/${c}/messages`, { text: 'Hello, I am Dana from support. I can see your request.' })).status).to.equal(200);
    await stub.waitFor((t) => t.includes('Dana from support'), conv);
    const sent = stub.posted.find((p) => String(p.activity.text).includes('Dana from support'))!;
    expect((sent.activity.from as { role?: string }).role).to.equal('agent');

    // Reveal: needs a reason; another agent gets exactly the 404 of a missing id; the value comes back once, no-store.
    expect((await ag.req('POST', `/api/staff/conversations/${c}/reveal`, { token: emailToken!.token, purpose: 'verify_details', reason: 'short' })).status).to.equal(400);
    const foreign = await otherClient.req('POST', `/api/staff/conversations/${c}/reveal`, { token: emailToken!.token, purpose: 'verify_details', reason: 'checking the contact address' });
    const missing = await otherClient.req('POST', `/api/staff/conversations/c_AAAAAAAAAAAAAAAAAAAAAA/reveal`, { token: emailToken!.token, purpose: 'verify_details', reason: 'checking the contact address' });
    expect([foreign.status, foreign.text]).to.deep.equal([missing.status, missing.text]);
    expect(foreign.status).to.equal(404);
    const shown = await ag.req('POST', `/api/staff/conversations/${c}/reveal`, { token: emailToken!.token, purpose: 'verify_details', reason: 'customer asked to confirm the address we have' });
    expect(shown.status).to.equal(200);
    expect(shown.json).to.deep.equal({ type: 'EMAIL', value: CANARY_EMAIL });
    expect(shown.headers.get('cache-control')).to.equal('no-store');
    const events = await auditEvents();
    const reveal = events.find((e) => e.type === 'handoff.revealed' && e.conversation === c);
    expect(reveal).to.include({ actor: agent.id, purpose: 'verify_details', method: 'EMAIL', object: emailToken!.token.slice(7, 17) });
    expect(events.some((e) => e.type === 'handoff.viewed' && e.conversation === c && e.actor === agent.id)).to.equal(true);
    expect(events.some((e) => e.type === 'handoff.claimed' && e.conversation === c && e.actor === agent.id)).to.equal(true);
    expect(JSON.stringify(events)).to.not.contain(CANARY_EMAIL);

    // Supervisors see the reveal with its (redacted) reason.
    const sup = await loggedIn(supervisor);
    const list = await sup.req('GET', '/api/staff/reveals');
    expect(list.status).to.equal(200);
    const rec = (list.json.items as { c: string; staff: string; reason: string; type: string }[]).find((r) => r.c === c);
    expect(rec).to.include({ staff: agent.id, type: 'EMAIL', reason: 'customer asked to confirm the address we have' });
    expect(list.text).to.not.contain(CANARY_EMAIL);

    // Hand back: the customer is told, and the bot answers again.
    expect((await otherClient.req('POST', `/api/staff/conversations/${c}/handback`)).status).to.equal(404);
    expect((await ag.req('POST', `/api/staff/conversations/${c}/handback`)).status).to.equal(200);
    await stub.waitFor((t) => /back with the Trustline assistant/.test(t), conv);
    const back = await say(conv, 'help');
    expect(back.texts.join(' ')).to.match(/You can ask me/);
    expect((await ag.req('GET', `/api/staff/conversations/${c}`)).status).to.equal(404);
  });

  it('keeps every handoff record sealed or PII-free, with a TTL, findable and erasable per conversation', async () => {
    const conv = newConv();
    const c = cOf(conv);
    await say(conv, `agent please, write to ${CANARY_EMAIL}, IBAN ${CANARY_IBAN}, card ${CANARY_CARD}`);
    const ag = await loggedIn(agent);
    expect((await ag.req('POST', `/api/staff/conversations/${c}/claim`)).status).to.equal(200);
    const v = await ag.req('GET', `/api/staff/conversations/${c}`);
    const tok = (v.json.messages as { tokens: { token: string; type: string }[] }[])[0]!.tokens.find((t) => t.type === 'IBAN')!;
    expect((await ag.req('POST', `/api/staff/conversations/${c}/reveal`, { token: tok.token, purpose: 'customer_request', reason: `customer ${CANARY_EMAIL} asked` })).status).to.equal(200);
    await ag.req('POST', `/api/staff/conversations/${c}/messages`, { text: `I will write to ${CANARY_EMAIL}` });

    const dump = await dumpRedis(redis);
    for (const [k, value] of dump) {
      expect(value, k).to.not.contain(CANARY_EMAIL);
      expect(value, k).to.not.contain(CANARY_IBAN);
      expect(value, k).to.not.contain('4111111111111111');
      expect(value, k).to.not.contain(CANARY_CARD);
      if (k.startsWith('tl:ho:')) expect(await redis.ttl(k), `${k} has a TTL`).to.be.greaterThan(0);
    }
    const keys = HandoffStore.keysOf(c);
    for (const k of [keys.meta, keys.messages, keys.tokens, keys.reveals]) expect(dump.has(k), k).to.equal(true);

    // Export opens everything for the data subject; erasure removes every record of the conversation.
    const exported = await a.app.handoff!.store.exportConversation(c);
    expect(exported.meta?.state).to.equal('assigned');
    expect(exported.messages.map((m) => m.role)).to.deep.equal(['user', 'agent']);
    expect(exported.reveals).to.have.length(1);
    expect(exported.reveals[0]!.reason).to.not.contain(CANARY_EMAIL);
    await a.app.handoff!.store.eraseConversation(c);
    for (const k of [keys.meta, keys.messages, keys.tokens, keys.reveals]) expect(await redis.exists(k), k).to.equal(0);
    const idx = (await redis.xRange('tl:ho:reveals', '-', '+')) ?? [];
    expect(idx.some((e) => e.message.c === c)).to.equal(false);
    const q = (await redis.xRange('tl:ho:queue', '-', '+')) ?? [];
    expect(q.some((e) => e.message.c === c)).to.equal(false);
  });

  it('escalates after two not-understood turns and on frustration, and a queued customer can leave with "cancel"', async () => {
    const conv = newConv();
    await say(conv, 'blorf quux');
    const second = await say(conv, 'zibble wobble');
    expect(second.texts.join(' ')).to.match(/putting you through to a person/);
    const meta = await a.app.handoff!.store.meta(cOf(conv));
    expect(meta).to.include({ state: 'queued', reason: 'misses' });
    const cancelled = await say(conv, 'cancel');
    expect(cancelled.texts.join(' ')).to.match(/left the queue/);
    expect((await a.app.handoff!.store.meta(cOf(conv)))?.state).to.equal('ended');
    expect((await say(conv, 'help')).texts.join(' ')).to.match(/You can ask me/);

    for (const [lang, text] of [['en', 'this is useless, you are not helping'], ['de', 'Das ist nutzlos, ich bin total genervt'], ['fr', "c'est ridicule, vous ne m'aidez pas"], ['es', 'esto es inútil, estoy harta']] as const) {
      const cv = newConv();
      const r = await turn(a.url, text, { conversationId: cv, userId: `u-${cv}`, extra: { serviceUrl: stub.url } });
      expect((await a.app.handoff!.store.meta(cOf(cv)))?.reason, lang).to.equal('frustration');
      expect(r.texts).to.have.length(1);
    }
  });

  it('offers a callback or an email when nobody takes the conversation in time, once, and records the choice', async () => {
    const conv = newConv();
    const c = cOf(conv);
    await say(conv, 'I need to speak to an agent');
    expect(await a.app.handoff!.service.sweep()).to.equal(0);
    clock.advance(121_000);
    expect(await a.app.handoff!.service.sweep()).to.be.greaterThan(0);
    await stub.waitFor((t) => /callback or an email/.test(t), conv);
    expect(await a.app.handoff!.service.sweep()).to.equal(0);
    const chosen = await say(conv, 'email');
    expect(chosen.texts.join(' ')).to.match(/get back to you \(by email\)/);
    const ag = await loggedIn(agent);
    const q = await ag.req('GET', '/api/staff/queue');
    const item = (q.json.items as { id: string; state: string; followup?: string }[]).find((i) => i.id === c);
    expect(item).to.include({ state: 'followup', followup: 'email' });
    // A follow-up customer talks to the bot again.
    expect((await say(conv, 'help')).texts.join(' ')).to.match(/You can ask me/);
  });
});
