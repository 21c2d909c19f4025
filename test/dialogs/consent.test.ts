import { expect } from 'chai';
import { startApp, turn, type RunningApp, type TurnOptions } from '../support/app.js';
import { TestClock } from '../guards/identity/support.js';
import { MemoryAuditLog } from '../../guards/audit/auditLog.js';
import { LATEST_NOTICE_VERSION, loadPrivacyNotice, NOTICE_HASHES } from '../../notices/index.js';

/** First contact, the choice, withdrawal: the real notice (no preset), through the whole bot, four languages. */
describe('consent (privacy notice, choice, withdrawal)', function () {
  this.timeout(30000);
  const clock = new TestClock(Date.parse('2026-11-29T12:00:00Z'));
  let a: RunningApp;
  let n = 0;
  before(async () => { a = await startApp({ CONSENT_PRESET: undefined }, { clock }); });
  after(async () => { await a.stop(); });

  const send = (text: string, o: TurnOptions) => turn(a.url, text, o);
  const say = async (text: string, o: TurnOptions) => (await send(text, o)).texts.join('\n');
  const conv = (locale: string): TurnOptions => ({ conversationId: `consent-${++n}`, userId: `cuser-${n}`, locale });
  const transcriptOf = async (o: TurnOptions) => (await a.app.transcripts.list(a.app.pseudonyms.conversationOwner('test', o.conversationId!))).entries;
  const notice = loadPrivacyNotice();

  const table = [
    { locale: 'en-US', first: 'where is my order?', keep: 'Keep my conversation', dont: "Don't keep it", kept: /we will keep a copy/, notKept: /we will not keep this conversation/, then: /confirm who you are/, withdraw: 'withdraw my consent', withdrawn: /your consent is withdrawn/ },
    { locale: 'de-DE', first: 'Wo ist meine Bestellung?', keep: 'Ja, aufbewahren', dont: 'Nicht aufbewahren', kept: /Wir bewahren eine Kopie/, notKept: /Wir bewahren dieses Gespräch nicht auf/, then: /bestätigen, wer Sie sind/, withdraw: 'Ich möchte meine Einwilligung widerrufen', withdrawn: /Einwilligung ist widerrufen/ },
    { locale: 'fr-FR', first: 'où est ma commande ?', keep: 'Oui, la conserver', dont: 'Ne pas la conserver', kept: /nous conserverons une copie/, notKept: /nous ne conserverons pas/, then: /confirmer votre identité/, withdraw: 'je veux retirer mon consentement', withdrawn: /consentement est retiré/ },
    { locale: 'es-ES', first: '¿dónde está mi pedido?', keep: 'Sí, guardarla', dont: 'No guardarla', kept: /guardaremos una copia/, notKept: /no guardaremos esta conversación/, then: /confirmar su identidad/, withdraw: 'quiero retirar mi consentimiento', withdrawn: /consentimiento está retirado/ },
  ];

  for (const r of table) {
    it(`${r.locale}: shows the notice first, then answers the held message after "keep"; withdrawal works mid-dialog in one turn`, async () => {
      const o = conv(r.locale);
      const first = await send(r.first, o);
      const lang = r.locale.slice(0, 2) as 'en' | 'de' | 'fr' | 'es';
      expect(first.texts).to.have.length(1);
      expect(first.texts[0]).to.include(notice.texts[lang]);
      const acts = (first.body as { activities: { suggestedActions?: { actions: { title: string }[] } }[] }).activities;
      expect(acts[0]!.suggestedActions!.actions.map((x) => x.title)).to.deep.equal([r.keep, r.dont]);
      expect(await transcriptOf(o)).to.have.length(0);

      const after = await say(r.keep, o);
      expect(after).to.match(r.kept);
      expect(after).to.match(r.then);
      expect((await transcriptOf(o)).length).to.be.greaterThan(0);

      // In the middle of the verification prompt: one turn, and nothing more is kept from then on.
      const kept = (await transcriptOf(o)).length;
      expect(await say(r.withdraw, o)).to.match(r.withdrawn);
      await say('hello', o);
      expect((await transcriptOf(o)).length).to.equal(kept);
    });

    it(`${r.locale}: "don't keep" records the choice, helps anyway and keeps no transcript`, async () => {
      const o = conv(r.locale);
      await send(r.first, o);
      const after = await say(r.dont, o);
      expect(after).to.match(r.notKept);
      expect(after).to.match(r.then);
      await say('help', o);
      expect(await transcriptOf(o)).to.have.length(0);
    });
  }

  it('helps without a choice (keeping nothing) when the customer ignores the notice, and shows it again on "privacy"', async () => {
    const o = conv('en-US');
    await send('hello', o);
    expect(await say('help', o)).to.match(/where is my order/);
    expect(await transcriptOf(o)).to.have.length(0);
    expect(await say('privacy', o)).to.include('Privacy notice (version 2026-11)');
  });

  it('does not ask the same channel user again in a new conversation for the same notice version', async () => {
    const o = conv('en-US');
    await send('hello', o);
    await say('Keep my conversation', o);
    const again = await say('help', { ...o, conversationId: `${o.conversationId}-b` });
    expect(again).to.match(/where is my order/);
  });

  it('greets and shows the notice when the channel reports the customer joining', async () => {
    const o = conv('en-US');
    const r = await turn(a.url, undefined, { ...o, type: 'conversationUpdate', extra: { membersAdded: [{ id: o.userId }] } });
    expect(r.texts[0]).to.match(/Trustline assistant/);
    expect(r.texts[1]).to.include('Privacy notice');
    expect(await say('Keep my conversation', o)).to.match(/we will keep a copy/);
  });

  it('records consent and withdrawal as PII-free audit events with version, text hash and time', async () => {
    const events = (a.app.identity.audit as MemoryAuditLog).events.filter((e) => e.type.startsWith('consent.'));
    expect(events.some((e) => e.type === 'consent.given' && e.outcome === 'keep')).to.equal(true);
    expect(events.some((e) => e.type === 'consent.withdrawn')).to.equal(true);
    for (const e of events) {
      expect(e.noticeVersion).to.equal(LATEST_NOTICE_VERSION);
      expect(Object.values(NOTICE_HASHES[LATEST_NOTICE_VERSION]!)).to.include(e.noticeHash);
      expect(e.at).to.match(/^2026-11-29T12:00:00\.000Z$/);
      expect(e.subject).to.match(/^u_[A-Za-z0-9_-]+$/);
      expect(e.purposes).to.equal('service_quality_transcripts');
    }
  });
});
