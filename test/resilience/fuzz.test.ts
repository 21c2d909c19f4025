import { expect } from 'chai';
import fc from 'fast-check';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { sharedRedis } from '../support/redis.js';
import { createDefaultRedactor } from '../../guards/pii/index.js';

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('\u0000', '\r\n', '\u001b[31m', '\u202e', '\ud800', '💳4111 1111 1111 1111', '<script>alert(1)</script>', '${jndi:ldap://x}', '../../etc/passwd', '%00', '"}]}'),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom({ toString: 1 }, { toString: 1, valueOf: 1, title: { toString: 1 } }), fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'text', 'toString', 'valueOf', 'title')), tie('value'), { maxKeys: 5 })),
})).value;

const activity = fc.record({
  type: fc.oneof(fc.constantFrom('message', 'conversationUpdate', 'event', 'invoke', 'messageReaction', 'typing', 'endOfConversation', 'installationUpdate', 'messageUpdate', 'messageDelete'), hostile, fc.integer()),
  text: hostile,
  conversation: fc.oneof(fc.record({ id: hostile }), jsonValue),
  from: fc.oneof(fc.record({ id: hostile, name: hostile }), jsonValue),
  recipient: fc.record({ id: hostile }),
  channelId: fc.oneof(fc.constantFrom('test', 'msteams', 'webchat', 'directline', 'emulator'), hostile),
  serviceUrl: fc.constantFrom('http://127.0.0.1:9', 'https://127.0.0.1:9/x', 'javascript:alert(1)'),
  deliveryMode: fc.constantFrom('expectReplies', 'normal', 'x'),
  locale: fc.oneof(fc.constantFrom('en-US', 'de-DE', 'fr-FR', 'es-ES', 'xx'), hostile),
  value: jsonValue,
  attachments: fc.array(jsonValue, { maxLength: 3 }),
  suggestedActions: fc.oneof(fc.record({ actions: fc.array(jsonValue, { maxLength: 3 }) }), jsonValue),
  timestamp: fc.oneof(fc.constant('2026-11-29T10:00:00Z'), jsonValue),
  membersAdded: fc.array(fc.record({ id: hostile }), { maxLength: 3 }),
  channelData: jsonValue,
}, { requiredKeys: [] });

describe('hostile input (IN-1, fuzzed with fast-check)', function () {
  this.timeout(300000);
  let a: RunningApp;
  before(async () => { a = await startApp({ REDIS_URL: (await sharedRedis()).url, REDIS_COMMAND_TIMEOUT_MS: '2000' }); });
  after(async () => a.stop());

  it('answers every fuzzed activity below 500, never with error text, and keeps serving valid turns', async () => {
    for (let batch = 0; batch < 4; batch++) {
      await fc.assert(fc.asyncProperty(activity, async (act) => {
        const res = await fetch(`${a.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(act) });
        const text = await res.text();
        expect(res.status, text.slice(0, 200)).to.be.lessThan(500);
        expect(text).to.not.match(/TypeError|ReferenceError|at [\w.<>]+ \(|node_modules/);
      }), { numRuns: 60, seed: 4242 + batch });
      const ok = await turn(a.url, 'help', { conversationId: `fuzz-check-${batch}` });
      expect(ok.status).to.equal(200);
      expect(ok.texts.join()).to.match(/where is my order/);
    }
    // Hostile JSON (objects whose toString is not a function, nulls in lists) must not make a transcript entry fail
    // redaction and be dropped: every accepted activity keeps its (redacted) entry.
    expect(a.logs.lines.filter((l) => l.includes('guards.transcript.redaction_failed'))).to.deep.equal([]);
  });

  it('refuses raw junk bodies and prototype keys with 4xx', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), fc.json(), fc.constant('{"__proto__":{"x":1},"type":"message","conversation":{"id":"c"}}')), async (body) => {
      const res = await fetch(`${a.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).to.be.lessThan(500);
    }), { numRuns: 150, seed: 7 });
    expect(({} as Record<string, unknown>).x).to.equal(undefined);
  });
});

describe('redactor under hostile text (fuzzed)', () => {
  const redactor = createDefaultRedactor();
  const text = fc.oneof(hostile, fc.string({ unit: 'grapheme', maxLength: 500 }), fc.array(fc.constantFrom('my email is a.b@example.com', ' card 4111-1111-1111-1111', ' IBAN DE89370400440532013000', ' born 3 May 1988', ' call +49 30 1234567', ' [EMAIL_1]', ' Jana Krüger', '\n', ' 🙂 '), { maxLength: 12 }).map((p) => p.join('')));

  it('never throws, never grows a message beyond a bound, and redacting redacted text changes nothing', () => {
    fc.assert(fc.property(text, fc.constantFrom('en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'xx-YY'), (t, locale) => {
      const once = redactor.redact(t, { locale });
      expect(once.text.length).to.be.at.most(t.length + 24 * once.findings.length + 16);
      const twice = redactor.redact(once.text, { locale });
      expect(twice.text).to.equal(once.text);
    }), { numRuns: 800, seed: 99 });
  });
});
