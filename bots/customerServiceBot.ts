/** Routing only: the dialogs decide, the guards protect, this class connects the channel events to them. */
import { ActivityHandler, type ConversationState, type TurnContext } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog.js';

export class CustomerServiceBot extends ActivityHandler {
  readonly #state: ConversationState;

  constructor(state: ConversationState, main: MainDialog) {
    super();
    this.#state = state;
    this.onMessage(async (context, next) => {
      await main.run(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if ((context.activity.membersAdded ?? []).some((m) => m.id !== botId)) await main.welcome(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.#state.saveChanges(context, false);
  }
}
