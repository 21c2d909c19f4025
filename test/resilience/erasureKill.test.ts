import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { testEnv, turn, type TurnOptions } from '../support/app.js';
import { freePort, startRedis, type RedisProcess } from '../support/redis.js';
import { CANARY_A, directoryCopy, receiptOf } from '../guards/dsr/support.js';
import { Pseudonymizer } from '../../guards/crypto/pseudonym.js';
import type { DsrRecord } from '../../guards/dsr/ledger.js';

/**
 * DSR-6: the bot is killed with SIGKILL in the middle of an erasure (steps are paced by DSR_ERASE_STEP_PAUSE_MS so
 * the kill lands between steps), restarted with the same configuration, and the job resumes at start-up and
 * completes exactly once: one completion event, every step recorded once, nothing of the customer left.
 */
describe('erasure survives kill -9 of the bot and completes exactly once on restart', function () {
  this.timeout(120000);
  let data: RedisProcess;
  let keystore: RedisProcess;
  let bot: ChildProcess | undefined;
  let env: Record<string, string | undefined>;
  let url = '';
  let output = '';
  const o: TurnOptions = { conversationId: 'dsr-kill-conv', userId: 'dsr-kill-user', locale: 'en-GB' };

  async function startBot(): Promise<void> {
    bot = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    bot.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    bot.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    const until = Date.now() + 60000;
    while (Date.now() < until) {
      try { if ((await fetch(`${url}/readyz`)).status === 200) return; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('bot did not become ready');
  }

  async function lastCode(): Promise<string> {
    const file = env.OTP_OUTBOX_FILE!;
    for (let i = 0; i < 100; i++) {
      if (existsSync(file)) {
        const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
        if (lines.length) return (JSON.parse(lines[lines.length - 1]!) as { code: string }).code;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no code');
  }

  before(async () => {
    data = await startRedis();
    keystore = await startRedis();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = { ...process.env, ...testEnv({ PORT: String(port), REDIS_URL: data.url, KEYSTORE_REDIS_URL: keystore.url, CUSTOMER_DIRECTORY_FILE: directoryCopy(), DSR_ERASE_STEP_PAUSE_MS: '400', LOG_LEVEL: 'warn', LOCAL_CHAT_ENABLED: 'false' }) };
    await startBot();
  });
  after(async () => {
    if (bot && bot.exitCode === null && bot.signalCode === null) { const gone = new Promise((r) => bot!.once('exit', r)); bot.kill('SIGKILL'); await gone; }
    await data?.stop();
    await keystore?.stop();
  });

  it('resumes the job after SIGKILL and completes it once', async () => {
    const say = async (text: string) => (await turn(url, text, o)).texts.join('\n');
    await say('delete everything about me');
    expect(await say(CANARY_A.phone)).to.match(/If that matches an account/);
    const explain = await say(await lastCode());
    const ref = receiptOf(explain);
    const c = await data.client();
    const p = new Pseudonymizer(Buffer.from(env.TRUSTLINE_KEYNAME_KEY!, 'base64'));
    const subjectOwner = await c.hGet(`tl:idx:s:{${p.hash('subject', CANARY_A.customerNumber)}}`, 'o');
    expect(subjectOwner).to.match(/^s_/);
    const ks = await keystore.client();
    expect(await ks.exists(`tl:key:{${subjectOwner}}`)).to.equal(1);
    const record = async () => JSON.parse((await c.get(`tl:dsr:{${ref}}`))!) as DsrRecord;
    // The confirming turn never answers: the bot dies during it.
    void turn(url, 'yes', o).catch(() => undefined);
    for (let i = 0; i < 200 && ((await record()).steps?.length ?? 0) < 4; i++) await new Promise((r) => setTimeout(r, 25));
    const exited = new Promise((r) => bot!.once('exit', r));
    bot!.kill('SIGKILL');
    await exited;
    const mid = await record();
    expect(mid.status).to.equal('in_progress');
    expect(mid.steps!.length).to.be.greaterThan(1);
    expect(mid.steps).to.not.include('keys');

    await startBot();
    let done = await record();
    for (let i = 0; i < 900 && done.status !== 'completed'; i++) { await new Promise((r) => setTimeout(r, 100)); done = await record(); }
    expect(done.status, output.slice(-3000)).to.equal('completed');
    expect(done.outcome).to.equal('erased');
    expect(new Set(done.steps).size).to.equal(done.steps!.length);
    expect(done.steps).to.include.members(['plan', 'erase:transcripts', 'directory', 'index', 'keys']);

    const audit = (await c.xRange('tl:audit', '-', '+')) ?? [];
    expect(audit.filter((e) => e.message.type === 'dsr.erase_completed' && e.message.object === ref)).to.have.length(1);
    expect(audit.filter((e) => e.message.type === 'dsr.erase_confirmed' && e.message.object === ref)).to.have.length(1);
    expect(await c.exists(`tl:dsr:job:{${ref}}`)).to.equal(0);
    expect(await c.exists(`tl:idx:s:{${p.hash('subject', CANARY_A.customerNumber)}}`)).to.equal(0);
    expect(await ks.exists(`tl:key:{${subjectOwner}}`)).to.equal(0);
    expect(readFileSync(env.CUSTOMER_DIRECTORY_FILE!, 'utf8')).to.not.include(CANARY_A.customerNumber);
    // The job's own key is destroyed with the plan.
    const keys = [];
    for await (const b of ks.scanIterator({ MATCH: 'tl:key:{j_*', COUNT: 100 })) keys.push(...(b as unknown as string[]));
    expect(keys).to.deep.equal([]);
  });
});
