import { expect } from 'chai';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { sharedRedis } from '../support/redis.js';

const GENERIC = /^\{"error":"[a-z_]+"(,"ref":"[0-9a-f]+")?\}$/;

describe('HTTP surface', () => {
  let a: RunningApp;
  before(async () => {
    const redis = await sharedRedis();
    a = await startApp({ REDIS_URL: redis.url });
  });
  after(async () => a.stop());

  const post = (body: string, type = 'application/json', extraHeaders: Record<string, string> = {}) =>
    fetch(`${a.url}/api/messages`, { method: 'POST', headers: { 'content-type': type, ...extraHeaders }, body });

  it('answers a message with expectReplies in the response body', async () => {
    const r = await turn(a.url, 'hello', { conversationId: 'http-ok' });
    expect(r.status).to.equal(200);
    expect(r.texts.join(' ')).to.match(/Hello/);
  });

  const malformed: [string, string][] = [
    ['no type', JSON.stringify({ conversation: { id: 'c' }, text: 'hi' })],
    ['no conversation', JSON.stringify({ type: 'message', text: 'hi' })],
    ['an array', JSON.stringify([{ type: 'message', conversation: { id: 'c' } }])],
    ['a string', JSON.stringify('message')],
    ['null', 'null'],
    ['invalid JSON', '{"type": "message",'],
    ['a __proto__ key', '{"type":"message","conversation":{"id":"c"},"__proto__":{"polluted":true}}'],
    ['a nested constructor key', '{"type":"message","conversation":{"id":"c"},"value":{"a":{"constructor":{"prototype":{}}}}}'],
    ['deep nesting', `{"type":"message","conversation":{"id":"c"},"value":${'['.repeat(200)}${']'.repeat(200)}}`],
    ['a numeric type', JSON.stringify({ type: 7, conversation: { id: 'c' } })],
    ['an empty conversation id', JSON.stringify({ type: 'message', conversation: { id: '' } })],
    ['a non-http serviceUrl', JSON.stringify({ type: 'message', conversation: { id: 'c' }, serviceUrl: 'file:///etc/passwd' })],
  ];
  for (const [name, body] of malformed) {
    it(`refuses an activity with ${name} with 400 and a generic body`, async () => {
      const res = await post(body);
      expect(res.status).to.equal(400);
      expect(await res.text()).to.match(GENERIC);
    });
  }

  it('refuses bodies over 262144 bytes with 413', async () => {
    const big = JSON.stringify({ type: 'message', conversation: { id: 'c' }, text: 'x'.repeat(270_000) });
    const res = await post(big);
    expect(res.status).to.equal(413);
    expect(await res.text()).to.match(GENERIC);
  });

  it('refuses a body of exactly the limit plus one when no length is declared up front', async () => {
    const chunks = [Buffer.from('{"type":"message","conversation":{"id":"c"},"text":"'), Buffer.alloc(262_144, 0x61), Buffer.from('"}')];
    const stream = new ReadableStream({ start(c) { for (const ch of chunks) c.enqueue(ch); c.close(); } });
    const res = await fetch(`${a.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).to.equal(413);
  });

  it('refuses non-JSON content types with 415', async () => {
    const res = await post('type=message', 'application/x-www-form-urlencoded');
    expect(res.status).to.equal(415);
    expect(await res.text()).to.match(GENERIC);
  });

  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    it(`answers ${method} /api/messages with 405`, async () => {
      const res = await fetch(`${a.url}/api/messages`, { method });
      expect(res.status).to.equal(405);
      expect(await res.text()).to.match(GENERIC);
    });
  }

  it('answers unknown paths with a generic 404 that does not echo the path', async () => {
    const res = await fetch(`${a.url}/no-such-thing-canary-4242`);
    expect(res.status).to.equal(404);
    const text = await res.text();
    expect(text).to.not.include('canary');
  });

  it('reports alive and ready, with the Redis status', async () => {
    expect((await fetch(`${a.url}/healthz`)).status).to.equal(200);
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.include({ status: 'ready', redis: 'up' });
  });

  it('sets security headers on every response', async () => {
    const res = await fetch(`${a.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
  });

  it('keeps serving after a burst of junk', async () => {
    const junk = ['', '{', '[]', '{"type":"message"}', 'null', '"x"', '{"type":"message","conversation":{"id":"c"},"__proto__":1}'];
    const statuses = await Promise.all(junk.map((j) => post(j).then((r) => r.status)));
    expect(statuses.every((s) => s >= 400 && s < 500)).to.equal(true);
    const r = await turn(a.url, 'help', { conversationId: 'after-junk' });
    expect(r.status).to.equal(200);
    expect(r.texts).to.have.length(1);
  });

  it('never puts error text in a response, even when the turn throws inside the adapter', async () => {
    // A conversationUpdate without a recipient makes botbuilder's own code throw deep inside the turn.
    const res = await post(JSON.stringify({ type: 'invoke', name: 'x', conversation: { id: 'c-inv' }, channelId: 'test', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', from: { id: 'u' } }));
    expect(res.status).to.be.lessThan(600);
    const text = await res.text();
    expect(text).to.not.match(/Error|at .*\.js|TypeError|stack/);
  });
});
