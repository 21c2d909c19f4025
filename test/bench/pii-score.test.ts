import { expect } from 'chai';
import { f2, parseCorpus, scoreCorpus, scoreMessage, survivingMask, timingStats, type LabelledMessage } from '../../bench/pii-score.js';

const kept = (input: string, output: string): string =>
  [...survivingMask(input, output)].map((k, i) => (k ? input[i] : '_')).join('');

describe('pii-score', () => {
  it('keeps every character of an unchanged message', () => {
    expect(kept('call me', 'call me')).to.equal('call me');
  });

  it('marks a replaced value as removed even when the tag shares characters with it', () => {
    expect(kept('ref MBR2562188 ok', 'ref [ACCOUNT_NUMBER_1] ok')).to.equal('ref __________ ok');
    expect(kept('call 415 555 0123 now', 'call [PHONE_1] now')).to.equal('call ____________ now');
  });

  it('sees the digits a mask leaves next to unchanged text', () => {
    expect(kept('card 4526018159083012 ok', 'card ************3012 ok')).to.equal('card ____________3012 ok');
  });

  it('sees a surname left behind by a partial redaction', () => {
    expect(kept('Jack Henderson, passed', '[NAME] Henderson, passed')).to.equal('____ Henderson, passed');
  });

  it('counts an entity as caught only when none of its letters or digits survive', () => {
    const msg: LabelledMessage = { id: '1', locale: 'en-US', text: 'Hi Jack Henderson, card 4526018159083012', entities: [
      { type: 'PERSON', start: 3, end: 17 },
      { type: 'CREDIT_CARD', start: 24, end: 40 },
    ] };
    const s = scoreMessage(msg, 'Hi [NAME] Henderson, card [CARD]');
    expect(s.caught).to.deep.equal([false, true]);
    expect(s.removedInside).to.equal(4 + 16);
    expect(s.removedOutside).to.equal(0);
  });

  it('computes recall, char precision, F2 and PII-free changes over a corpus', () => {
    const msgs: LabelledMessage[] = [
      { id: 'a', locale: 'en-US', text: 'mail jo@x.de now', entities: [{ type: 'EMAIL', start: 5, end: 12 }] },
      { id: 'b', locale: 'de-DE', text: 'Bestellung 12345', entities: [] },
      { id: 'c', locale: 'de-DE', text: 'Tel 0160 123', entities: [{ type: 'PHONE', start: 4, end: 12 }] },
    ];
    const s = scoreCorpus(msgs, ['mail [E] now', 'Bestellung [X]', 'Tel 0160 123']);
    expect(s.overall.entities).to.equal(3 - 1);
    expect(s.overall.caught).to.equal(1);
    expect(s.overall.recall).to.equal(0.5);
    // removed: 5 alnum of the e-mail (jo x de = 5) inside, 5 digits of the order number outside
    expect(s.overall.precision).to.equal(5 / 10);
    expect(s.overall.f2).to.be.closeTo(f2(0.5, 0.5), 1e-12);
    expect(s.piiFreeMessages).to.equal(1);
    expect(s.piiFreeChanged).to.equal(1);
    expect(s.byLocale['de-DE']!.recall).to.equal(0);
    expect(s.byType.EMAIL!.recall).to.equal(1);
    expect(s.missed).to.deep.equal([{ id: 'c', type: 'PHONE' }]);
  });

  it('weights recall in F2', () => {
    expect(f2(1, 1)).to.equal(1);
    expect(f2(0.5, 1)).to.be.greaterThan(f2(1, 0.5));
    expect(f2(0, 0)).to.equal(0);
  });

  it('summarises timings', () => {
    const t = timingStats([100, 200, 300, 400]);
    expect(t.meanUs).to.equal(250);
    expect(t.messagesPerSecond).to.equal(4000);
    expect(t.p50Us).to.equal(300);
    expect(t.p99Us).to.equal(400);
  });

  it('parses JSON Lines and names the bad line without echoing it', () => {
    expect(parseCorpus('{"id":"1","locale":"fr-FR","text":"x","entities":[]}\n\n')).to.have.length(1);
    expect(() => parseCorpus('{"id":"1"}\nsecret')).to.throw('line 1');
    expect(() => parseCorpus('{"id":"1","text":"a","entities":[]}\nsecret 4111')).to.throw(/^corpus line 2 is not JSON$/);
  });
});
