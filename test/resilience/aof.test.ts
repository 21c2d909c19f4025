import { expect } from 'chai';
import { mkdtempSync, readdirSync, statSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { freePort, startRedis, type RedisProcess } from '../support/redis.js';

const AOF = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--aof-use-rdb-preamble', 'no'];

/** The newest incremental AOF file of Redis 7's multi-part AOF. */
function incrFile(dir: string): string {
  const d = join(dir, 'appendonlydir');
  const f = readdirSync(d).filter((x) => x.includes('.incr.aof')).sort().pop();
  if (!f) throw new Error('no incremental AOF file');
  return join(d, f);
}

describe('Redis persistence with AOF everysec (RES-3)', function () {
  this.timeout(120000);
  let redis: RedisProcess;
  let a: RunningApp;
  let port: number;
  let dir: string;
  const convs = Array.from({ length: 100 }, (_, i) => `aof-${i}`);

  before(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'tl-aof-'));
    redis = await startRedis(AOF, { port, dir });
    a = await startApp({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500', REDIS_CONNECT_TIMEOUT_MS: '500' });
  });
  after(async () => { await a.stop(); await redis.stop(); });

  async function untilAnswered(conv: string, text: string, want: RegExp): Promise<string> {
    const until = Date.now() + 15000;
    let last = '';
    while (Date.now() < until) {
      last = (await turn(a.url, text, { conversationId: conv })).texts.join();
      if (!/temporarily unavailable/.test(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last).to.match(want);
    return last;
  }

  it('keeps 100 of 100 sessions written more than 2 s before a kill -9', async () => {
    for (const c of convs) expect((await turn(a.url, 'I want to return something', { conversationId: c })).texts.join()).to.match(/30 days/);
    await new Promise((r) => setTimeout(r, 2500));
    redis.proc.kill('SIGKILL');
    await new Promise((r) => redis.proc.once('exit', r));
    redis = await startRedis(AOF, { port, dir });
    let survived = 0;
    for (const c of convs) {
      const reply = await untilAnswered(c, 'yes', /Why would you like/);
      if (/Why would you like/.test(reply)) survived++;
    }
    expect(survived).to.equal(100);
  });

  it('starts from a truncated AOF (a torn last write) and older sessions stay readable', async () => {
    await turn(a.url, 'I want to return something', { conversationId: 'aof-torn-old' });
    await new Promise((r) => setTimeout(r, 1500));
    await turn(a.url, 'I want to return something', { conversationId: 'aof-torn-new' });
    await new Promise((r) => setTimeout(r, 1500));
    redis.proc.kill('SIGKILL');
    await new Promise((r) => redis.proc.once('exit', r));
    const f = incrFile(dir);
    truncateSync(f, statSync(f).size - 7);
    redis = await startRedis(AOF, { port, dir });
    expect(await untilAnswered('aof-torn-old', 'yes', /Why would you like/)).to.match(/Why would you like/);
  });

  it('refuses a corrupt AOF, and the bot fails closed with the unavailable reply', async () => {
    await turn(a.url, 'hello', { conversationId: 'aof-corrupt' });
    await new Promise((r) => setTimeout(r, 1500));
    redis.proc.kill('SIGKILL');
    await new Promise((r) => redis.proc.once('exit', r));
    const f = incrFile(dir);
    const bytes = readFileSync(f);
    const mid = Math.floor(bytes.length / 2);
    writeFileSync(f, Buffer.concat([bytes.subarray(0, mid), Buffer.from('\r\n*3\r\n$3\r\nSET\r\n$99999\r\nBROKEN\r\n'), bytes.subarray(mid)]));
    let refused = false;
    try { redis = await startRedis(AOF, { port, dir }); } catch { refused = true; }
    expect(refused).to.equal(true);
    const r = await turn(a.url, 'hello', { conversationId: 'aof-corrupt' });
    expect(r.status).to.equal(200);
    expect(r.texts.join()).to.match(/temporarily unavailable/);
  });
});
