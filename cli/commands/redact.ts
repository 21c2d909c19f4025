/**
 * `trustline redact`: streams JSON Lines (or plain text lines with --text) from input to output, one output line
 * per input line, in constant memory.
 *
 * JSON mode: each line `{"id": ..., "locale": "en-US", "text": ...}` becomes the same object with `text` redacted
 * and `findings` added (type, offsets, score, recognizer, operator; never the value). `locale` falls back to
 * `opts.locale`. A line that is not a JSON object with a string `text` becomes `{"line": N, "error": "..."}` and
 * its content is never echoed; after the whole input, the promise rejects (GuardError ERR_REDACTION_FAILED) so the
 * command exits non-zero. Plain-text mode: each line is redacted as one message, newlines preserved.
 */
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { GuardError } from '../../guards/errors.js';
import { createDefaultRedactor } from '../../guards/pii/index.js';

export interface RedactCommandOptions {
  /** Locale for lines that carry none (and for every line in text mode). */
  locale: string;
  /** Plain text, one message per line, instead of JSON Lines. */
  text: boolean;
}

async function write(output: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!output.write(chunk)) await once(output, 'drain');
}

export async function runRedact(opts: RedactCommandOptions, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const redactor = createDefaultRedactor();
  redactor.warmUp();
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let lineNo = 0;
  let bad = 0;
  for await (const line of lines) {
    lineNo++;
    if (opts.text) {
      await write(output, redactor.redact(line, { locale: opts.locale }).text + '\n');
      continue;
    }
    if (line.trim() === '') {
      await write(output, '\n');
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record) || typeof (record as { text?: unknown }).text !== 'string') {
      bad++;
      await write(output, JSON.stringify({ line: lineNo, error: 'expected a JSON object with a string "text"' }) + '\n');
      continue;
    }
    const obj = record as Record<string, unknown> & { text: string };
    const locale = typeof obj.locale === 'string' && obj.locale ? obj.locale : opts.locale;
    const result = redactor.redact(obj.text, { locale });
    await write(output, JSON.stringify({ ...obj, text: result.text, findings: result.findings }) + '\n');
  }
  if (bad > 0) {
    throw new GuardError('ERR_REDACTION_FAILED', { cause: new Error(`${bad} input line(s) were not valid records`) });
  }
}
