/**
 * Composition root of the bot process: load configuration, build the app, listen, shut down gracefully.
 * No logic lives here.
 */
import { loadConfig, ConfigError } from './config.js';
import { resolveKeys } from './guards/crypto/keyProviders.js';

async function main(): Promise<void> {
  let loaded;
  try {
    // TRUSTLINE_KEY_PROVIDER=keyvault: the keys are fetched from Key Vault here, before anything is built.
    loaded = await resolveKeys(loadConfig());
  } catch (err) {
    // One clear line naming the settings, never their values; non-zero exit (BF-1, CR-7).
    process.stderr.write(`trustline: refusing to start: ${err instanceof ConfigError ? err.message : 'configuration could not be loaded'}\n`);
    process.exit(2);
  }
  let app;
  try {
    // Loaded only once the configuration and its keys are good: a refused start answers at once.
    const { createApp } = await import('./app.js');
    app = await createApp(loaded);
  } catch (err) {
    process.stderr.write(`trustline: refusing to start: ${err instanceof Error && !(err as { cause?: unknown }).cause ? err.message : 'start-up failed'}\n`);
    process.exit(3);
  }
  const url = await app.listen();
  app.log.info({ url, profile: loaded.config.profile, localChat: loaded.config.localChatEnabled }, 'app.listening');
  if (loaded.config.localChatEnabled) process.stdout.write(`\nTrustline is running: open ${url}/ to chat (development profile).\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'app.stopping');
    // close() waits for turns in flight up to SHUTDOWN_TIMEOUT_MS, then closes Redis; this is the backstop.
    const timer = setTimeout(() => process.exit(1), loaded.config.ops.shutdownTimeoutMs + 5_000);
    timer.unref();
    await app.close();
    app.log.info({ signal }, 'app.stopped');
    app.log.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
