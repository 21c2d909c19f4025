import { expect } from 'chai';
import { startApp, turn, type RunningApp, type TurnOptions } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { lastOutboxCode } from '../guards/identity/support.js';

describe('identity lock-out offers a person (handoff)', function () {
  this.timeout(60000);
  let redis: RedisProcess;
  let a: RunningApp;
  before(async () => { redis = await startRedis(); a = await startApp({ REDIS_URL: redis.url }); });
  after(async () => { await a.stop(); await redis.stop(); });

  it('queues the customer for an agent when ten wrong codes lock the account', async () => {
    const o: TurnOptions = { conversationId: 'lockout-1', userId: 'lockout-user', locale: 'en-US' };
    const say = async (text: string) => (await turn(a.url, text, o)).texts.join('\n');
    await say('where is my order?');
    await say('avery@example.com');
    const code = (await lastOutboxCode(a))!.code;
    const wrong = code === '000000' ? '111111' : '000000';
    let last = '';
    for (let i = 0; i < 5; i++) last = await say(wrong);
    last = await say('new code');
    for (let i = 0; i < 5; i++) last = await say(wrong);
    expect(last).to.match(/can't verify you here right now.*putting you through to a person/s);
    const queued = await say('hello?');
    expect(queued).to.not.match(/How can I help/);
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).to.match(/^trustline_handoff_queue_length(\{[^}]*\})? 1$/m);
  });
});
