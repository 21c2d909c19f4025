import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  eventually,
  newSession,
  openStream,
  pagePost,
  request,
  startHarness,
  type Harness,
  type SseClient,
} from './harness.js';

const USER_ID = /^dl_[A-Za-z0-9_-]{22}$/;

describe('local channel (HTTP, real restify + CloudAdapter + echo bot)', function () {
  let h: Harness;
  const streams: SseClient[] = [];

  async function stream(cookie: string | undefined, headers?: Record<string, string>): Promise<SseClient> {
    const s = await openStream(h, cookie, headers);
    streams.push(s);
    return s;
  }

  /** A session whose stream is open and whose greeting has arrived. */
  async function joined(): Promise<{ cookie: string; sse: SseClient }> {
    const { cookie } = await newSession(h);
    const sse = await stream(cookie);
    await sse.waitForActivity((a) => a['text'] === 'Welcome to the echo bot.');
    return { cookie, sse };
  }

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await h.close();
  });

  describe('sessions', () => {
    it('issues an opaque 256-bit session id in an HttpOnly, SameSite=Strict, Path=/local cookie (not Secure over http)', async () => {
      const res = await pagePost(h, '/local/session', {});
      expect(res.status).to.equal(201);
      const setCookie = res.headers['set-cookie'];
      expect(setCookie).to.have.length(1);
      const parts = String(setCookie?.[0]).split(';').map((p) => p.trim());
      expect(parts[0]).to.match(/^tl_local_session=[A-Za-z0-9_-]{43}$/);
      expect(parts).to.include.members(['Path=/local', 'HttpOnly', 'SameSite=Strict']);
      expect(parts).to.not.include('Secure');
      // The body names no id: the page has no use for one and never chooses one.
      expect(res.json).to.deep.equal({ resumed: false });
      expect(h.channel.sessionCount()).to.equal(1);
    });

    it('marks the cookie Secure when the request came over https', async () => {
      await h.close();
      const dir = mkdtempSync(join(tmpdir(), 'tl-local-tls-'));
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
        h = await startHarness({ tls: { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') } });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(h.baseUrl).to.match(/^https:/);
      const res = await pagePost(h, '/local/session', {});
      expect(res.status).to.equal(201);
      const parts = String(res.headers['set-cookie']?.[0]).split(';').map((p) => p.trim());
      expect(parts).to.include.members(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/local']);
      // An http Origin for an https server is another origin.
      const foreign = await pagePost(h, '/local/session', {}, undefined, { Origin: h.baseUrl.replace('https:', 'http:') });
      expect(foreign.status).to.equal(403);
    });

    it('resumes the session its cookie names instead of creating another', async () => {
      const { cookie } = await newSession(h);
      const again = await pagePost(h, '/local/session', {}, cookie);
      expect(again.status).to.equal(200);
      expect(again.json).to.deep.equal({ resumed: true });
      expect(again.headers['set-cookie']).to.equal(undefined);
      expect(h.channel.sessionCount()).to.equal(1);
    });

    it('gives every session its own user and conversation', async () => {
      const a = await joined();
      const b = await joined();
      expect(a.cookie).to.not.equal(b.cookie);
      const joins = h.received.filter((x) => x.type === 'conversationUpdate');
      expect(joins).to.have.length(2);
      expect(joins[0]?.from?.id).to.not.equal(joins[1]?.from?.id);
      expect(joins[0]?.conversation?.id).to.not.equal(joins[1]?.conversation?.id);
    });

    it('treats a made-up or malformed cookie as no session', async () => {
      for (const cookie of ['tl_local_session=' + 'A'.repeat(43), 'tl_local_session=../../etc', 'tl_local_session=%zz']) {
        const res = await pagePost(h, '/local/activities', { type: 'message', text: 'hi' }, cookie);
        expect(res.status, cookie).to.equal(401);
        expect(res.json).to.deep.equal({ error: 'unauthorized' });
      }
    });

    it('forgets a session idle past the timeout (injected clock)', async () => {
      await h.close();
      let clock = 1_000_000;
      h = await startHarness({ now: () => clock, idleTimeoutMs: 60_000 });
      const { cookie } = await newSession(h);
      clock += 30_000;
      expect((await pagePost(h, '/local/session', {}, cookie)).status).to.equal(200);
      clock += 60_001;
      const res = await pagePost(h, '/local/activities', { type: 'message', text: 'late' }, cookie);
      expect(res.status).to.equal(401);
      expect(h.channel.sessionCount()).to.equal(0);
    });

    it('keeps a session with an open stream however long it is idle', async () => {
      await h.close();
      let clock = 1_000_000;
      h = await startHarness({ now: () => clock, idleTimeoutMs: 60_000 });
      const { cookie } = await newSession(h);
      await stream(cookie);
      await eventually(() => h.channel.streamCount() === 1);
      clock += 10 * 60_000;
      expect(h.channel.sweepIdleSessions()).to.equal(0);
      expect(h.channel.sessionCount()).to.equal(1);
    });

    it('refuses sessions beyond the maximum with 503 once no idle session can be forgotten', async () => {
      await h.close();
      h = await startHarness({ maxSessions: 2 });
      await newSession(h);
      await newSession(h);
      const third = await pagePost(h, '/local/session', {});
      expect(third.status).to.equal(503);
      expect(third.json).to.deep.equal({ error: 'unavailable' });
    });
  });

  describe('stream and activities', () => {
    it('sends the bot a conversationUpdate with the server-issued user on the first stream connect only', async () => {
      const { cookie, sse } = await joined();
      const second = await stream(cookie);
      expect(second.status).to.equal(200);
      sse.close();
      await eventually(() => h.channel.streamCount() === 1);
      const joins = h.received.filter((a) => a.type === 'conversationUpdate');
      expect(joins).to.have.length(1);
      const join = joins[0]!;
      expect(join.membersAdded?.map((m) => m.id)).to.deep.equal([join.from?.id]);
      expect(join.from?.id).to.match(USER_ID);
      expect(join.channelId).to.equal('webchat');
      expect(join.serviceUrl).to.equal(`${h.baseUrl}/local/connector`);
    });

    it('serves the stream as text/event-stream and refuses it without a session (401)', async () => {
      const { sse } = await joined();
      expect(sse.headers['content-type']).to.match(/^text\/event-stream/);
      expect(sse.headers['cache-control']).to.equal('no-store');
      const none = await stream(undefined);
      expect(none.status).to.equal(401);
    });

    it('ignores the page-chosen from, recipient, conversation, serviceUrl, channelData and attachments', async () => {
      const { cookie } = await joined();
      const join = h.received[0]!;
      const res = await pagePost(
        h,
        '/local/activities',
        {
          type: 'message',
          text: 'hello',
          id: 'page-id',
          from: { id: 'dl_attacker', name: 'Admin', role: 'bot' },
          recipient: { id: 'other-bot' },
          conversation: { id: 'someone-elses-conversation' },
          serviceUrl: 'http://evil.example/connector',
          channelId: 'msteams',
          channelData: { clientActivityID: 'c1', tenant: { id: 'x' }, 'webchat:sequence-id': 1 },
          attachments: [{ contentType: 'image/png', contentUrl: 'http://evil.example/x.png' }],
          entities: [{ type: 'ClientCapabilities' }],
          locale: 'de-DE',
        },
        cookie,
      );
      expect(res.status).to.equal(200);
      await eventually(() => h.received.some((a) => a.type === 'message'));
      const got = h.received.find((a) => a.type === 'message')!;
      expect(got.from).to.deep.equal(join.from);
      expect(got.from?.id).to.match(USER_ID);
      expect(got.recipient).to.deep.equal(join.recipient);
      expect(got.conversation).to.deep.equal(join.conversation);
      expect(got.serviceUrl).to.equal(`${h.baseUrl}/local/connector`);
      expect(got.channelId).to.equal('webchat');
      expect(got.id).to.equal((res.json as { id: string }).id).and.to.not.equal('page-id');
      expect(got.text).to.equal('hello');
      expect(got.locale).to.equal('de-DE');
      expect(got).to.not.have.property('channelData');
      expect(got).to.not.have.property('attachments');
      expect(got).to.not.have.property('entities');
    });

    it('echoes each posted activity with its server id and clientActivityID before the bot reply, which answers it', async () => {
      const { cookie, sse } = await joined();
      const res = await pagePost(h, '/local/activities', { type: 'message', text: 'ping', channelData: { clientActivityID: 'abc-1' } }, cookie);
      expect(res.status).to.equal(200);
      const { id } = res.json as { id: string };
      expect(id).to.match(/^[A-Za-z0-9_-]{16}$/);
      const reply = await sse.waitForActivity((a) => a['text'] === 'echo: ping');
      const activities = sse.activities();
      const echoIndex = activities.findIndex((a) => a['id'] === id);
      const echo = activities[echoIndex]!;
      expect(echo['channelData']).to.deep.equal({ clientActivityID: 'abc-1' });
      expect((echo['from'] as { role: string }).role).to.equal('user');
      expect(echo).to.not.have.property('serviceUrl');
      expect(activities.findIndex((a) => a['id'] === reply['id'])).to.be.greaterThan(echoIndex);
      expect(reply['replyToId']).to.equal(id);
      expect((reply['from'] as { role: string }).role).to.equal('bot');
      expect(Date.parse(String(reply['timestamp']))).to.be.greaterThan(Date.parse(String(echo['timestamp'])));
    });

    it('replays the history to a new stream, and only what follows Last-Event-ID to a reconnecting one', async () => {
      const { cookie, sse } = await joined();
      await pagePost(h, '/local/activities', { type: 'message', text: 'one' }, cookie);
      await sse.waitForActivity((a) => a['text'] === 'echo: one');
      const lastSeen = sse.events.at(-1)?.id;
      await pagePost(h, '/local/activities', { type: 'message', text: 'two' }, cookie);
      await sse.waitForActivity((a) => a['text'] === 'echo: two');

      const fresh = await stream(cookie);
      await fresh.waitForActivity((a) => a['text'] === 'echo: two');
      expect(fresh.activities().map((a) => a['text'])).to.deep.equal(['Welcome to the echo bot.', 'one', 'echo: one', 'two', 'echo: two']);

      const resumed = await stream(cookie, { 'Last-Event-ID': String(lastSeen) });
      await resumed.waitForActivity((a) => a['text'] === 'echo: two');
      expect(resumed.activities().map((a) => a['text'])).to.deep.equal(['two', 'echo: two']);
    });

    it('delivers events by name and value, never their channelData', async () => {
      const { cookie } = await joined();
      const res = await pagePost(h, '/local/activities', { type: 'event', name: 'tl.locale', value: { locale: 'fr-FR' }, channelData: { x: 1 } }, cookie);
      expect(res.status).to.equal(200);
      await eventually(() => h.received.some((a) => a.type === 'event'));
      const ev = h.received.find((a) => a.type === 'event')!;
      expect(ev.name).to.equal('tl.locale');
      expect(ev.value).to.deep.equal({ locale: 'fr-FR' });
      expect(ev).to.not.have.property('channelData');
    });

    it('sends heartbeat comments on an idle stream', async () => {
      await h.close();
      h = await startHarness({ heartbeatMs: 20 });
      const { cookie } = await newSession(h);
      const sse = await stream(cookie);
      await eventually(() => sse.comments >= 2);
    });

    it('rate limits posts per session with 429, a generic body and Retry-After, without touching other sessions', async () => {
      await h.close();
      h = await startHarness({ rateLimit: { points: 3, durationSec: 60 } });
      const a = await joined();
      const b = await joined();
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i += 1) {
        last = await pagePost(h, '/local/activities', { type: 'message', text: `m${i}` }, a.cookie);
        statuses.push(last.status);
      }
      expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
      expect(last?.json).to.deep.equal({ error: 'rate_limited' });
      expect(Number(last?.headers['retry-after'])).to.be.within(1, 60);
      expect((await pagePost(h, '/local/activities', { type: 'message', text: 'other' }, b.cookie)).status).to.equal(200);
    });

    it('counts junk posts against the rate limit too', async () => {
      await h.close();
      h = await startHarness({ rateLimit: { points: 2, durationSec: 60 } });
      const { cookie } = await newSession(h);
      expect((await pagePost(h, '/local/activities', '{junk', cookie)).status).to.equal(400);
      expect((await pagePost(h, '/local/activities', '{junk', cookie)).status).to.equal(400);
      expect((await pagePost(h, '/local/activities', { type: 'message', text: 'ok' }, cookie)).status).to.equal(429);
    });
  });

  describe('same-origin checks', () => {
    const cases: { name: string; headers: Record<string, string>; status: number }[] = [
      { name: 'a foreign Origin', headers: { Origin: 'http://evil.example' }, status: 403 },
      { name: 'Origin "null"', headers: { Origin: 'null' }, status: 403 },
      { name: 'Origin with another port', headers: { Origin: 'http://127.0.0.1:1' }, status: 403 },
      { name: 'Origin with https for an http server', headers: { Origin: 'https://127.0.0.1' }, status: 403 },
      { name: 'Sec-Fetch-Site cross-site', headers: { 'Sec-Fetch-Site': 'cross-site' }, status: 403 },
      { name: 'Sec-Fetch-Site same-site', headers: { 'Sec-Fetch-Site': 'same-site' }, status: 403 },
      { name: 'a form content type', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415 },
      { name: 'a text/plain content type', headers: { 'Content-Type': 'text/plain' }, status: 415 },
    ];
    for (const c of cases) {
      it(`refuses a post with ${c.name} (${c.status}) and runs no turn`, async () => {
        const { cookie, sse } = await joined();
        const before = sse.activities().length;
        const res = await pagePost(h, '/local/activities', { type: 'message', text: 'csrf' }, cookie, c.headers);
        expect(res.status).to.equal(c.status);
        expect(res.json).to.have.property('error').that.is.a('string');
        expect(Object.keys(res.json as object)).to.deep.equal(['error']);
        expect(h.received.filter((a) => a.type === 'message')).to.have.length(0);
        expect(sse.activities()).to.have.length(before);
      });
    }

    it('refuses a Host the channel does not serve as (DNS rebinding) with 403', async () => {
      const res = await request('POST', `${h.baseUrl}/local/session`, {
        headers: { Host: 'rebind.evil.example', 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(res.status).to.equal(403);
      const page = await request('GET', `${h.baseUrl}/`, { headers: { Host: 'rebind.evil.example' } });
      expect(page.status).to.equal(403);
    });

    it('accepts a configured extra host name', async () => {
      await h.close();
      h = await startHarness({ allowedHosts: ['chat.local.test'] });
      const res = await request('POST', `${h.baseUrl}/local/session`, {
        headers: { Host: 'chat.local.test:3978', Origin: 'http://chat.local.test:3978', 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(res.status).to.equal(201);
    });
  });

  describe('bad input', () => {
    const deep = `{"type":"message","text":"x","value":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const junk: { name: string; body: string; status: number }[] = [
      { name: 'invalid JSON', body: '{"type": "message", "text": ', status: 400 },
      { name: 'an array', body: '[{"type":"message","text":"x"}]', status: 400 },
      { name: 'a string', body: '"message"', status: 400 },
      { name: 'null', body: 'null', status: 400 },
      { name: 'an empty body', body: '', status: 400 },
      { name: 'no type', body: '{"text":"x"}', status: 400 },
      { name: 'type invoke', body: '{"type":"invoke","name":"x"}', status: 400 },
      { name: 'type typing', body: '{"type":"typing"}', status: 400 },
      { name: 'a number as text', body: '{"type":"message","text":42}', status: 400 },
      { name: 'a message with neither text nor value', body: '{"type":"message","text":"   "}', status: 400 },
      { name: 'an event without a name', body: '{"type":"event","value":1}', status: 400 },
      { name: 'an event name with markup', body: '{"type":"event","name":"<script>"}', status: 400 },
      { name: '__proto__ inside value', body: '{"type":"message","text":"x","value":{"__proto__":{"admin":true}}}', status: 400 },
      { name: 'constructor inside value', body: '{"type":"message","text":"x","value":{"a":{"constructor":{}}}}', status: 400 },
      { name: 'deeply nested value', body: deep, status: 400 },
      { name: 'text over the cap', body: JSON.stringify({ type: 'message', text: 'x'.repeat(4001) }), status: 413 },
      { name: 'a body over 64 KiB', body: JSON.stringify({ type: 'message', text: 'x', pad: 'y'.repeat(70000) }), status: 413 },
    ];
    for (const j of junk) {
      it(`answers ${j.name} with ${j.status} and a generic body`, async () => {
        await h.close();
        h = await startHarness({ rateLimit: { points: 1000, durationSec: 10 } });
        const { cookie } = await newSession(h);
        const res = await pagePost(h, '/local/activities', j.body, cookie);
        expect(res.status).to.equal(j.status);
        expect(res.json).to.deep.equal({ error: j.status === 413 ? 'payload_too_large' : 'bad_request' });
        expect(res.headers['content-type']).to.match(/^application\/json/);
        // Still serving, and nothing of the input came back.
        const ok = await pagePost(h, '/local/activities', { type: 'message', text: 'still here' }, cookie);
        expect(ok.status).to.equal(200);
      });
    }

    it('answers a chunked body over the limit with 413 without reading it all', async () => {
      const { cookie } = await newSession(h);
      const res = await request('POST', `${h.baseUrl}/local/activities`, {
        headers: { 'Content-Type': 'application/json', Cookie: cookie, 'Transfer-Encoding': 'chunked' },
        body: Buffer.alloc(300_000, 0x61),
      });
      expect(res.status).to.equal(413);
      expect(res.json).to.deep.equal({ error: 'payload_too_large' });
    });

    it('answers a declared Content-Length over the limit with 413', async () => {
      const { cookie } = await newSession(h);
      const res = await request('POST', `${h.baseUrl}/local/session`, {
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify({ locale: 'x'.repeat(5000) }),
      });
      expect(res.status).to.equal(413);
    });

    it('never puts input, stack traces or error text into an error body', async () => {
      const { cookie } = await newSession(h);
      const canary = 'CANARY-7f3a<script>';
      const bodies = [`{"type":"message","text":"${canary}`, `{"type":"${canary}"}`, `[${JSON.stringify(canary)}]`];
      for (const body of bodies) {
        const res = await pagePost(h, '/local/activities', body, cookie);
        expect(res.status).to.be.within(400, 499);
        expect(res.text).to.not.include('CANARY');
        expect(res.json).to.deep.equal({ error: 'bad_request' });
      }
    });
  });

  describe('connector routes', () => {
    const conversationOf = (h2: Harness): string => String(h2.received[0]?.conversation?.id);

    it('refuses calls for an unknown conversation with 404', async () => {
      await joined();
      for (const [method, path] of [
        ['POST', '/local/connector/v3/conversations/nope/activities'],
        ['POST', '/local/connector/v3/conversations/nope/activities/x'],
        ['PUT', '/local/connector/v3/conversations/nope/activities/x'],
        ['DELETE', '/local/connector/v3/conversations/nope/activities/x'],
        ['GET', '/local/connector/v3/conversations/nope/members'],
      ] as const) {
        const res = await request(method, `${h.baseUrl}${path}`, {
          headers: { 'Content-Type': 'application/json' },
          body: method === 'GET' || method === 'DELETE' ? undefined : '{"type":"message","text":"spoof"}',
        });
        expect(res.status, `${method} ${path}`).to.equal(404);
        expect(res.json).to.deep.equal({ error: 'not_found' });
      }
    });

    it('refuses calls that come from a browser (Origin or Sec-Fetch-*) even for a live conversation', async () => {
      const { sse } = await joined();
      const conv = conversationOf(h);
      const browserHeaders: Record<string, string>[] = [{ Origin: h.baseUrl }, { 'Sec-Fetch-Site': 'same-origin' }, { 'Sec-Fetch-Mode': 'no-cors' }];
      for (const headers of browserHeaders) {
        const res = await request('POST', `${h.baseUrl}/local/connector/v3/conversations/${conv}/activities`, {
          headers: { 'Content-Type': 'application/json', ...headers },
          body: '{"type":"message","text":"spoof"}',
        });
        expect(res.status).to.equal(404);
      }
      expect(sse.activities().some((a) => a['text'] === 'spoof')).to.equal(false);
    });

    it('accepts the bot posting to a live conversation and forces the bot role on what the page sees', async () => {
      const { sse } = await joined();
      const conv = conversationOf(h);
      const res = await request('POST', `${h.baseUrl}/local/connector/v3/conversations/${conv}/activities`, {
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ type: 'message', text: 'proactive', from: { id: 'x', role: 'user' }, serviceUrl: 'http://leak' }),
      });
      expect(res.status).to.equal(200);
      const { id } = res.json as { id: string };
      const shown = await sse.waitForActivity((a) => a['id'] === id);
      expect(shown['text']).to.equal('proactive');
      expect((shown['from'] as { role: string }).role).to.equal('bot');
      expect(shown).to.not.have.property('serviceUrl');
    });

    it('refuses non-JSON and malformed bot activities with 4xx', async () => {
      await joined();
      const url = `${h.baseUrl}/local/connector/v3/conversations/${conversationOf(h)}/activities`;
      expect((await request('POST', url, { headers: { 'Content-Type': 'text/plain' }, body: '{"type":"message"}' })).status).to.equal(415);
      expect((await request('POST', url, { headers: { 'Content-Type': 'application/json' }, body: '{"text":"no type"}' })).status).to.equal(400);
      expect((await request('POST', url, { headers: { 'Content-Type': 'application/json' }, body: '{bad' })).status).to.equal(400);
      const big = JSON.stringify({ type: 'message', text: 'x'.repeat(262145) });
      expect((await request('POST', url, { headers: { 'Content-Type': 'application/json' }, body: big })).status).to.equal(413);
    });

    it('replaces an activity on update (same id again on the stream), 404s an unknown id, and forgets a deleted one', async () => {
      const { cookie, sse } = await joined();
      const conv = conversationOf(h);
      const base = `${h.baseUrl}/local/connector/v3/conversations/${conv}/activities`;
      const sent = await request('POST', base, { headers: { 'Content-Type': 'application/json' }, body: '{"type":"message","text":"v1"}' });
      const { id } = sent.json as { id: string };
      const upd = await request('PUT', `${base}/${id}`, { headers: { 'Content-Type': 'application/json' }, body: '{"type":"message","text":"v2"}' });
      expect(upd.status).to.equal(200);
      expect(upd.json).to.deep.equal({ id });
      const v2 = await sse.waitForActivity((a) => a['text'] === 'v2');
      expect(v2['id']).to.equal(id);
      const missing = await request('PUT', `${base}/nope`, { headers: { 'Content-Type': 'application/json' }, body: '{"type":"message","text":"v3"}' });
      expect(missing.status).to.equal(404);
      const del = await request('DELETE', `${base}/${id}`);
      expect(del.status).to.equal(200);
      // A deleted activity is no longer restored to a new stream (the history is written before anything else).
      const fresh = await stream(cookie);
      await fresh.waitForActivity((a) => a['text'] === 'Welcome to the echo bot.');
      expect(fresh.activities().map((a) => a['id'])).to.not.include(id);
    });

    it('answers a members lookup with the session user only', async () => {
      await joined();
      const conv = conversationOf(h);
      const res = await request('GET', `${h.baseUrl}/local/connector/v3/conversations/${conv}/members`);
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal([{ id: h.received[0]?.from?.id, name: 'User' }]);
    });
  });

  describe('clear', () => {
    it('ends the session: the stream gets "end" and closes, the cookie is expired, and the conversation is gone', async () => {
      const { cookie, sse } = await joined();
      const conv = String(h.received[0]?.conversation?.id);
      const res = await pagePost(h, '/local/clear', {}, cookie);
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ cleared: true });
      const cleared = String(res.headers['set-cookie']?.[0]);
      expect(cleared).to.match(/^tl_local_session=;/);
      expect(cleared).to.match(/Max-Age=0/);
      expect(cleared).to.include('Path=/local');
      await sse.waitFor((e) => e.event === 'end');
      await sse.ended;
      expect(h.channel.sessionCount()).to.equal(0);
      expect((await pagePost(h, '/local/activities', { type: 'message', text: 'after' }, cookie)).status).to.equal(401);
      expect((await stream(cookie)).status).to.equal(401);
      const bot = await request('POST', `${h.baseUrl}/local/connector/v3/conversations/${conv}/activities`, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"type":"message","text":"late reply"}',
      });
      expect(bot.status).to.equal(404);
      // The old cookie starts a brand-new session with a new user.
      const next = await pagePost(h, '/local/session', {}, cookie);
      expect(next.status).to.equal(201);
    });

    it('is harmless without a session and still expires the cookie', async () => {
      const res = await pagePost(h, '/local/clear', {});
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ cleared: false });
      expect(String(res.headers['set-cookie']?.[0])).to.match(/Max-Age=0/);
    });

    it('refuses a cross-origin clear', async () => {
      const { cookie } = await joined();
      const res = await pagePost(h, '/local/clear', {}, cookie, { Origin: 'http://evil.example' });
      expect(res.status).to.equal(403);
      expect(h.channel.sessionCount()).to.equal(1);
    });
  });

  describe('logging and shutdown', () => {
    it('logs event names and counts only: no text, ids, cookies or error messages', async () => {
      await h.close();
      const canary = 'CANARY-jane.doe@example.com';
      h = await startHarness({
        logic: async (ctx) => {
          if (ctx.activity.type === 'message') throw new Error(`bot failed on ${ctx.activity.text ?? ''}`);
        },
        // Let the failure reach the channel: processActivityDirect then wraps the whole stack into its message.
        onTurnError: async (_ctx, err) => {
          throw err;
        },
      });
      const { cookie } = await newSession(h);
      const sse = await stream(cookie);
      await pagePost(h, '/local/activities', { type: 'message', text: canary }, cookie);
      await pagePost(h, '/local/activities', `{"type":"message","text":"${canary}`, cookie);
      await eventually(() => h.logLines.some((l) => l.includes('channels.local.turn.failed')));
      const userId = String(h.received[0]?.from?.id);
      const conv = String(h.received[0]?.conversation?.id);
      const sid = cookie.split('=')[1]!;
      const all = h.logLines.join('');
      for (const secret of [canary, 'CANARY', userId, conv, sid, 'bot failed']) expect(all).to.not.include(secret);
      for (const line of h.logLines) expect(JSON.parse(line).event).to.match(/^channels\.local\.[a-z_.]+$/);
      sse.close();
    });

    it('close() ends every stream and later requests get 503', async () => {
      const a = await joined();
      const b = await joined();
      await h.channel.close();
      await Promise.all([a.sse.ended, b.sse.ended]);
      expect(h.channel.sessionCount()).to.equal(0);
      const res = await pagePost(h, '/local/session', {});
      expect(res.status).to.equal(503);
      expect(res.json).to.deep.equal({ error: 'unavailable' });
    });
  });
});
