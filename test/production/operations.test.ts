/**
 * Operations (issue 8 item 8): Prometheus metrics and how they are protected, correlation ids in logs, graceful
 * shutdown (turns in flight finish, new work is refused, Redis is closed), and the process's SIGTERM path.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import restify from 'restify';
import { startApp, turn, testEnv, type RunningApp } from '../support/app.js';
import { sharedRedis } from '../support/redis.js';
import { loadConfig } from '../../config.js';
import { Metrics, mountMetrics } from '../../http/metrics.js';
import { lastOutboxCode } from '../guards/identity/support.js';

const TOKEN = 'metrics-token-0123456789-abcdefghijklmnop';

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('operations', function () {
  this.timeout(30_000);

  describe('metrics', () => {
    let bot: RunningApp;
    before(async () => { bot = await startApp({ LOG_LEVEL: 'debug' }); });
    after(async () => { await bot?.stop(); });

    it('exposes turns, latency, redaction failures, verification locks and queue length in Prometheus text', async () => {
      await turn(bot.url, 'hello', { conversationId: 'm-1' });
      bot.app.metrics.verificationLocked();
      bot.app.metrics.setQueueLength(3);
      const r = await get(`${bot.url}/metrics`);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      expect(r.text).to.match(/^trustline_turns_total\{outcome="ok",instance="[^"]+"\} [1-9]/m);
      expect(r.text).to.match(/^trustline_turn_duration_seconds_bucket\{(?=[^}]*le="\+Inf")(?=[^}]*outcome="ok")[^}]*\} [1-9]/m);
      expect(r.text).to.match(/^trustline_turn_duration_seconds_count\{(?=[^}]*outcome="ok")[^}]*\} [1-9]/m);
      expect(r.text).to.match(/^trustline_transcript_redaction_failures\{instance="[^"]+"\} 0$/m);
      expect(r.text).to.match(/^trustline_verification_locks_total\{instance="[^"]+"\} 1$/m);
      expect(r.text).to.match(/^trustline_handoff_queue_length\{instance="[^"]+"\} 3$/m);
      expect(r.text).to.match(/^process_cpu_seconds_total/m);
      // Labels carry outcomes and store names only: no conversation or user identifiers.
      expect(r.text).not.to.include('m-1');
    });

    it('counts a real verification lock-out (ten wrong codes) once, as the audit chain records it', async () => {
      const locks = async () => Number(/^trustline_verification_locks_total\{instance="[^"]+"\} (\d+)$/m.exec((await get(`${bot.url}/metrics`)).text)?.[1] ?? NaN);
      const lockedEvents = async () => (await bot.app.audit.entries()).filter((e) => e.fields.type === 'verification.locked').length;
      const before = await locks();
      const eventsBefore = await lockedEvents();
      expect(before).to.be.a('number').and.not.NaN;
      const o = { conversationId: 'm-lock', userId: 'm-lock-user', locale: 'en-US' };
      const say = async (text: string) => (await turn(bot.url, text, o)).texts.join('\n');
      await say('where is my order?');
      await say('avery@example.com');
      const code = (await lastOutboxCode(bot))!.code;
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) await say(wrong);
      expect(await locks(), 'five wrong tries end a code, they do not lock the account').to.equal(before);
      await say('new code');
      for (let i = 0; i < 4; i++) await say(wrong);
      expect(await locks(), 'nine failures: not locked yet').to.equal(before);
      const last = await say(wrong);
      expect(last).to.match(/verification for these details is paused/);
      expect(await locks()).to.equal(before + 1);
      expect(await lockedEvents()).to.equal(eventsBefore + 1);
    });

    it('counts transcript entries dropped because redaction failed', async () => {
      const redactor = bot.app.redactor as unknown as { redact: (...a: unknown[]) => unknown };
      const original = redactor.redact;
      redactor.redact = () => { throw new Error('recognizer exploded'); };
      try {
        await turn(bot.url, 'hello again', { conversationId: 'm-2' });
      } finally { redactor.redact = original; }
      expect(bot.app.transcriptGuard.droppedEntries).to.be.greaterThan(0);
      const r = await get(`${bot.url}/metrics`);
      expect(r.text).to.match(new RegExp(`^trustline_transcript_redaction_failures\\{instance="[^"]+"\\} ${bot.app.transcriptGuard.droppedEntries}$`, 'm'));
    });

    it('puts a correlation id on every log line of a request and echoes it', async () => {
      const before = bot.logs.lines.length;
      // A failing redactor makes the transcript guard log inside the turn: that line must carry the id as well.
      const redactor = bot.app.redactor as unknown as { redact: (...a: unknown[]) => unknown };
      const original = redactor.redact;
      redactor.redact = () => { throw new Error('recognizer exploded'); };
      let r: Response;
      try {
        r = await fetch(`${bot.url}/api/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'gw-req-12345678' },
          body: JSON.stringify({ type: 'message', id: 'x', channelId: 'test', serviceUrl: 'http://127.0.0.1:9/unused', deliveryMode: 'expectReplies', conversation: { id: 'm-3' }, from: { id: 'u' }, recipient: { id: 'bot' }, text: 'hi' }),
        });
        await r.text();
      } finally { redactor.redact = original; }
      expect(r.headers.get('x-request-id')).to.equal('gw-req-12345678');
      const lines = bot.logs.lines.slice(before).map((l) => JSON.parse(l) as { rid?: string; event: string });
      const done = lines.find((l) => l.event === 'http.messages.done');
      expect(done?.rid).to.equal('gw-req-12345678');
      // The turn's own lines carry it too, not just the HTTP layer's.
      expect(lines.map((l) => l.event)).to.include('guards.transcript.redaction_failed');
      expect(lines.filter((l) => l.rid !== 'gw-req-12345678').map((l) => l.event)).to.deep.equal([]);
    });

    it('replaces an unsafe upstream request id with its own', async () => {
      for (const bad of ['short', 'has spaces in it', 'x'.repeat(80), '"quoted"-id-123']) {
        const r = await fetch(`${bot.url}/healthz`, { headers: { 'x-request-id': bad } });
        expect(r.headers.get('x-request-id')).to.match(/^[0-9a-f]{16}$/);
      }
      const own = await fetch(`${bot.url}/healthz`);
      expect(own.headers.get('x-request-id')).to.match(/^[0-9a-f]{16}$/);
    });
  });

  describe('correlation ids on the staff routes', () => {
    it('puts the request id on the lines the staff routes write', async () => {
      const r0 = await sharedRedis();
      const staffBot = await startApp({ REDIS_URL: r0.url });
      try {
        const before = staffBot.logs.lines.length;
        const r = await fetch(`${staffBot.url}/api/staff/login`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'gw-staff-87654321' },
          body: JSON.stringify({ email: 'nobody-ops@example.com', password: 'not-the-password' }),
        });
        expect(r.status).to.equal(401);
        expect(r.headers.get('x-request-id')).to.equal('gw-staff-87654321');
        const lines = staffBot.logs.lines.slice(before).map((l) => JSON.parse(l) as { rid?: string; event: string });
        expect(lines.find((l) => l.event === 'staff.login_failed')?.rid).to.equal('gw-staff-87654321');
      } finally { await staffBot.stop(); }
    });
  });

  describe('metrics protection', () => {
    it('needs the bearer token on the main port when one is set', async () => {
      const bot = await startApp({ METRICS_TOKEN: TOKEN });
      try {
        expect((await get(`${bot.url}/metrics`)).status).to.equal(401);
        expect((await get(`${bot.url}/metrics`, { authorization: 'Bearer wrong' })).status).to.equal(401);
        const denied = await get(`${bot.url}/metrics`, { authorization: `Basic ${TOKEN}` });
        expect(denied.status).to.equal(401);
        expect(JSON.parse(denied.text)).to.deep.equal({ error: 'unauthorized' });
        const ok = await get(`${bot.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
        expect(ok.status).to.equal(200);
        expect(ok.text).to.include('trustline_turns_total');
      } finally { await bot.stop(); }
    });

    it('serves /metrics on a separate listener (METRICS_PORT) and nothing else there', async () => {
      const bot = await startApp({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_TOKEN: TOKEN });
      try {
        const base = bot.app.metricsUrl()!;
        expect(base).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(base).not.to.equal(bot.url);
        expect((await get(`${base}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).to.equal(200);
        expect((await get(`${base}/metrics`)).status).to.equal(401);
        expect((await get(`${base}/api/messages`)).status).to.equal(404);
      } finally { await bot.stop(); }
    });

    it('is absent in production without a token, open only in development', async () => {
      const base = { MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', REDIS_URL: 'rediss://r.internal:6380', KEYSTORE_REDIS_URL: 'rediss://k.internal:6380', REDIS_USERNAME: 'trustline', REDIS_PASSWORD: 'p', CONSENT_PRESET: undefined };
      expect(loadConfig(testEnv({ ...base, TRUSTLINE_PROFILE: 'production' })).config.ops.metrics.mainPort).to.equal('off');
      expect(loadConfig(testEnv({ ...base, TRUSTLINE_PROFILE: 'production', METRICS_TOKEN: TOKEN })).config.ops.metrics.mainPort).to.equal('token');
      expect(loadConfig(testEnv()).config.ops.metrics.mainPort).to.equal('open');
      expect(() => loadConfig(testEnv({ METRICS_TOKEN: 'short' }))).to.throw(/METRICS_TOKEN/);
      const server = restify.createServer();
      mountMetrics(server, new Metrics({ redactionFailures: () => 0, redis: () => ({}), inflight: () => 0 }, { instance: 't', defaultMetrics: false }), { mainPort: 'off', token: '' });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        expect((await get(`http://127.0.0.1:${server.address().port}/metrics`)).status).to.equal(404);
      } finally { await new Promise<void>((r) => server.close(() => r())); }
    });
  });

  describe('graceful shutdown', () => {
    it('finishes the turn in flight, refuses new work meanwhile, then closes Redis', async () => {
      const redis = await sharedRedis();
      const admin = await redis.client();
      const clientsBefore = (await admin.sendCommand(['CLIENT', 'LIST']) as string).trim().split('\n').length;
      const bot = await startApp({ REDIS_URL: redis.url });
      const clientsDuring = (await admin.sendCommand(['CLIENT', 'LIST']) as string).trim().split('\n').length;
      expect(clientsDuring).to.be.greaterThan(clientsBefore);
      // Slow the turn down: its state read waits until we let it go.
      const storage = bot.app.storage as unknown as { read: (keys: string[]) => Promise<unknown> };
      const read = storage.read.bind(storage);
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      let entered!: () => void;
      const inside = new Promise<void>((r) => { entered = r; });
      storage.read = async (keys: string[]) => { entered(); await gate; return read(keys); };

      const inflight = turn(bot.url, 'hello', { conversationId: 'shutdown-1' });
      await inside;
      const stopping = bot.stop();
      await new Promise((r) => setTimeout(r, 100));
      const ready = await fetch(`${bot.url}/readyz`).then((r) => r.status).catch(() => 'refused');
      expect([503, 'refused']).to.include(ready);
      const late = await turn(bot.url, 'too late', { conversationId: 'shutdown-2' }).then((r) => r.status).catch(() => 'refused');
      expect([503, 'refused']).to.include(late);
      let stopped = false;
      void stopping.then(() => { stopped = true; });
      await new Promise((r) => setTimeout(r, 100));
      expect(stopped, 'close() waits for the turn in flight').to.equal(false);
      release();
      const done = await inflight;
      expect(done.status).to.equal(200);
      expect(done.texts.length).to.be.greaterThan(0);
      await stopping;
      const clientsAfter = (await admin.sendCommand(['CLIENT', 'LIST']) as string).trim().split('\n').length;
      expect(clientsAfter).to.equal(clientsBefore);
    });

    it('the process stops on SIGTERM with exit code 0 after logging app.stopped', async function () {
      this.timeout(60_000);
      const env = testEnv({ PORT: '0', LOCAL_CHAT_ENABLED: 'false' });
      const p = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
      const until = Date.now() + 45_000;
      while (!out.includes('"app.listening"') && Date.now() < until && p.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(out).to.include('"app.listening"');
      p.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(out).to.include('"app.stopping"');
      expect(out).to.include('"app.stopped"');
    });
  });
});
