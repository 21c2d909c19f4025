import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { GuardError } from '../../../guards/errors.js';
import {
  dropOperator,
  hashOperator,
  maskOperator,
  operatorByName,
  replaceOperator,
  tokenOperator,
  validateOperatorMap,
  type OperatorContext,
} from '../../../guards/pii/operators.js';
import { createTagState } from '../../../guards/pii/tagState.js';

const key = new Uint8Array(32).fill(7);
const ctx = (): OperatorContext => ({ tagState: createTagState(), tagKey: key, hashKey: new Uint8Array(32).fill(9) });

describe('operators', () => {
  it('replace numbers tags per type and keeps the number for the same value', () => {
    const c = ctx();
    expect(replaceOperator.apply('a@b.co', 'EMAIL', c).text).to.equal('[EMAIL_1]');
    expect(replaceOperator.apply('c@d.co', 'EMAIL', c).text).to.equal('[EMAIL_2]');
    expect(replaceOperator.apply('A@B.CO', 'EMAIL', c).text).to.equal('[EMAIL_1]');
    expect(replaceOperator.apply('0115 501 6888', 'PHONE', c).text).to.equal('[PHONE_1]');
    expect(replaceOperator.apply('+44 115 501 6888', 'PHONE', c).text).to.equal('[PHONE_1]');
  });

  it('replace numbers values within one call when no tag state is kept', () => {
    const c: OperatorContext = { tagKey: key };
    expect(replaceOperator.apply('Jana', 'PERSON', c).text).to.equal('[PERSON_1]');
    expect(replaceOperator.apply('Till', 'PERSON', c).text).to.equal('[PERSON_2]');
    expect(replaceOperator.apply('jana', 'PERSON', c).text).to.equal('[PERSON_1]');
    expect(replaceOperator.apply('jana@x.de', 'EMAIL', c).text).to.equal('[EMAIL_1]');
  });

  it('replace gives OTP codes one fixed, unnumbered tag', () => {
    const c = ctx();
    expect(replaceOperator.apply('482913', 'OTP_CODE', c).text).to.equal('[OTP_CODE]');
    expect(replaceOperator.apply('111111', 'OTP_CODE', c).text).to.equal('[OTP_CODE]');
  });

  it('mask hides letters and digits but keeps separators, and the last four digits of a card', () => {
    expect(maskOperator.apply('jo@x.de', 'EMAIL', ctx()).text).to.equal('**@*.**');
    expect(maskOperator.apply('4526 0181 5908 3012', 'CREDIT_CARD', ctx()).text).to.equal('**** **** **** 3012');
    expect(maskOperator.apply('Ana', 'PERSON', ctx()).text).to.equal('***');
  });

  it('hash is an HMAC under the configured key, not a bare hash', () => {
    const a = hashOperator.apply('jo@x.de', 'EMAIL', ctx()).text;
    const b = hashOperator.apply('JO@X.DE', 'EMAIL', ctx()).text;
    const other = hashOperator.apply('jo@x.de', 'EMAIL', { ...ctx(), hashKey: new Uint8Array(32).fill(1) }).text;
    expect(a).to.match(/^\[EMAIL#[0-9a-f]{16}\]$/);
    expect(a).to.equal(b);
    expect(other).to.not.equal(a);
    const expected = createHmac('sha256', new Uint8Array(32).fill(9)).update('EMAIL').update('\0').update('jo@x.de').digest('hex').slice(0, 16);
    expect(a).to.equal(`[EMAIL#${expected}]`);
  });

  it('hash refuses to run without a key', () => {
    expect(() => hashOperator.apply('x', 'EMAIL', { tagState: createTagState(), tagKey: key })).to.throw(GuardError);
  });

  it('token returns a random token and the value for the caller to seal', () => {
    const out = tokenOperator.apply('DE14370400441234567890', 'IBAN', ctx());
    expect(out.text).to.match(/^\[TOKEN:[0-9a-f]{10}\]$/);
    expect(out.token).to.deep.equal({ token: out.text, type: 'IBAN', value: 'DE14370400441234567890' });
    expect(tokenOperator.apply('DE14370400441234567890', 'IBAN', ctx()).text).to.not.equal(out.text);
  });

  it('token refuses card numbers and falls back to a numbered tag', () => {
    const out = tokenOperator.apply('4526 0181 5908 3012', 'CREDIT_CARD', ctx());
    expect(out.text).to.equal('[CREDIT_CARD_1]');
    expect(out.token).to.equal(undefined);
  });

  it('drop removes the value', () => {
    expect(dropOperator.apply('secret', 'PERSON', ctx()).text).to.equal('');
  });

  it('looks operators up by name and throws on an unknown name', () => {
    expect(operatorByName('mask')).to.equal(maskOperator);
    expect(() => operatorByName('shred')).to.throw(GuardError).with.property('code', 'ERR_CONFIG_INVALID');
  });

  it('validates an operator map: unknown entity, unknown operator, hash without key', () => {
    expect(validateOperatorMap({ EMAIL: 'mask' }, undefined)).to.deep.equal({ EMAIL: 'mask' });
    expect(() => validateOperatorMap({ NAME: 'mask' }, undefined)).to.throw(GuardError);
    expect(() => validateOperatorMap({ EMAIL: 'blur' }, undefined)).to.throw(GuardError);
    expect(() => validateOperatorMap({ EMAIL: 'hash' }, undefined)).to.throw(GuardError).with.property('code', 'ERR_CONFIG_KEY_MISSING');
    expect(() => validateOperatorMap(['replace'], undefined)).to.throw(GuardError);
  });
});
