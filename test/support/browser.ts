/**
 * One headless Chromium per mocha run, launched on first use and closed by `closeBrowser` (wire it into the root
 * `afterAll` hook; calling it twice is harmless, and a later `openPage` launches again).
 *
 * Debian's /usr/bin/chromium through playwright-core; never `npx playwright install`. Each `openPage` gets its own
 * browser context (own cookie jar and storage), so tests of cookie-based sessions cannot see each other's sessions.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let launching: Promise<Browser> | undefined;

async function browser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install the Debian package "chromium" (apt-get install chromium)`);
  }
  launching ??= chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    return await launching;
  } catch (err) {
    launching = undefined;
    throw err;
  }
}

/** A CSP violation as the page reported it (`securitypolicyviolation` event). */
export interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** CSP violations the page reported so far. */
  cspViolations(): Promise<CspViolation[]>;
  /** Console messages of type error or warning so far. */
  consoleProblems: string[];
  /** Uncaught page errors so far. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Opens a page in a fresh context, recording CSP violations, console errors/warnings and uncaught errors. */
export async function openPage(options: { viewport?: { width: number; height: number } } = {}): Promise<OpenedPage> {
  const b = await browser();
  const context = await b.newContext({ viewport: options.viewport ?? { width: 1100, height: 760 } });
  // Registered through the DevTools protocol, before any page script: it is not itself subject to the page's CSP.
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: unknown[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push({ directive: e.effectiveDirective, blockedURI: e.blockedURI, sourceFile: e.sourceFile });
    });
  });
  const page = await context.newPage();
  const consoleProblems: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return {
    page,
    context,
    consoleProblems,
    pageErrors,
    cspViolations: () =>
      page.evaluate(() => (window as unknown as { __cspViolations?: CspViolation[] }).__cspViolations ?? []),
    close: () => context.close(),
  };
}

/** Root `afterAll` hook: closes the shared browser if one was launched. */
export async function closeBrowser(): Promise<void> {
  const pending = launching;
  launching = undefined;
  if (!pending) return;
  const b = await pending.catch(() => undefined);
  await b?.close();
}

// --- Web Chat helpers (shared by the channel test and the full-bot test) ----------------------------------------

/** Web Chat's send box (its textarea/input carries this aria-label in every 4.x release we use). */
export function sendBox(page: Page) {
  return page.getByRole('textbox', { name: /message/i }).first();
}

/** Types `text` into Web Chat's send box and presses Enter. */
export async function sendChatMessage(page: Page, text: string): Promise<void> {
  const box = sendBox(page);
  await box.waitFor({ state: 'visible' });
  await box.fill(text);
  await box.press('Enter');
}

/** Waits until the transcript shows `text` (string: exact text of some element; RegExp: a match). */
export async function waitForTranscriptText(page: Page, text: string | RegExp, timeout = 15000): Promise<void> {
  await page.locator('.webchat__basic-transcript').getByText(text).first().waitFor({ state: 'visible', timeout });
}

/** Waits until Web Chat no longer shows its "Connecting…" status (it lingers briefly after the stream opened). */
export async function waitForConnected(page: Page, timeout = 15000): Promise<void> {
  await page.locator('.webchat__basic-transcript').waitFor({ state: 'visible', timeout });
  await page.waitForFunction(() => !/connecting/i.test(document.querySelector('.webchat__connectivityStatus')?.textContent ?? ''), undefined, {
    timeout,
  });
}

/**
 * Waits until no outgoing message is still "Sending" and none "Send failed". Web Chat marks a message sent only when
 * the server echoed it back with its clientActivityID and id; without the echo it says "Send failed" after ~20 s, so a
 * few seconds here catch a missing echo long before that.
 */
export async function waitForAllSent(page: Page, timeout = 5000): Promise<void> {
  await page.waitForFunction(
    () => !/\bSending\b|send failed/i.test(document.querySelector('.webchat__basic-transcript')?.textContent ?? ''),
    undefined,
    { timeout },
  );
}
