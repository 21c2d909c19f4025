import { expect } from 'chai';
import { ConversationState, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { MainDialog, type ConversationData } from '../../dialogs/mainDialog.js';
import { CustomerServiceBot } from '../../bots/customerServiceBot.js';
import type { Clock } from '../../dialogs/clock.js';

/** A bot on TestAdapter with an injected clock (2026-11-29 12:00 UTC unless moved). */
function makeBot(clock: Clock = { now: () => Date.parse('2026-11-29T12:00:00Z') }) {
  const state = new ConversationState(new MemoryStorage());
  const main = new MainDialog(state.createProperty<DialogState>('dialogState'), state.createProperty<ConversationData>('conversation'), clock);
  const bot = new CustomerServiceBot(state, main);
  return new TestAdapter(async (ctx) => bot.run(ctx));
}

async function say(adapter: TestAdapter, text: string, locale?: string): Promise<string[]> {
  const activity: Partial<Activity> = { type: 'message', text, ...(locale ? { locale } : {}) };
  const replies: string[] = [];
  await adapter.send(activity).then(() => undefined);
  let a = adapter.activeQueue.shift();
  while (a) {
    if (a.type === 'message') replies.push(String(a.text ?? '') + (a.suggestedActions ? ` [${a.suggestedActions.actions.map((x) => x.title).join('|')}]` : ''));
    a = adapter.activeQueue.shift();
  }
  return replies;
}

describe('MainDialog', () => {
  const intents: [string, string | undefined, RegExp][] = [
    ['hello', undefined, /Hello again/],
    ['Hallo', 'de-DE', /Wie kann ich helfen/],
    ['bonjour', 'fr-FR', /Comment puis-je/],
    ['hola', 'es-ES', /En qué puedo/],
    ['help', undefined, /where is my order/],
    ['Hilfe bitte', undefined, /Wo ist meine Bestellung/],
    ['aide', 'fr-FR', /où est ma commande/],
    ['ayuda', 'es-ES', /dónde está mi pedido/],
    ['where is my order?', undefined, /confirm who you are/],
    ['Wo ist meine Bestellung?', undefined, /bestätigen, wer Sie sind/],
    ['où est ma commande ?', undefined, /confirmer votre identité/],
    ['¿dónde está mi pedido?', undefined, /confirmar su identidad/],
    ['I need to change my delivery address', undefined, /confirm who you are/],
    ['my card was declined', undefined, /confirm who you are/],
    ['Meine Karte wurde abgelehnt', undefined, /bestätigen/],
    ['I want to talk to a human', undefined, /talk to a person/],
    ['Ich möchte mit einem Menschen sprechen', undefined, /Menschen sprechen möchten/],
    ['je veux parler à un conseiller', undefined, /parler à une personne/],
    ['quiero hablar con un agente', undefined, /hablar con una persona/],
    ['bye', undefined, /Goodbye/],
    ['tschüss', undefined, /Auf Wiedersehen/],
  ];
  for (const [text, locale, expected] of intents) {
    it(`answers "${text}"${locale ? ` (${locale})` : ''} with the right intent and language`, async () => {
      const replies = await say(makeBot(), text, locale);
      expect(replies.join('\n')).to.match(expected);
    });
  }

  it('offers a person after two not-understood turns in a row', async () => {
    const a = makeBot();
    expect((await say(a, 'qwerty zxcv')).join()).to.match(/didn't get that/);
    expect((await say(a, 'asdf jkl')).join()).to.match(/talk to a person/);
  });

  it('greets new members once when they join', async () => {
    const a = makeBot();
    await a.send({ type: 'conversationUpdate', membersAdded: [{ id: 'user1', name: 'u' }], recipient: { id: 'bot', name: 'bot' } } as Partial<Activity>);
    const first = a.activeQueue.shift();
    expect(first?.text).to.match(/Trustline assistant/);
  });

  describe('returns eligibility (every prompt type)', () => {
    const flows: { name: string; locale: string; steps: [string, RegExp][] }[] = [
      { name: 'English, eligible', locale: 'en-US', steps: [['I want to return something', /within 30 days/], ['yes', /Why would you like/], ['Wrong size', /When was it delivered/], ['yesterday', /How many items/], ['two', /unused/], ['yes', /another 29 day/]] },
      { name: 'English, too late', locale: 'en-US', steps: [['return', /30 days/], ['yes', /Why/], ['Damaged', /When/], ['1 October 2026', /How many/], ['1', /unused/], ['yes', /return window .* has passed/]] },
      { name: 'German, own number and date parsing', locale: 'de-DE', steps: [['Ich möchte eine Rücksendung', /30 Tagen/], ['ja', /Warum/], ['Beschädigt', /Wann wurde/], ['vor drei Tagen', /Wie viele/], ['zwei', /unbenutzt/], ['ja', /noch 27 Tag/]] },
      { name: 'French', locale: 'fr-FR', steps: [['je veux retourner un article', /30 jours/], ['oui', /Pourquoi/], ['Endommagé', /Quand/], ['hier', /Combien/], ['3', /inutilisés/], ['oui', /encore être retournés pendant 29/]] },
      { name: 'Spanish, used item', locale: 'es-ES', steps: [['quiero una devolución', /30 días/], ['sí', /Por qué/], ['Dañado', /Cuándo/], ['ayer', /Cuántos/], ['dos', /sin usar/], ['no', /solo se pueden devolver si son defectuosos/]] },
    ];
    for (const f of flows) {
      it(`walks the flow: ${f.name}`, async () => {
        const a = makeBot();
        for (const [text, expected] of f.steps) {
          const replies = await say(a, text, f.locale);
          expect(replies.join('\n'), `after "${text}"`).to.match(expected);
        }
      });
    }

    it('re-asks for a date in the future and for a number out of range', async () => {
      const a = makeBot();
      await say(a, 'return please', 'en-US');
      await say(a, 'yes', 'en-US');
      await say(a, 'Wrong size', 'en-US');
      expect((await say(a, 'next year', 'en-US')).join()).to.match(/not in the future/);
      await say(a, 'yesterday', 'en-US');
      expect((await say(a, '500', 'en-US')).join()).to.match(/between 1 and 20/);
    });

    it('lets "cancel" interrupt any step', async () => {
      const a = makeBot();
      await say(a, 'return', 'en-US');
      await say(a, 'yes', 'en-US');
      expect((await say(a, 'cancel', 'en-US')).join()).to.match(/stopped that/);
      expect((await say(a, 'help', 'en-US')).join()).to.match(/where is my order/);
    });

    it('lets "agent" interrupt a prompt', async () => {
      const a = makeBot();
      await say(a, 'Rücksendung', 'de-DE');
      expect((await say(a, 'Ich will einen Mitarbeiter', 'de-DE')).join()).to.match(/Menschen sprechen/);
    });
  });
});
