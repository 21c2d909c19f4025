import { expect } from 'chai';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';

describe('Redis paused (RES-2)', function () {
  this.timeout(60000);
  let redis: RedisProcess;
  let a: RunningApp;
  before(async () => {
    redis = await startRedis();
    a = await startApp({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '400', HANDOFF_ENABLED: 'false' });
  });
  after(async () => { redis.proc.kill('SIGCONT'); await a.stop(); await redis.stop(); });

  it('bounds a turn by the command timeout while Redis is paused, and leaves no duplicate effect after it resumes', async () => {
    const o = { conversationId: 'pause-1', userId: 'pause-user', locale: 'en-US' };
    expect((await turn(a.url, 'hello', o)).texts.join()).to.match(/Hello/);
    redis.proc.kill('SIGSTOP');
    const t0 = Date.now();
    const paused = await turn(a.url, 'zzqx one', o);
    const took = Date.now() - t0;
    expect(took).to.be.lessThan(4000);
    expect(paused.texts.join()).to.match(/temporarily unavailable/);
    redis.proc.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 500));
    // The paused turn failed before writing: the next not-understood turn is the first one counted.
    const after = await turn(a.url, 'zzqx two', o);
    expect(after.texts.join()).to.match(/didn't get that/);
    const key = 'test/conversations/pause-1/';
    const state = (await a.app.storage.read([key]))[key] as { conversation?: { misses?: number } };
    expect(state.conversation?.misses).to.equal(1);
  });
});
