/**
 * Baseline: a bare botbuilder echo bot on MemoryStorage (ConversationState saved every turn), same HTTP stack
 * (restify 11), plain JavaScript under plain node like the guarded server (bench/servers/guarded.mjs).
 */
import restify from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage } from 'botbuilder';

const state = new ConversationState(new MemoryStorage());
const count = state.createProperty('count');
class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (ctx, next) => {
      await count.set(ctx, ((await count.get(ctx, 0)) ?? 0) + 1);
      await ctx.sendActivity(`Echo: ${ctx.activity.text}`);
      await next();
    });
  }
}
const bot = new EchoBot();
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const server = restify.createServer();
server.use(restify.plugins.bodyParser({ maxBodySize: 262144 }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, async (ctx) => { await bot.run(ctx); await state.saveChanges(ctx); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING http://127.0.0.1:${server.address().port}\n`));
