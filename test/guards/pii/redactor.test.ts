import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync, existsSync } from 'node:fs';
import { GuardError } from '../../../guards/errors.js';
import {
  createDefaultRedactor,
  createTagState,
  Redactor,
  resolveOverlaps,
  type Finding,
  type Recognizer,
} from '../../../guards/pii/index.js';

const corpusPath = new URL('../../../../shared/pii-dev/dev.jsonl', import.meta.url);
const corpusTexts: string[] = existsSync(corpusPath)
  ? readFileSync(corpusPath, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text)
  : [];

function fake(name: string, out: Array<Omit<Finding, 'recognizer'>>): Recognizer {
  return { name, entity: 'PERSON', analyze: () => out.map((f) => ({ ...f, recognizer: name })) };
}

describe('Redactor', () => {
  const redactor = createDefaultRedactor();
  before(() => redactor.warmUp());

  it('replaces every finding right to left with numbered tags', () => {
    const r = redactor.redact('Ich bin Jana Krüger, geboren am 3. Mai 1988, IBAN DE89 3704 0044 0532 0130 00', { locale: 'de-DE' });
    expect(r.text).to.equal('Ich bin [PERSON_1], geboren am [DATE_OF_BIRTH_1], IBAN [IBAN_1]');
    expect(r.findings.map((f) => f.type)).to.deep.equal(['PERSON', 'DATE_OF_BIRTH', 'IBAN']);
    expect(r.findings.every((f) => f.operator === 'replace')).to.equal(true);
  });

  it('keeps the same tag for the same value within a message and across turns with a tag state', () => {
    const state = createTagState();
    const a = redactor.redact('mail a.b@x.com or A.B@x.com, not c@x.com', { tagState: state });
    expect(a.text).to.equal('mail [EMAIL_1] or [EMAIL_1], not [EMAIL_2]');
    const b = redactor.redact('again: c@x.com', { tagState: JSON.parse(JSON.stringify(state)) });
    expect(b.text).to.equal('again: [EMAIL_2]');
  });

  it('stores no plaintext in the tag state', () => {
    const state = createTagState();
    redactor.redact('card 4526 0181 5908 3012, mail jana.krueger@example.de', { tagState: state });
    const json = JSON.stringify(state);
    expect(json).to.not.include('4526');
    expect(json).to.not.include('3012');
    expect(json).to.not.include('jana');
    expect(Object.keys(state.seen)).to.have.length(2);
  });

  it('returns findings without the values', () => {
    const r = redactor.redact('email jana.krueger@example.de');
    expect(Object.keys(r.findings[0]!).sort()).to.deep.equal(['end', 'operator', 'recognizer', 'score', 'start', 'type']);
    expect(JSON.stringify(r.findings)).to.not.include('jana');
  });

  it('resolves overlaps by score, then length, then start', () => {
    const f = (start: number, end: number, score: number): Finding => ({ type: 'PERSON', start, end, score, recognizer: 't' });
    expect(resolveOverlaps([f(0, 10, 0.5), f(2, 4, 0.9)])).to.deep.equal([f(2, 4, 0.9)]);
    expect(resolveOverlaps([f(0, 4, 0.7), f(0, 10, 0.7)])).to.deep.equal([f(0, 10, 0.7)]);
    expect(resolveOverlaps([f(3, 8, 0.7), f(0, 5, 0.7)])).to.deep.equal([f(0, 5, 0.7)]);
    expect(resolveOverlaps([f(6, 8, 0.7), f(0, 5, 0.7)])).to.deep.equal([f(0, 5, 0.7), f(6, 8, 0.7)]);
  });

  it('applies the overlap rule across recognizers', () => {
    const r = new Redactor({
      recognizers: [fake('a', [{ type: 'PERSON', start: 0, end: 9, score: 0.5 }]), fake('b', [{ type: 'EMAIL', start: 4, end: 9, score: 0.9 }])],
    });
    expect(r.redact('abcdefghij').text).to.equal('abcd[EMAIL_1]j');
  });

  it('applies per-entity operators from the constructor and per call', () => {
    const r = createDefaultRedactor({ operators: { EMAIL: 'mask', CREDIT_CARD: 'token' } });
    const out = r.redact('mail jo@x.de card 4526 0181 5908 3012');
    expect(out.text).to.equal('mail **@*.** card [CREDIT_CARD_1]');
    expect(out.tokens).to.deep.equal([]);
    expect(out.findings.map((f) => f.operator)).to.deep.equal(['mask', 'replace']);
    const t = r.redact('mail jo@x.de', { operators: { EMAIL: 'token' } });
    expect(t.tokens).to.have.length(1);
    expect(t.tokens[0]!.value).to.equal('jo@x.de');
    expect(t.text).to.equal(`mail ${t.tokens[0]!.token}`);
  });

  it('fails loud on misconfiguration instead of passing text through', () => {
    expect(() => new Redactor({ operators: { EMAIL: 'blur' as never } })).to.throw(GuardError);
    expect(() => new Redactor({ operators: { EMAIL: 'hash' } })).to.throw(GuardError);
    expect(() => new Redactor({ recognizers: [] })).to.throw(GuardError);
    expect(() => new Redactor({ hashKey: new Uint8Array(4) })).to.throw(GuardError);
    expect(() => redactor.redact(42 as unknown as string)).to.throw(GuardError);
    expect(() => redactor.redact('x', { operators: { PHONE: 'nope' as never } })).to.throw(GuardError);
    expect(() => redactor.redact('x', { tagState: { v: 2 } as never })).to.throw(GuardError);
  });

  it('lets a failing recognizer throw rather than return the input', () => {
    const broken: Recognizer = { name: 'broken', entity: 'PERSON', analyze: () => { throw new Error('boom'); } };
    expect(() => new Redactor({ recognizers: [broken] }).redact('Jana')).to.throw('boom');
  });

  it('hashes with the configured key', () => {
    const r = createDefaultRedactor({ operators: { EMAIL: 'hash' }, hashKey: new Uint8Array(32).fill(3) });
    expect(r.redact('jo@x.de').text).to.match(/^\[EMAIL#[0-9a-f]{16}\]$/);
  });

  it("redacts the verified customer's own values in any format", () => {
    const profile = {
      names: ['Zebedee Quist'],
      emails: ['zq@example.org'],
      phones: ['+44 115 496 0123'],
      addresses: ['7 Larch Street'],
      birthDates: ['1984-02-29'],
    };
    const text = 'QUIST, zebedee at 7 larch st, mail ZQ@example.org, tel 0115-496-0123, born 29/02/84 or 29 February 1984; Zebedee';
    const r = redactor.redact(text, { profile });
    expect(r.text).to.equal('[PERSON_1] at [ADDRESS_1], mail [EMAIL_1], tel [PHONE_1], born [DATE_OF_BIRTH_1] or [DATE_OF_BIRTH_2]; [PERSON_2]');
  });

  it('replaces one-time codes the caller names with a fixed tag', () => {
    expect(redactor.redact('my code is 482 913', { otpCodes: ['482913'] }).text).to.equal('my code is [OTP_CODE]');
  });

  it('leaves our own tags alone: redacting twice changes nothing', () => {
    const once = redactor.redact('Name: Andre Shah / Tel: 9207104351 / zip 92133 / [PHONE_12]').text;
    expect(redactor.redact(once).text).to.equal(once);
  });

  it('is idempotent on the corpus and on random text', function () {
    this.timeout(60000);
    for (const t of corpusTexts) {
      const once = redactor.redact(t).text;
      expect(redactor.redact(once).text, t).to.equal(once);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const once = redactor.redact(s).text;
        return redactor.redact(once).text === once;
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and keeps the output bounded on any string', function () {
    this.timeout(60000);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.constantFrom('en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'xx'), (s, locale) => {
        const r = redactor.redact(s, { locale });
        return r.text.length <= s.length + 24 * r.findings.length;
      }),
      { numRuns: 500 },
    );
  });

  it('handles 100 kB inputs with surrogates, control characters and long digit runs quickly', function () {
    this.timeout(20000);
    const inputs = [
      '\u0000\u0007\ud800\udfff😀'.repeat(20000),
      '1'.repeat(100000),
      '1.'.repeat(50000),
      'a'.repeat(100000),
      'Aa '.repeat(33000),
      'x@'.repeat(50000),
      ', Jan'.repeat(20000),
      '-jan '.repeat(20000),
      'Mr '.repeat(33000),
      '[EMAIL_1] '.repeat(10000),
      ('Max Mustermann, geb. 01.01.1990, 4526 0181 5908 3012 ' + 'at dot '.repeat(3)).repeat(1500),
    ];
    for (const s of inputs) {
      const t0 = performance.now();
      const r = redactor.redact(s);
      expect(performance.now() - t0, `${s.slice(0, 12)}...`).to.be.below(2000);
      expect(r.text.length).to.be.at.most(s.length + 24 * r.findings.length);
    }
  });

  it('reports its warm-up time', () => {
    const w = createDefaultRedactor().warmUp();
    expect(w.ms).to.be.a('number').and.be.greaterThan(0);
  });

  it('changes no PII-free message of the corpus (hard negatives survive)', () => {
    if (!existsSync(corpusPath)) return;
    const lines = readFileSync(corpusPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; locale: string; entities: unknown[] });
    const changed = lines.filter((m) => m.entities.length === 0 && redactor.redact(m.text, { locale: m.locale }).text !== m.text);
    expect(changed.length / lines.filter((m) => m.entities.length === 0).length).to.be.at.most(0.05);
  });
});
