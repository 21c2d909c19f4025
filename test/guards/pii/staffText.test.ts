import { expect } from 'chai';
import { createDefaultRedactor } from '../../../guards/pii/index.js';
import { redactCapitalisedRuns, redactStaffText } from '../../../guards/pii/staffText.js';

const redactor = createDefaultRedactor();

describe('staff free text (reveal reasons, incident titles and decisions)', () => {
  it('takes out names the chat redactor deliberately leaves (no cue, not in any gazetteer)', () => {
    expect(redactor.redact('called back Ysolde Fairweather-Okon re refund').text).to.include('Ysolde');
    expect(redactStaffText(redactor, 'called back Ysolde Fairweather-Okon re refund')).to.equal('called back [PERSON] re refund');
    expect(redactStaffText(redactor, 'notes about Zebedee and the parcel')).to.equal('notes about [PERSON] and the parcel');
    expect(redactStaffText(redactor, 'Customer Ysolde Xanthewright asked to confirm her address')).to.equal('[PERSON] asked to confirm her address');
    expect(redactStaffText(redactor, 'Asked by Anne-Marie van der Berg about the refund')).to.equal('Asked by [PERSON] about the refund');
  });

  it('keeps a single capitalised word opening a sentence, months, weekdays, acronyms and tags', () => {
    expect(redactCapitalisedRuns('Refund query. Customer asked on Monday 3 March about the IBAN: see [EMAIL_1].')).to.equal('Refund query. Customer asked on Monday 3 March about the IBAN: see [EMAIL_1].');
    expect(redactCapitalisedRuns('Lost parcel reported by phone')).to.equal('Lost parcel reported by phone');
  });

  it('still applies the general recognizers (e-mail, card, phone) and is idempotent', () => {
    const once = redactStaffText(redactor, 'Ysolde Okon wrote from ysolde.okon@example.org, card 4111 1111 1111 1111, phone +44 7700 900123');
    expect(once).to.not.match(/Ysolde|Okon|example\.org|4111|7700/);
    expect(redactStaffText(redactor, once)).to.equal(once);
  });

  it('works in German, French and Spanish notes', () => {
    expect(redactStaffText(redactor, 'Rückruf bei Frau Ysolde Okon wegen Erstattung', { locale: 'de-DE' })).to.not.match(/Ysolde|Okon/);
    expect(redactStaffText(redactor, 'rappel de Ysolde Okon pour le remboursement', { locale: 'fr-FR' })).to.not.match(/Ysolde|Okon/);
    expect(redactStaffText(redactor, 'llamada de Ysolde Okon sobre el reembolso', { locale: 'es-ES' })).to.not.match(/Ysolde|Okon/);
  });
});
