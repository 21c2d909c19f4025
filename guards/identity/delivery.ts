/**
 * Delivery of one-time codes to the contact point ON FILE (OTP-9): email over SMTP (nodemailer), SMS through an
 * HTTP provider, or, in development when neither is configured, a local outbox file. Sending runs in the
 * background, off the reply path: the reply to the customer and the work before it are the same whether or not a
 * code goes out (OTP-8), and a slow mail server cannot hold a turn. Failures are logged by code, never with the
 * address, the number or the code.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../log/logger.js';
import { errorFields } from '../log/logger.js';
import { GuardError } from '../errors.js';
import type { Lang } from '../../dialogs/language.js';

export type DeliveryChannel = 'email' | 'sms';

export interface CodeMessage {
  channel: DeliveryChannel;
  /** The contact point from the directory record. */
  to: string;
  code: string;
  lang: Lang;
  minutes: number;
}

export interface CodeSender {
  send(m: CodeMessage): Promise<void>;
}

const SUBJECT: Record<Lang, string> = {
  en: 'Your Trustline verification code', de: 'Ihr Trustline-Bestätigungscode', fr: 'Votre code de vérification Trustline', es: 'Su código de verificación de Trustline',
};
// The code first (SMS previews), what it is for, its lifetime, and the one warning that matters.
const BODY: Record<Lang, string> = {
  en: '{code} is your Trustline verification code. It is valid for {minutes} minutes. Type it only into the Trustline chat; we will never ask for it by phone. If you did not ask for it, ignore this message.',
  de: '{code} ist Ihr Trustline-Bestätigungscode. Er gilt {minutes} Minuten. Geben Sie ihn nur im Trustline-Chat ein; wir fragen nie telefonisch danach. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht.',
  fr: '{code} est votre code de vérification Trustline. Il est valable {minutes} minutes. Saisissez-le uniquement dans le chat Trustline ; nous ne vous le demanderons jamais par téléphone. Si vous ne l\'avez pas demandé, ignorez ce message.',
  es: '{code} es su código de verificación de Trustline. Es válido durante {minutes} minutos. Escríbalo solo en el chat de Trustline; nunca se lo pediremos por teléfono. Si no lo ha solicitado, ignore este mensaje.',
};

export function codeText(m: CodeMessage): { subject: string; text: string } {
  return { subject: SUBJECT[m.lang], text: BODY[m.lang].replace('{code}', m.code).replace('{minutes}', String(m.minutes)) };
}

export class SmtpEmailSender implements CodeSender {
  readonly #transport: Transporter;
  readonly #from: string;
  constructor(o: { url: string; from: string; password?: string; requireTls: boolean; timeoutMs?: number }) {
    const u = new URL(o.url);
    this.#transport = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 587),
      secure: u.protocol === 'smtps:',
      requireTLS: u.protocol !== 'smtps:' && o.requireTls,
      ignoreTLS: !o.requireTls && u.protocol !== 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: o.password ?? decodeURIComponent(u.password) } } : {}),
      connectionTimeout: o.timeoutMs ?? 10_000,
      greetingTimeout: o.timeoutMs ?? 10_000,
      socketTimeout: o.timeoutMs ?? 10_000,
      logger: false,
      debug: false,
    });
    this.#from = o.from;
  }

  async send(m: CodeMessage): Promise<void> {
    const { subject, text } = codeText(m);
    try {
      await this.#transport.sendMail({ from: this.#from, to: m.to, subject, text });
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DELIVERY_FAILED', { cause });
    }
  }

  close(): void { this.#transport.close(); }
}

/**
 * SMS through a provider's HTTP API: `POST {url}` with `{ "to", "from", "text" }` and a bearer token; any 2xx is
 * accepted. Providers differ in field names; this is the contract a small adapter in front of one implements.
 */
export class HttpSmsSender implements CodeSender {
  readonly #url: string;
  readonly #token: string;
  readonly #from: string;
  readonly #timeoutMs: number;
  constructor(o: { url: string; token: string; sender: string; timeoutMs?: number }) {
    this.#url = o.url;
    this.#token = o.token;
    this.#from = o.sender;
    this.#timeoutMs = o.timeoutMs ?? 10_000;
  }

  async send(m: CodeMessage): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#token}` },
        body: JSON.stringify({ to: m.to, from: this.#from, text: codeText(m).text }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await res.body?.cancel();
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DELIVERY_FAILED', { cause });
    }
    if (res.status < 200 || res.status > 299) throw new GuardError('ERR_IDENTITY_DELIVERY_FAILED');
  }
}

/**
 * Development only (config refuses it in production): one JSON line per code in a local file (mode 0600), so a
 * developer without SMTP or SMS can read the code. The README names the file.
 */
export class OutboxFileSender implements CodeSender {
  readonly #path: string;
  readonly #now: () => number;
  constructor(path: string, now: () => number = Date.now) {
    this.#path = path;
    this.#now = now;
  }

  async send(m: CodeMessage): Promise<void> {
    try {
      await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
      await appendFile(this.#path, JSON.stringify({ at: new Date(this.#now()).toISOString(), channel: m.channel, to: m.to, code: m.code, text: codeText(m).text }) + '\n', { mode: 0o600 });
    } catch (cause) {
      throw new GuardError('ERR_IDENTITY_DELIVERY_FAILED', { cause });
    }
  }
}

export const DELIVERY_EVENTS = {
  sent: 'guards.identity.delivery.sent',
  failed: 'guards.identity.delivery.failed',
  dropped: 'guards.identity.delivery.dropped',
} as const;

/**
 * Sends in the background with bounded concurrency and a bounded queue. `idle()` resolves when nothing is pending
 * (graceful shutdown, tests).
 */
export class DeliveryQueue {
  readonly #senders: Partial<Record<DeliveryChannel, CodeSender>>;
  readonly #log: Logger;
  readonly #max: number;
  readonly #concurrency: number;
  readonly #queue: CodeMessage[] = [];
  #running = 0;
  #waiters: (() => void)[] = [];

  constructor(senders: Partial<Record<DeliveryChannel, CodeSender>>, log: Logger, o: { maxQueued?: number; concurrency?: number } = {}) {
    this.#senders = senders;
    this.#log = log;
    this.#max = o.maxQueued ?? 1000;
    this.#concurrency = o.concurrency ?? 8;
  }

  /** Channels that can deliver. */
  channels(): DeliveryChannel[] {
    return (['email', 'sms'] as DeliveryChannel[]).filter((c) => this.#senders[c]);
  }

  enqueue(m: CodeMessage): void {
    if (!this.#senders[m.channel] || this.#queue.length >= this.#max) {
      this.#log.warn({ channel: m.channel }, DELIVERY_EVENTS.dropped);
      return;
    }
    this.#queue.push(m);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#queue.length > 0) {
      const m = this.#queue.shift()!;
      this.#running++;
      void this.#senders[m.channel]!.send(m).then(
        () => this.#log.info({ channel: m.channel }, DELIVERY_EVENTS.sent),
        (err: unknown) => this.#log.warn({ channel: m.channel, err: errorFields(err) }, DELIVERY_EVENTS.failed),
      ).finally(() => {
        this.#running--;
        this.#pump();
        if (this.#running === 0 && this.#queue.length === 0) for (const w of this.#waiters.splice(0)) w();
      });
    }
  }

  idle(): Promise<void> {
    if (this.#running === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }
}
