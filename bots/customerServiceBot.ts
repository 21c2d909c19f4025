/** Routing only: the dialogs decide, the guards protect, this class connects the channel events to them. */
import { ActivityHandler, type ConversationState, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog.js';

export class CustomerServiceBot extends ActivityHandler {
  readonly #state: ConversationState;
  readonly #main: MainDialog;

  constructor(state: ConversationState, main: MainDialog) {
    super();
    this.#state = state;
    this.#main = main;
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

  /** Teams SSO answers the verification dialog's OAuth prompt with these invokes: they go to the dialog. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const name = context.activity.name;
    if (name === 'signin/tokenExchange' || name === 'signin/verifyState') {
      await this.#main.run(context);
      return { status: 200 };
    }
    return super.onInvokeActivity(context);
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.#state.saveChanges(context, false);
  }
}
