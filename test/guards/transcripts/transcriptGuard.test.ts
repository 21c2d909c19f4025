import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import { createDefaultRedactor, type TagState } from '../../../guards/pii/index.js';
import { TranscriptGuard } from '../../../guards/transcripts/transcriptGuard.js';
import { EncryptedTranscriptStore, MemoryHashBackend } from '../../../guards/transcripts/transcriptStore.js';
import { DataKeyService } from '../../../guards/crypto/dataKeys.js';
import { MemoryKeyStore } from '../../../guards/crypto/keyStore.js';
import { Pseudonymizer } from '../../../guards/crypto/pseudonym.js';
import { BotStateOwnerResolver } from '../../../guards/storage/encryptedStorage.js';
import { TurnKeys } from '../../../guards/turnState.js';
import { LogCapture } from '../../support/app.js';
import { createLogger } from '../../../guards/log/logger.js';

const EMAIL = 'canary.tx@example.org';

function setup(opts: { defaultKeep?: boolean; redactor?: ReturnType<typeof createDefaultRedactor>; logic?: (ctx: TurnContext) => Promise<void>; before?: (ctx: TurnContext) => void } = {}) {
  const pseudonyms = new Pseudonymizer(randomBytes(32));
  const keys = new DataKeyService(new MemoryKeyStore(), [{ version: 'v1', key: new Uint8Array(randomBytes(32)) }], 'v1');
  const store = new EncryptedTranscriptStore(new MemoryHashBackend(), keys, { ttlSeconds: 3600, maxEnvelopeBytes: 1 << 20 });
  const state = new ConversationState(new MemoryStorage());
  const logs = new LogCapture();
  const guard = new TranscriptGuard({
    store, redactor: opts.redactor ?? createDefaultRedactor(), pseudonyms, owners: new BotStateOwnerResolver(pseudonyms), log: createLogger({ destination: logs }),
    tagState: state.createProperty<TagState>('tags'), defaultKeep: opts.defaultKeep ?? true,
  });
  const adapter = new TestAdapter(async (ctx) => {
    opts.before?.(ctx);
    if (opts.logic) await opts.logic(ctx);
    else if (ctx.activity.type === ActivityTypes.Message) await ctx.sendActivity(`noted: ${ctx.activity.text}`);
    await state.saveChanges(ctx);
  });
  adapter.use(guard);
  const conversation = () => pseudonyms.conversationOwner('test', 'Convo1');
  const entries = async () => (await store.list(conversation())).entries;
  return { adapter, guard, store, logs, entries };
}

describe('TranscriptGuard', () => {
  it('stores incoming and outgoing activities redacted, in order', async () => {
    const s = setup();
    await s.adapter.send(`my email is ${EMAIL}`).assertReply(`noted: my email is ${EMAIL}`).startTest();
    const e = await s.entries();
    expect(e.map((x) => x.role)).to.deep.equal(['user', 'bot']);
    expect(e.map((x) => x.text)).to.deep.equal(['my email is [EMAIL_1]', 'noted: my email is [EMAIL_1]']);
    expect(JSON.stringify(e)).to.not.include(EMAIL);
  });

  it('keeps the same tag for the same value across turns', async () => {
    const s = setup();
    await s.adapter.send(`first ${EMAIL}`).assertReply(() => undefined).send('other other@example.com').assertReply(() => undefined).send(`again ${EMAIL}`).assertReply(() => undefined).startTest();
    const texts = (await s.entries()).filter((x) => x.role === 'user').map((x) => x.text);
    expect(texts).to.deep.equal(['first [EMAIL_1]', 'other [EMAIL_2]', 'again [EMAIL_1]']);
  });

  it('drops the entry when redaction throws, counts it, logs a PII-free event, and the turn goes on', async () => {
    const real = createDefaultRedactor();
    const flaky = Object.create(real) as typeof real;
    flaky.redact = (text, o) => { if (text.includes('boom')) throw new Error(`cannot handle ${text}`); return real.redact(text, o); };
    const s = setup({ redactor: flaky });
    await s.adapter.send(`boom ${EMAIL}`).assertReply((a) => expect(a.text).to.include('noted')).startTest();
    const e = await s.entries();
    expect(e.map((x) => x.role)).to.deep.equal([]);
    expect(s.guard.droppedEntries).to.equal(2);
    expect(s.logs.events()).to.include('guards.transcript.redaction_failed');
    expect(s.logs.text()).to.not.include(EMAIL);
    expect(s.logs.text()).to.not.include('boom');
  });

  it('keeps nothing when the consent decision says no, or when there is none and the default is off', async () => {
    const no = setup({ before: (ctx) => ctx.turnState.set(TurnKeys.consent, { transcripts: false }) });
    await no.adapter.send('hello').assertReply(() => undefined).startTest();
    expect(await no.entries()).to.deep.equal([]);
    const off = setup({ defaultKeep: false });
    await off.adapter.send('hello').assertReply(() => undefined).startTest();
    expect(await off.entries()).to.deep.equal([]);
    const yes = setup({ defaultKeep: false, before: (ctx) => ctx.turnState.set(TurnKeys.consent, { transcripts: true }) });
    await yes.adapter.send('hello').assertReply(() => undefined).startTest();
    expect(await yes.entries()).to.have.length(2);
  });

  it('removes the verified customer\'s profile values set by a later guard, and stores a typed code as a fixed tag', async () => {
    const s = setup({
      before: (ctx) => {
        ctx.turnState.set(TurnKeys.subject, { pseudonym: 's_x', verifiedAt: 0, method: 'test', profile: { names: ['Avery Example'] } });
        if (ctx.activity.text === '482913') ctx.turnState.set(TurnKeys.incomingReplacement, '[OTP_CODE]');
      },
    });
    await s.adapter.send('hi, avery example here').assertReply(() => undefined).send('482913').assertReply(() => undefined).startTest();
    const texts = (await s.entries()).filter((x) => x.role === 'user').map((x) => x.text ?? '');
    expect(texts.join('|')).to.not.match(/avery|482913/i);
    expect(texts).to.include('[OTP_CODE]');
  });

  it('replaces an edited message by its redacted new text and removes a deleted one', async () => {
    const s = setup({
      logic: async (ctx) => {
        if (ctx.activity.type !== 'message') return;
        if (ctx.activity.text === 'edit me') {
          const r = await ctx.sendActivity(`reply with ${EMAIL}`);
          await ctx.updateActivity({ id: r?.id, type: 'message', text: `edited ${EMAIL} now`, conversation: ctx.activity.conversation } as Partial<Activity>);
        }
        if (ctx.activity.text === 'delete me') {
          const r = await ctx.sendActivity('to be deleted');
          await ctx.deleteActivity(r!.id);
        }
      },
    });
    await s.adapter.send('edit me').send('delete me').startTest();
    const bot = (await s.entries()).filter((x) => x.role === 'bot');
    expect(bot.map((x) => x.text)).to.deep.equal(['edited [EMAIL_1] now']);
    expect(bot[0]!.edited).to.equal(true);
  });
});

describe('TranscriptGuard on proactive turns', () => {
  it('keeps what the bot sends but not the synthetic ContinueConversation event', async () => {
    const s = setup({ logic: async (ctx) => { await ctx.sendActivity('agent says hi'); } });
    await s.adapter.send({ type: 'event', name: 'ContinueConversation' } as Partial<Activity>).startTest();
    const e = await s.entries();
    expect(e.map((x) => [x.role, x.text])).to.deep.equal([['bot', 'agent says hi']]);
  });
});
