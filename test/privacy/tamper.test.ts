import { expect } from 'chai';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import type { RedisClientType } from 'redis';

/** Whole-bot tamper tests on real Redis: the turn fails closed with the fixed apology, a security event is logged. */
describe('tampered state in Redis (CR-3, CR-4)', () => {
  let redis: RedisProcess;
  let a: RunningApp;
  let c: RedisClientType;
  const stateKey = (conv: string) => `tl:state:{${a.app.pseudonyms.hash('state', `test/conversations/${conv}/`)}}`;

  before(async () => {
    redis = await startRedis();
    a = await startApp({ REDIS_URL: redis.url });
    c = await redis.client();
  });
  after(async () => { await a.stop(); await redis.stop(); });

  async function established(conv: string): Promise<void> {
    const r = await turn(a.url, 'I want to return something', { conversationId: conv, userId: `${conv}-user` });
    expect(r.texts.join()).to.match(/30 days/);
  }

  async function envOf(conv: string): Promise<{ e: string; env: string }> {
    const h = await c.hGetAll(stateKey(conv));
    return { e: h.e!, env: (JSON.parse(h.v!) as { env: string }).env };
  }

  async function setEnv(conv: string, env: string): Promise<void> {
    const h = await c.hGetAll(stateKey(conv));
    await c.hSet(stateKey(conv), 'v', JSON.stringify({ env }));
    expect(h.e).to.be.a('string');
  }

  function flipAt(env: string, index: (len: number, kidLen: number) => number): string {
    const b = Buffer.from(env, 'base64');
    const i = index(b.length, b[1]!);
    b[i] = b[i]! ^ 0x80;
    return b.toString('base64');
  }

  const cases: [string, (len: number, kidLen: number) => number][] = [
    ['header', () => 0],
    ['nonce', (_l, k) => 2 + k + 3],
    ['ciphertext', (_l, k) => 2 + k + 24 + 2],
    ['tag', (l) => l - 2],
  ];
  for (const [where, at] of cases) {
    it(`answers the fixed apology and logs a security event when a bit flips in the ${where}`, async () => {
      const conv = `tamper-${where}`;
      await established(conv);
      const { env } = await envOf(conv);
      await setEnv(conv, flipAt(env, at));
      const r = await turn(a.url, 'yes', { conversationId: conv, userId: `${conv}-user` });
      expect(r.status).to.equal(200);
      expect(r.texts).to.have.length(1);
      expect(r.texts[0]).to.match(/something went wrong on our side.*reference [0-9a-f]{12}/);
      expect(a.logs.events()).to.include('security.crypto.tamper');
      // The event is also on the audit chain, naming the pseudonymous owner, never a raw id.
      // Appended in the background: wait for it (bounded).
      let tamper: { type: string; object?: string }[] = [];
      for (let i = 0; i < 100 && tamper.length === 0; i++) {
        tamper = (await a.app.audit.read!({ limit: 10_000 })).filter((e) => e.type === 'security.tamper');
        if (tamper.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(tamper.length).to.be.greaterThan(0);
      expect(tamper[tamper.length - 1]!.object).to.match(/^[cs]_[A-Za-z0-9_-]+$/);
      expect(JSON.stringify(tamper)).to.not.include(conv);
    });
  }

  it('does not open one customer\'s state copied onto another customer\'s key, and the other sees nothing of it', async () => {
    await established('victim');
    await turn(a.url, 'hello', { conversationId: 'attacker', userId: 'attacker-user' });
    const { env } = await envOf('victim');
    await setEnv('attacker', env);
    const r = await turn(a.url, 'yes', { conversationId: 'attacker', userId: 'attacker-user' });
    expect(r.texts[0]).to.match(/something went wrong/);
    expect(r.texts.join()).to.not.match(/Why would you like/);
  });

  it('does not open a value relabelled with another key id', async () => {
    await established('relabel-a');
    await established('relabel-b');
    const a1 = await envOf('relabel-a');
    const b1 = await envOf('relabel-b');
    const ba = Buffer.from(a1.env, 'base64');
    const bb = Buffer.from(b1.env, 'base64');
    const kidLen = ba[1]!;
    bb.copy(ba, 2, 2, 2 + kidLen);
    await setEnv('relabel-a', ba.toString('base64'));
    const r = await turn(a.url, 'yes', { conversationId: 'relabel-a', userId: 'relabel-a-user' });
    expect(r.texts[0]).to.match(/something went wrong/);
  });

  it('refuses an oversized value before decrypting, without crashing', async () => {
    await established('oversize');
    await setEnv('oversize', 'A'.repeat(3 * 1024 * 1024));
    const r = await turn(a.url, 'yes', { conversationId: 'oversize', userId: 'oversize-user' });
    expect(r.texts[0]).to.match(/something went wrong/);
    expect(a.logs.events()).to.include('security.crypto.oversize');
    expect((await turn(a.url, 'help', { conversationId: 'fresh-after-oversize' })).texts.join()).to.match(/where is my order/);
  });
});
