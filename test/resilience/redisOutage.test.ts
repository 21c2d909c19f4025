import { expect } from 'chai';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, dumpRedis, type RedisProcess } from '../support/redis.js';

describe('Redis outage (RES-1)', () => {
  let redis: RedisProcess;
  let a: RunningApp;
  let port: number;
  before(async () => {
    redis = await startRedis();
    port = redis.port;
    a = await startApp({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_CONNECT_TIMEOUT_MS: '300' });
  });
  after(async () => { await a.stop(); await redis.stop(); });

  it('answers the fixed unavailable reply while Redis is down, stays ready, and recovers without a restart', async () => {
    const o = { conversationId: 'outage-1', userId: 'outage-user' };
    expect((await turn(a.url, 'hello', o)).texts.join()).to.match(/Hello/);

    await redis.stop();
    const started = Date.now();
    const down = await turn(a.url, 'my email is outage.canary@example.org', o);
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(down.status).to.equal(200);
    expect(down.texts).to.have.length(1);
    expect(down.texts[0]).to.match(/temporarily unavailable.*reference [0-9a-f]{12}/);
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.include({ redis: 'down' });

    redis = await startRedis([], { port });
    const until = Date.now() + 15000;
    let back = await turn(a.url, 'help', o);
    while (!/where is my order/.test(back.texts.join()) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      back = await turn(a.url, 'help', o);
    }
    expect(back.texts.join()).to.match(/where is my order/);
    // Nothing was kept aside in plaintext during the outage and written later.
    for (const [, v] of await dumpRedis(await redis.client())) expect(v).to.not.include('outage.canary');
    expect(a.logs.text()).to.not.include('outage.canary');
    expect(a.logs.events()).to.include('bot.turn.unavailable');
  });
});
