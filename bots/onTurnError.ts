/**
 * The adapter's last resort. Logs a code and a correlation id (never the error message: it can quote user input or
 * Redis replies) and sends a fixed apology with the same id, so support can find the log line (DESIGN.md 7).
 */
import { randomBytes } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import { isGuardError } from '../guards/errors.js';
import { langFromLocale } from '../dialogs/language.js';
import { t } from '../dialogs/messages.js';
import { ridField } from '../guards/log/correlation.js';

export function correlationId(): string {
  return randomBytes(6).toString('hex');
}

export function createOnTurnError(log: Logger, onError?: (code: string) => void) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const ref = correlationId();
    const unavailable = isGuardError(error, 'ERR_STORAGE_UNAVAILABLE') || isGuardError(error, 'ERR_STORAGE_TIMEOUT');
    const code = isGuardError(error) ? error.code : 'ERR_TURN_FAILED';
    log.error({ ...ridField(context), code, ref, err: errorFields(error) }, unavailable ? 'bot.turn.unavailable' : 'bot.turn.error');
    onError?.(code);
    const lang = langFromLocale(context.activity?.locale) ?? 'en';
    try {
      await context.sendActivity(t(unavailable ? 'unavailable' : 'turnError', lang, { ref }));
    } catch (sendErr) {
      log.warn({ ...ridField(context), ref, err: errorFields(sendErr) }, 'bot.turn.apology_failed');
    }
  };
}
