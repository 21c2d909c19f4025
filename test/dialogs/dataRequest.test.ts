import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { startApp, type RunningApp } from '../support/app.js';
import { CANARY_A, directoryCopy, receiptOf, say, verifyWith } from '../guards/dsr/support.js';
import { matchIntent } from '../../dialogs/intents.js';
import { parseAddress } from '../../dialogs/dataRequestDialog.js';
import { lastOutboxCode } from '../guards/identity/support.js';
import type { MemoryAuditLog } from '../../guards/audit/auditLog.js';
import { TestClock } from '../guards/identity/support.js';

describe('data-subject requests in the conversation (embedded stores)', function () {
  this.timeout(60000);
  let a: RunningApp;
  let dirFile: string;
  // Each test starts a day later: the per-account code limits (3 per 15 min, 10 per 24 h) are not what is tested here.
  const clock = new TestClock(Date.parse('2026-12-01T09:00:00Z'));
  before(async () => {
    dirFile = directoryCopy();
    a = await startApp({ CUSTOMER_DIRECTORY_FILE: dirFile }, { clock });
  });
  beforeEach(() => { clock.advance(25 * 3_600_000); });
  after(async () => { await a.stop(); });

  describe('recognition in four languages', () => {
    const rows: [string, string][] = [
      ['what do you know about me?', 'dataAccess'], ['Was wissen Sie über mich?', 'dataAccess'], ['Que savez-vous de moi ?', 'dataAccess'], ['¿Qué saben de mí?', 'dataAccess'],
      ['send me my data', 'dataExport'], ['Schicken Sie mir meine Daten', 'dataExport'], ['Envoyez-moi mes données', 'dataExport'], ['Envíame mis datos', 'dataExport'],
      ['please correct my email address', 'dataCorrect'], ['Telefonnummer ändern', 'dataCorrect'], ['modifier mon numéro de téléphone', 'dataCorrect'], ['cambiar mi correo electrónico', 'dataCorrect'],
      ['delete everything about me', 'dataErase'], ['Löschen Sie alle meine Daten', 'none'], ['Löschen Sie meine Daten', 'dataErase'], ['Oubliez-moi', 'dataErase'], ['Borra mis datos', 'dataErase'],
      ['do not sell or share my information', 'optOut'], ['Meine Daten nicht verkaufen', 'optOut'], ['Ne vendez pas mes données', 'optOut'], ['No vendan mis datos', 'optOut'],
      ['change my delivery address', 'addressChange'], ['forget it', 'cancel'], ['where is my order', 'orderStatus'],
    ];
    for (const [text, intent] of rows) it(`"${text}" -> ${intent}`, () => { expect(matchIntent(text, 'en')).to.equal(intent); });
  });

  it('parses a postal address and refuses junk', () => {
    expect(parseAddress('5 New Street, AB1 2CD London', 'GB')).to.deep.equal({ line1: '5 New Street', postcode: 'AB1 2CD', city: 'London', country: 'GB' });
    expect(parseAddress('hello', 'GB')).to.equal(undefined);
  });

  it('opt-out needs no verification, applies at once and gives a receipt', async () => {
    const o = { conversationId: 'dsr-optout', userId: 'dsr-optout-user' };
    const reply = await say(a, o)('Do not sell or share my personal information');
    expect(reply).to.match(/will not sell or share/);
    const ref = receiptOf(reply);
    const rec = await a.app.dsr.ledger.get(ref);
    expect(rec).to.include({ type: 'opt_out', status: 'completed', outcome: 'opted_out' });
    expect(await a.app.dsr.isOptedOut(a.app.pseudonyms.userOwner('test', o.userId))).to.equal(true);
    expect(await a.app.dsr.isOptedOut(a.app.pseudonyms.userOwner('test', 'someone-else'))).to.equal(false);
  });

  it('access: verification first, then categories and counts without values', async () => {
    const o = { conversationId: 'dsr-access', userId: 'dsr-access-user' };
    const talk = say(a, o);
    expect(await talk('what do you know about me?')).to.match(/confirm who you are/);
    const reply = await verifyWith(a, talk, CANARY_A.email);
    expect(reply).to.match(/Here is what we hold about you/);
    expect(reply).to.match(/Orders: 1/);
    expect(reply).to.match(/Nobody at our company has viewed/);
    expect(reply).to.match(/Microsoft Teams and Azure Bot Service \(Direct Line\)/);
    for (const v of [CANARY_A.email, CANARY_A.phone, CANARY_A.name, CANARY_A.address.line1]) expect(reply).to.not.include(v);
    const ref = receiptOf(reply);
    const rec = await a.app.dsr.ledger.get(ref);
    expect(rec).to.include({ type: 'access', status: 'completed', regime: 'GDPR' });
    expect(rec?.acknowledged).to.be.a('string');
    const events = (a.app.identity.audit as MemoryAuditLog).events.filter((e) => e.object === ref).map((e) => e.type);
    expect(events).to.deep.equal(['dsr.received', 'dsr.access_given']);
  });

  it('export: a link that works once, in four languages of the reply', async () => {
    const o = { conversationId: 'dsr-export', userId: 'dsr-export-user' };
    const talk = say(a, o);
    await talk('send me my data');
    const reply = await verifyWith(a, talk, CANARY_A.email);
    const url = /http:\/\/\S+\/dsr\/export\/[A-Za-z0-9_-]{43}/.exec(reply)?.[0];
    expect(url, reply).to.be.a('string');
    const first = await fetch(url!);
    expect(first.status).to.equal(200);
    expect(first.headers.get('content-disposition')).to.match(/attachment/);
    expect(first.headers.get('cache-control')).to.equal('no-store');
    const doc = await first.json() as { profile: { email: string }; receipt: string };
    expect(doc.profile.email).to.equal(CANARY_A.email);
    expect(doc.receipt).to.equal(receiptOf(reply));
    const second = await fetch(url!);
    expect(second.status).to.equal(404);
    expect(await second.text()).to.equal('{"error":"not_found"}');
    expect((await fetch(`${a.url}/dsr/export/${'A'.repeat(43)}`)).status).to.equal(404);
  });

  it('correction of the email: a code to the NEW address, then the directory and this conversation change', async () => {
    const o = { conversationId: 'dsr-correct', userId: 'dsr-correct-user' };
    const talk = say(a, o);
    await talk('please correct my email address');
    expect(await verifyWith(a, talk, CANARY_A.phone)).to.match(/What would you like to correct/);
    await talk('Email address');
    const newEmail = 'quillon.new@example.net';
    expect(await talk(newEmail)).to.match(/sent a code/);
    const code = await lastOutboxCode(a);
    expect(code?.to).to.equal(newEmail);
    const done = await talk(code!.code);
    expect(done).to.match(/the new value replaces the old one/);
    expect(done).to.match(/customer_directory/);
    const ref = receiptOf(done);
    expect((await a.app.dsr.ledger.get(ref))?.recipients).to.deep.equal(['customer_directory']);
    const file = readFileSync(dirFile, 'utf8');
    expect(file).to.include(newEmail);
    expect(file).to.not.include(CANARY_A.email);
    expect((await a.app.identity.directory.findByCustomerNumber(CANARY_A.customerNumber))?.email).to.equal(newEmail);
  });

  it('a wrong possession code changes nothing', async () => {
    const o = { conversationId: 'dsr-correct-2', userId: 'dsr-correct-user-2' };
    const talk = say(a, o);
    await talk('update my phone number');
    await verifyWith(a, talk, CANARY_A.phone);
    await talk('Phone number');
    expect(await talk('+44 7700 900999')).to.match(/sent a code/);
    expect(await talk('000000')).to.match(/nothing was changed/);
    expect((await a.app.identity.directory.findByCustomerNumber(CANARY_A.customerNumber))?.phone).to.equal(CANARY_A.phone);
  });

  it('erasure: "cancel" before confirming leaves the request cancelled and nothing deleted', async () => {
    const o = { conversationId: 'dsr-erase-cancel', userId: 'dsr-erase-cancel-user' };
    const talk = say(a, o);
    await talk('delete everything about me');
    const explain = await verifyWith(a, talk, CANARY_A.phone);
    expect(explain).to.match(/Microsoft Teams and Azure Bot Service \(Direct Line\)/);
    const ref = receiptOf(explain);
    expect(await talk('cancel')).to.match(/stopped that/);
    expect(await a.app.dsr.ledger.get(ref)).to.include({ status: 'cancelled' });
    expect(await a.app.identity.directory.findByCustomerNumber(CANARY_A.customerNumber)).to.not.equal(undefined);
    expect(await a.app.identity.index.lookup(CANARY_A.customerNumber)).to.not.equal(undefined);
  });

  it('erasure by email is refused for a stronger method (policy), and "no" at the confirmation deletes nothing', async () => {
    const o = { conversationId: 'dsr-erase-no', userId: 'dsr-erase-no-user' };
    const talk = say(a, o);
    await talk('delete everything about me');
    // The policy does not accept email for erasure: an email identifier sends the code by SMS to the number on file.
    const email = (await a.app.identity.directory.findByCustomerNumber(CANARY_A.customerNumber))!.email;
    expect(await talk(email)).to.match(/If that matches an account/);
    expect((await lastOutboxCode(a))?.channel).to.equal('sms');
    const explain = await talk((await lastOutboxCode(a))!.code);
    const ref = receiptOf(explain);
    expect(await talk('no thanks')).to.match(/Nothing was deleted/);
    expect(await a.app.dsr.ledger.get(ref)).to.include({ status: 'cancelled' });
  });

  it('"delete me" three times is one request and one job; the receipt is in the reply', async () => {
    const o = { conversationId: 'dsr-erase', userId: 'dsr-erase-user' };
    const talk = say(a, o);
    await talk('delete me');
    const first = await verifyWith(a, talk, CANARY_A.phone);
    const ref = receiptOf(first);
    expect(receiptOf(await talk('delete me'))).to.equal(ref);
    expect(receiptOf(await talk('delete me'))).to.equal(ref);
    const done = await talk('yes');
    expect(done).to.match(/Your data has been deleted/);
    expect(receiptOf(done)).to.equal(ref);
    const erases = (await a.app.dsr.ledger.list()).filter((r) => r.type === 'erase' && r.status === 'completed');
    expect(erases.map((r) => r.id)).to.deep.equal([ref]);
    const events = (a.app.identity.audit as MemoryAuditLog).events.filter((e) => e.object === ref && e.type === 'dsr.erase_completed');
    expect(events).to.have.length(1);
    expect(await a.app.identity.directory.findByCustomerNumber(CANARY_A.customerNumber)).to.equal(undefined);
    expect(await a.app.identity.index.lookup(CANARY_A.customerNumber)).to.equal(undefined);
    expect(readFileSync(dirFile, 'utf8')).to.not.include(CANARY_A.customerNumber);
    // The conversation no longer knows the customer: an account question asks for verification again.
    expect(await talk('where is my order?')).to.match(/confirm who you are/);
  });
});
