import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { createDefaultRedactor } from '../../../guards/pii/index.js';
import { redactActivity, transcriptSnapshot } from '../../../guards/transcripts/redactActivity.js';

const redactor = createDefaultRedactor();
const meta = { id: 'e1', seq: 1, direction: 'in' as const, now: new Date('2026-11-29T10:00:00Z') };
const EMAIL = 'jane.canary@example.org';
const CARD = '4111 1111 1111 1111';

describe('redactActivity (transcript entries)', () => {
  it('redacts text and speak and records findings without values', () => {
    const { entry } = redactActivity({ type: 'message', text: `mail me at ${EMAIL}`, speak: `card ${CARD}` }, meta, { redactor });
    expect(entry.text).to.equal('mail me at [EMAIL_1]');
    expect(entry.speak).to.not.include('4111');
    expect(JSON.stringify(entry.findings)).to.not.include(EMAIL);
    expect(entry.findings.map((f) => f.type)).to.include.members(['EMAIL', 'CREDIT_CARD']);
  });

  it('leaves the live activity untouched and shares nothing with the entry', () => {
    const live = { type: 'message', text: `x ${EMAIL}`, value: { nested: { email: EMAIL } } } as Partial<Activity>;
    redactActivity(live, meta, { redactor });
    expect(live.text).to.equal(`x ${EMAIL}`);
    expect((live.value as { nested: { email: string } }).nested.email).to.equal(EMAIL);
    const { entry } = redactActivity(live, meta, { redactor });
    (live.value as { nested: { email: string } }).nested.email = 'changed later';
    expect(JSON.stringify(entry.value)).to.not.include('changed later');
  });

  it('keeps an entry for hostile channel JSON instead of throwing (and dropping it): objects that break String(), nulls in lists', () => {
    const evil = { toString: 1, valueOf: 1 };
    const { entry } = redactActivity({
      type: 'message', text: `hi ${EMAIL}`, timestamp: evil, attachments: [null, evil, { contentType: 'application/vnd.microsoft.card.hero', name: evil, content: { title: EMAIL, x: evil } }],
      suggestedActions: { actions: [null, { title: evil, value: 'Yes' }, { title: 42 }, evil], to: [] },
    } as unknown as Partial<Activity>, meta, { redactor });
    expect(entry.text).to.equal('hi [EMAIL_1]');
    expect(entry.timestamp).to.equal(meta.now.toISOString());
    expect(entry.attachments).to.have.length(3);
    expect(entry.suggestedActions).to.deep.equal(['', 'Yes', '42', '']);
    expect(JSON.stringify(entry)).to.not.include(EMAIL);
  });

  it('snapshots what a transcript uses of an incoming activity: later changes to the live one do not reach it', () => {
    const live = {
      type: 'message', id: 'a1', channelId: 'msteams', locale: 'de-DE', text: `x ${EMAIL}`, timestamp: '2026-11-29T10:00:00Z',
      conversation: { id: 'conv-1', tenantId: 't' }, value: { nested: { email: EMAIL } }, attachments: [{ contentType: 'application/vnd.microsoft.card.hero', content: { title: EMAIL } }],
      channelData: { tenant: { id: 't' }, token: 'secret-token' }, entities: [{ type: 'clientInfo' }], serviceUrl: 'https://smba.example/',
    } as unknown as Partial<Activity>;
    const snap = transcriptSnapshot(live);
    live.text = '123456';
    (live.value as { nested: { email: string } }).nested.email = 'changed';
    (live.attachments![0]!.content as { title: string }).title = 'changed';
    live.conversation!.id = 'other';
    expect(snap.text).to.equal(`x ${EMAIL}`);
    expect((snap.value as { nested: { email: string } }).nested.email).to.equal(EMAIL);
    expect((snap.attachments![0]!.content as { title: string }).title).to.equal(EMAIL);
    expect(snap.conversation).to.deep.equal({ id: 'conv-1' });
    expect(snap).to.include({ type: 'message', id: 'a1', channelId: 'msteams', locale: 'de-DE', timestamp: '2026-11-29T10:00:00Z' });
    expect(snap).to.not.have.any.keys('channelData', 'entities', 'serviceUrl', 'from', 'recipient');
    // A value that cannot be cloned is left out, never kept by reference.
    const odd = transcriptSnapshot({ type: 'message', value: { f: () => 1 } } as unknown as Partial<Activity>);
    expect(odd).to.not.have.property('value');
  });

  it('keeps only allow-listed fields: no ids, names, channelData, entities or serviceUrl', () => {
    const { entry } = redactActivity({
      type: 'message', text: 'hi', id: 'raw-activity-id', serviceUrl: 'https://smba.example/secret',
      from: { id: '+4915550199887', name: 'Jane Canary' }, recipient: { id: 'bot', name: 'bot' }, conversation: { id: 'conv-raw-id' } as Activity['conversation'],
      channelData: { token: 'eyJhbGciOi.secret.token', tenant: { id: 't' } }, entities: [{ type: 'mention', text: 'Jane Canary' }],
    } as Partial<Activity>, meta, { redactor });
    const s = JSON.stringify(entry);
    for (const leak of ['raw-activity-id', 'smba', '+4915550199887', 'Jane', 'conv-raw-id', 'eyJhbGciOi', 'mention']) expect(s).to.not.include(leak);
    expect(entry.role).to.equal('user');
  });

  it('redacts every string of an Adaptive Card and drops its URLs', () => {
    const card = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: `Your email: ${EMAIL}` }, { type: 'Image', url: `https://img.example/${EMAIL}` }], actions: [{ type: 'Action.OpenUrl', title: `Write to ${EMAIL}`, url: 'https://x' }] };
    const { entry } = redactActivity({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }, { ...meta, direction: 'out' }, { redactor });
    const s = JSON.stringify(entry.attachments);
    expect(s).to.not.include(EMAIL);
    expect(s).to.not.include('img.example');
    expect(s).to.include('[EMAIL_1]');
  });

  it('stores no uploaded file: only its redacted name and type', () => {
    const { entry } = redactActivity({ type: 'message', attachments: [{ contentType: 'application/pdf', name: `passport-${EMAIL}.pdf`, contentUrl: 'https://files.example/abc?sig=secret', content: 'JVBERi0xLjQK' }] }, meta, { redactor });
    expect(entry.attachments).to.have.length(1);
    const a = entry.attachments![0]!;
    expect(a).to.deep.include({ contentType: 'application/pdf', upload: true });
    expect(a.content).to.equal(undefined);
    expect(a.name).to.not.include(EMAIL);
    expect(JSON.stringify(entry)).to.not.include('sig=secret');
  });

  it('redacts values, suggested actions and keeps role and order', () => {
    const { entry } = redactActivity({ type: 'message', value: { iban: 'DE89 3704 0044 0532 0130 00', ok: true, n: 3 }, suggestedActions: { to: [], actions: [{ type: 'imBack', title: `Use ${EMAIL}`, value: EMAIL }] } }, { ...meta, direction: 'out' }, { redactor });
    expect(JSON.stringify(entry.value)).to.not.include('3704');
    expect(entry.value).to.deep.include({ ok: true, n: 3 });
    expect(entry.suggestedActions).to.deep.equal(['Use [EMAIL_1]']);
    expect(entry.role).to.equal('bot');
  });

  it('uses a fixed replacement for the incoming text when a step asks for it (a typed code)', () => {
    const { entry } = redactActivity({ type: 'message', text: '493817', value: { code: '493817' } }, meta, { redactor, replaceText: '[OTP_CODE]' });
    expect(entry.text).to.equal('[OTP_CODE]');
    expect(JSON.stringify(entry)).to.not.include('493817');
  });

  it('redacts the verified customer\'s own profile values in any format', () => {
    const { entry } = redactActivity({ type: 'message', text: 'this is avery example, call 555 555 0101' }, meta, { redactor, profile: { names: ['Avery Example'], phones: ['+15555550101'] } });
    expect(entry.text).to.not.match(/avery|example|555/i);
  });

  it('throws when the redactor throws, so the caller can drop the entry', () => {
    const broken = { redact: () => { throw new Error('boom'); } } as unknown as typeof redactor;
    expect(() => redactActivity({ type: 'message', text: 'hi' }, meta, { redactor: broken })).to.throw();
  });
});

describe('clean-text cache for the bot\'s own replies', () => {
  it('skips redaction of a reply already found clean, but never when a profile applies', async () => {
    const { CleanTextCache } = await import('../../../guards/transcripts/redactActivity.js');
    const cache = new CleanTextCache();
    let calls = 0;
    const counting = Object.create(redactor) as typeof redactor;
    counting.redact = (t, o) => { calls++; return redactor.redact(t, o); };
    const out = { ...meta, direction: 'out' as const };
    redactActivity({ type: 'message', text: 'How can I help?' }, out, { redactor: counting, cleanCache: cache });
    redactActivity({ type: 'message', text: 'How can I help?' }, out, { redactor: counting, cleanCache: cache });
    expect(calls).to.equal(1);
    redactActivity({ type: 'message', text: 'How can I help?' }, out, { redactor: counting, cleanCache: cache, profile: { names: ['Help'] } });
    expect(calls).to.equal(2);
    const withPii = redactActivity({ type: 'message', text: `sent to ${EMAIL}` }, out, { redactor: counting, cleanCache: cache });
    const again = redactActivity({ type: 'message', text: `sent to ${EMAIL}` }, out, { redactor: counting, cleanCache: cache });
    expect(withPii.entry.text).to.equal('sent to [EMAIL_1]');
    expect(again.entry.text).to.equal('sent to [EMAIL_1]');
    expect(calls).to.equal(4);
  });
});
