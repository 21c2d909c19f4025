/** Root hooks: servers and browsers are started once per run, lazily, and stopped here. */
import { stopSharedRedis } from '../support/redis.js';
import { closeBrowser } from '../support/browser.js';
import { initSodium } from '../../guards/crypto/sodium.js';

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await initSodium();
  },
  async afterAll(): Promise<void> {
    await closeBrowser();
    await stopSharedRedis();
  },
};
