import { expect } from 'chai';
import { startApp, testEnv, turn, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';

/** Two bot instances behind a load balancer: one Redis, one key store, the same configuration (issue 8 item 5). */
describe('two instances sharing Redis', function () {
  this.timeout(90000);
  let redis: RedisProcess;
  let keystore: RedisProcess;
  let a: RunningApp;
  let b: RunningApp;
  before(async () => {
    redis = await startRedis();
    keystore = await startRedis();
    const shared = testEnv({ REDIS_URL: redis.url, KEYSTORE_REDIS_URL: keystore.url });
    a = await startApp({ ...shared, INSTANCE_NAME: 'bot-a' });
    b = await startApp({ ...shared, INSTANCE_NAME: 'bot-b' });
  });
  after(async () => { await a.stop(); await b.stop(); await redis.stop(); await keystore.stop(); });

  it('keeps a conversation whose turns alternate between the instances, prompt by prompt', async () => {
    const o = { conversationId: 'alternating-1', userId: 'alt-user', locale: 'en-US' };
    const steps: [RunningApp, string, RegExp][] = [
      [a, 'I want to return something', /30 days/], [b, 'yes', /Why would you like/], [a, 'Wrong size', /When was it delivered/],
      [b, 'yesterday', /How many items/], [a, 'two', /unused/], [b, 'yes', /can be returned for another 29 day/],
    ];
    for (const [app, text, want] of steps) {
      const r = await turn(app.url, text, o);
      expect(r.texts.join('\n'), `${app === a ? 'A' : 'B'}: ${text}`).to.match(want);
    }
  });

  it('verifies on one instance and answers the protected request on the other', async () => {
    const o = { conversationId: 'alternating-2', userId: 'alt-user-2', locale: 'en-US' };
    await turn(a.url, 'where is my order?', o);
    await turn(b.url, 'avery@example.com', o);
    const { lastOutboxCode } = await import('../guards/identity/support.js');
    const sent = await lastOutboxCode(b);
    expect((await turn(a.url, sent!.code, o)).texts.join('\n')).to.match(/you are verified[\s\S]*TL-10001/);
    expect((await turn(b.url, 'where is my order?', o)).texts.join('\n')).to.match(/TL-10001/);
  });
});
