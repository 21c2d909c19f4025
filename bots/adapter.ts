import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { AppConfig, Secrets } from '../config.js';

/**
 * CloudAdapter with its activity processing exposed, so the HTTP layer answers every request itself: botbuilder's
 * `process()` writes exception text into 500 bodies and prints errors with console.error (STACK-NOTES.md).
 */
export class TrustlineAdapter extends CloudAdapter {
  handleActivity(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function createAdapter(config: Readonly<AppConfig>, secrets: Readonly<Secrets>): TrustlineAdapter {
  // Settings come from our validated config, never from process.env directly.
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: secrets.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
  });
  return new TrustlineAdapter(auth);
}
