import { expect } from 'chai';
import { startApp, turn, type RunningApp, type TurnOptions } from '../support/app.js';
import { TestClock, MIN, lastOutboxCode, outboxCount } from '../guards/identity/support.js';
import { MemoryAuditLog } from '../../guards/audit/auditLog.js';

/**
 * The verification dialog through the whole bot (guards, dialogs, encrypted state), in-process, with an injected
 * clock. Codes are read from the development outbox file the test app writes to.
 */
describe('verification dialog (one-time code, step-up, sessions)', function () {
  this.timeout(30000);
  const clock = new TestClock(Date.parse('2026-11-29T12:00:00Z'));
  let a: RunningApp;
  let n = 0;
  before(async () => { a = await startApp({}, { clock }); });
  after(async () => { await a.stop(); });

  const say = async (text: string, o: TurnOptions) => (await turn(a.url, text, o)).texts.join('\n');
  const conv = (locale: string): TurnOptions => ({ conversationId: `verify-${++n}`, userId: `user-${n}`, locale });

  async function verify(o: TurnOptions, ask: string, identifier: string) {
    await say(ask, o);
    await say(identifier, o);
    const sent = await lastOutboxCode(a);
    return say(sent!.code, o);
  }

  const flows: { lang: string; locale: string; ask: string; askRe: RegExp; identifier: string; sentRe: RegExp; channel: string; to: string; doneRe: RegExp }[] = [
    { lang: 'English, email', locale: 'en-US', ask: 'where is my order?', askRe: /confirm who you are[\s\S]*email address, the phone number/, identifier: 'avery@example.com', sentRe: /If that matches an account, I have sent a 6-digit code/, channel: 'email', to: 'avery@example.com', doneRe: /you are verified[\s\S]*TL-10001: placed 20 November 2026, shipped \(with UPS\), expected 2 December 2026/ },
    { lang: 'German, email', locale: 'de-DE', ask: 'Wo ist meine Bestellung?', askRe: /bestätigen, wer Sie sind[\s\S]*Kundennummer Ihres Kontos/, identifier: 'jana@example.org', sentRe: /Wenn das zu einem Konto passt, habe ich einen 6-stelligen Code/, channel: 'email', to: 'jana@example.org', doneRe: /Sie sind bestätigt[\s\S]*TL-20001: bestellt am 25\. November 2026, in Vorbereitung/ },
    { lang: 'French, SMS', locale: 'fr-FR', ask: 'où est ma commande ?', askRe: /confirmer votre identité[\s\S]*numéro client/, identifier: '+33 6 55 50 12 34', sentRe: /Si cela correspond à un compte/, channel: 'sms', to: '+33655501234', doneRe: /identité est confirmée[\s\S]*TL-30001: passée le 10 novembre 2026, livrée le 14 novembre 2026/ },
    { lang: 'Spanish, customer number', locale: 'es-ES', ask: '¿dónde está mi pedido?', askRe: /confirmar su identidad[\s\S]*número de cliente/, identifier: 'C100004', sentRe: /Si coincide con una cuenta/, channel: 'sms', to: '+34655501234', doneRe: /identidad está confirmada[\s\S]*No encuentro ningún pedido/ },
  ];
  for (const f of flows) {
    it(`verifies with a one-time code and answers the order status: ${f.lang}`, async () => {
      const o = conv(f.locale);
      expect(await say(f.ask, o)).to.match(f.askRe);
      expect(await say(f.identifier, o)).to.match(f.sentRe);
      const sent = await lastOutboxCode(a);
      expect(sent).to.include({ channel: f.channel, to: f.to });
      expect(await say(sent!.code, o)).to.match(f.doneRe);
    });
  }

  it('re-asks for an identifier it cannot read, and says the same for a wrong and an expired code', async () => {
    const o = conv('en-US');
    await say('where is my order', o);
    expect(await say('my name is Avery', o)).to.match(/does not look like an email address/);
    await say('avery@example.com', o);
    const code = (await lastOutboxCode(a))!.code;
    const wrong = await say(code === '000000' ? '111111' : '000000', o);
    expect(wrong).to.equal('That code is not valid. Please check it and try again, or say "new code".');
    clock.advance(5 * MIN + 1000);
    expect(await say(code, o)).to.equal(wrong);
    expect(await say('new code please', o)).to.match(/I have sent a 6-digit code/);
    expect(await say((await lastOutboxCode(a))!.code, o)).to.match(/you are verified/);
  });

  it('gives a known and an unknown account the same replies, and sends nothing for the unknown one', async () => {
    const run = async (identifier: string) => {
      const o = conv('en-US');
      const replies = [await say('where is my order?', o), await say(identifier, o)];
      for (let i = 0; i < 3; i++) replies.push(await say('123456', o));
      return replies;
    };
    const before = await outboxCount(a);
    const unknown = await run('nobody.at.all@example.com');
    expect(await outboxCount(a)).to.equal(before);
    const known = await run('camille@example.net');
    expect(await outboxCount(a)).to.equal(before + 1);
    expect(unknown).to.deep.equal(known);
  });

  describe('step-up: freshness per intent and session timeouts (injected clock)', () => {
    it('allows order status for 30 minutes and an address change for 5, then asks again', async () => {
      const o = conv('en-US');
      expect(await verify(o, 'where is my order?', 'jana@example.org')).to.match(/TL-20001/);
      clock.advance(4 * MIN);
      expect(await say('I need to change my delivery address', o)).to.match(/Order TL-20001 has not shipped yet/);
      expect(await say('cancel', o)).to.match(/stopped that/);
      clock.advance(2 * MIN);
      expect(await say('I need to change my delivery address', o)).to.match(/confirm again that it is you/);
      expect(await say('cancel', o)).to.match(/stopped that/);
      for (const step of [10, 10, 3]) {
        clock.advance(step * MIN);
        expect(await say('where is my order?', o), `after ${step} more minutes`).to.match(/TL-20001/);
      }
      clock.advance(3 * MIN);
      expect(await say('where is my order?', o)).to.match(/confirm again that it is you/);
    });

    it('ends the session after 15 idle minutes (IMP-1)', async () => {
      const o = conv('en-US');
      expect(await verify(o, 'where is my order?', 'avery@example.com')).to.match(/TL-10001/);
      clock.advance(16 * MIN);
      expect(await say('where is my order?', o)).to.match(/^For that I need to confirm who you are first/);
    });

    it('changes an address only while the verification is fresh, and records the request', async () => {
      const o = conv('de-DE');
      await verify(o, 'Wo ist meine Bestellung?', 'C100002');
      expect(await say('Ich möchte meine Lieferadresse ändern', o)).to.match(/Wie lautet die neue Lieferadresse/);
      expect(await say('Neue Straße 9, 10117 Berlin', o)).to.match(/Soll ich diese neue Lieferadresse für Bestellung TL-20001/);
      expect(await say('ja', o)).to.match(/Erledigt: Die Adressänderung für Bestellung TL-20001 ist erfasst \(Referenz CS-[0-9A-F]{10}\)/);
    });

    it('handles a card problem with the last four digits only, even when a full number is typed', async () => {
      const o = conv('en-US');
      await verify(o, 'where is my order?', 'avery@example.com');
      expect(await say('my card was declined', o)).to.match(/What happened/);
      expect(await say('Card declined', o)).to.match(/LAST FOUR digits/);
      const r = await say('4111 1111 1111 1111', o);
      expect(r).to.match(/never type a full card number[\s\S]*card ending in 1111: Card declined/);
      expect(r).to.not.include('4111 1111');
    });
  });

  describe('binding to the conversation and the channel user (IMP-1)', () => {
    it('gives another user id in the same conversation nothing', async () => {
      const o = conv('en-US');
      await verify(o, 'where is my order?', 'avery@example.com');
      const intruder = await say('where is my order?', { ...o, userId: 'someone-else' });
      expect(intruder).to.not.match(/TL-10001/);
      expect(intruder).to.match(/confirm who you are/);
    });

    it('gives a forged from.id in another conversation nothing', async () => {
      const o = conv('en-US');
      await verify(o, 'where is my order?', 'avery@example.com');
      const forged = await say('where is my order?', { conversationId: `forged-${n}`, userId: o.userId!, locale: 'en-US' });
      expect(forged).to.not.match(/TL-10001/);
      expect(forged).to.match(/confirm who you are/);
    });
  });

  it('writes PII-free audit events for sent, failed, succeeded', async () => {
    const audit = a.app.identity.audit as MemoryAuditLog;
    const types = new Set(audit.events.map((e) => e.type));
    for (const ty of ['verification.sent', 'verification.failed', 'verification.succeeded']) expect(types).to.include(ty);
    const text = JSON.stringify(audit.events);
    for (const pii of ['avery@example.com', '+15555550101', 'C100001', 'Avery', 'verify-1']) expect(text).to.not.include(pii);
  });
});
