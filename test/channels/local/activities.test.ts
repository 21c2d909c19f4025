import { expect } from 'chai';
import {
  LIMITS,
  PageActivityError,
  buildBotActivityForPage,
  buildUserActivity,
  isBotActivityBody,
  parsePageActivity,
  type PageActivityFault,
  type SessionParties,
} from '../../../channels/local/activities.js';

const parties: SessionParties = {
  user: { id: 'dl_user', role: 'user' },
  bot: { id: 'bot', name: 'Trustline', role: 'bot' },
  conversationId: 'conv',
  serviceUrl: 'http://127.0.0.1:1/local/connector',
  locale: 'en-GB',
};

function fault(body: unknown): PageActivityFault | undefined {
  try {
    parsePageActivity(body);
    return undefined;
  } catch (e) {
    if (e instanceof PageActivityError) return e.fault;
    throw e;
  }
}

describe('local channel activities', () => {
  describe('parsePageActivity', () => {
    const refused: [string, unknown, PageActivityFault][] = [
      ['an array', [], 'not_object'],
      ['null', null, 'not_object'],
      ['a missing type', { text: 'x' }, 'type'],
      ['type invoke', { type: 'invoke' }, 'type'],
      ['type "Message" (case matters)', { type: 'Message', text: 'x' }, 'type'],
      ['text as an object', { type: 'message', text: { a: 1 } }, 'text'],
      ['text one over the cap', { type: 'message', text: 'x'.repeat(LIMITS.textChars + 1) }, 'text_too_long'],
      ['whitespace only', { type: 'message', text: ' \n ' }, 'empty'],
      ['a non-finite number in value', { type: 'message', text: 'x', value: { n: Number.POSITIVE_INFINITY } }, 'value'],
      ['a __proto__ key', JSON.parse('{"type":"message","text":"x","value":{"__proto__":1}}'), 'value'],
      ['an event name with a space', { type: 'event', name: 'a b' }, 'name'],
      ['an event name too long', { type: 'event', name: 'a'.repeat(LIMITS.nameChars + 1) }, 'name'],
      ['a value over the size cap', { type: 'message', text: 'x', value: 'y'.repeat(LIMITS.valueBytes) }, 'value'],
    ];
    for (const [name, body, expected] of refused) {
      it(`refuses ${name} (${expected})`, () => {
        expect(fault(body)).to.equal(expected);
      });
    }

    it('accepts text exactly at the cap', () => {
      expect(parsePageActivity({ type: 'message', text: 'x'.repeat(LIMITS.textChars) }).text).to.have.length(LIMITS.textChars);
    });

    it('keeps only type, text, value, event name, a valid locale and a well-formed clientActivityID', () => {
      const parsed = parsePageActivity({
        type: 'message',
        text: 'hi',
        value: { a: [1, 'b', null, true] },
        name: 'ignored-for-messages',
        locale: 'fr-CA',
        channelData: { clientActivityID: 'abc_12.3-x', other: 1 },
        from: { id: 'x' },
        attachments: [{}],
      });
      expect(parsed).to.deep.equal({ type: 'message', text: 'hi', value: { a: [1, 'b', null, true] }, locale: 'fr-CA', clientActivityId: 'abc_12.3-x' });
    });

    it('drops a malformed locale and a malformed clientActivityID instead of passing them on', () => {
      const parsed = parsePageActivity({ type: 'message', text: 'hi', locale: 'en_US<x>', channelData: { clientActivityID: 'a b<' } });
      expect(parsed).to.deep.equal({ type: 'message', text: 'hi' });
    });

    it('drops text and value of a page-sent conversationUpdate', () => {
      expect(parsePageActivity({ type: 'conversationUpdate', text: 'x', value: 1, membersAdded: [{ id: 'a' }] })).to.deep.equal({
        type: 'conversationUpdate',
      });
    });
  });

  describe('buildUserActivity', () => {
    it('takes parties, conversation and serviceUrl from the session and a deep copy of value', () => {
      const value = { nested: { n: 1 } };
      const page = parsePageActivity({ type: 'message', text: 'hi', value });
      const a = buildUserActivity(page, parties, 'id1', '2024-01-01T00:00:00.000Z') as Record<string, unknown>;
      expect(a).to.deep.include({
        type: 'message',
        id: 'id1',
        channelId: 'webchat',
        serviceUrl: parties.serviceUrl,
        from: parties.user,
        recipient: parties.bot,
        conversation: { id: 'conv' },
        locale: 'en-GB',
        text: 'hi',
      });
      (page.value as { nested: { n: number } }).nested.n = 2;
      expect(a['value']).to.deep.equal({ nested: { n: 1 } });
    });
  });

  describe('bot activities', () => {
    it('forces role bot, the server id and the session conversation onto what the page sees', () => {
      const shown = buildBotActivityForPage(
        { type: 'message', text: 'x', from: { id: 'b', role: 'user' }, conversation: { id: 'other' }, id: 'bot-chosen', serviceUrl: 'u' },
        parties,
        'srv',
        't',
      );
      expect(shown).to.deep.include({ id: 'srv', conversation: { id: 'conv' }, from: { id: 'b', name: 'Trustline', role: 'bot' } });
      expect(shown).to.not.have.property('serviceUrl');
    });

    it('accepts only JSON objects with a short string type and no prototype keys', () => {
      expect(isBotActivityBody({ type: 'message' })).to.equal(true);
      expect(isBotActivityBody({ type: '' })).to.equal(false);
      expect(isBotActivityBody({ type: 'x'.repeat(65) })).to.equal(false);
      expect(isBotActivityBody([{ type: 'message' }])).to.equal(false);
      expect(isBotActivityBody(JSON.parse('{"type":"message","a":{"__proto__":{}}}'))).to.equal(false);
    });
  });
});
