import { expect } from 'chai';
import { createLogger, sanitizeLogString } from '../../../guards/log/logger.js';
import { LogCapture } from '../../support/app.js';

function logged(fn: (log: ReturnType<typeof createLogger>) => void): { lines: string[]; parsed: Record<string, unknown>[] } {
  const cap = new LogCapture();
  const log = createLogger({ destination: cap, level: 'debug' });
  fn(log);
  log.flush();
  return { lines: cap.lines, parsed: cap.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('removes content fields whatever the caller passes', () => {
    const { lines } = logged((log) => log.info({ activity: { text: 'canary-text' }, text: 'canary-2', from: { id: '+491555' }, headers: { authorization: 'Bearer canary-token' }, email: 'a@b.c', nested: { text: 'canary-3', token: 'canary-4' } }, 'x.event'));
    const s = lines.join('\n');
    for (const c of ['canary-text', 'canary-2', '+491555', 'canary-token', 'a@b.c', 'canary-3', 'canary-4']) expect(s).to.not.include(c);
  });

  it('cannot be made to forge a line with CR/LF or ANSI escapes in a message', () => {
    const { lines, parsed } = logged((log) => log.warn('evil\n{"level":"info","event":"forged"}\r\u001b[2Jdone'));
    expect(lines).to.have.length(1);
    expect(String(parsed[0]!.event)).to.not.match(/[\n\r\u001b]/);
    expect(String(parsed[0]!.event)).to.include('\\u000a');
  });

  it('logs errors by kind and code only, never their message or stack', () => {
    const err = Object.assign(new Error('failed for jane@example.com'), { code: 'ECONNREFUSED' });
    const { lines, parsed } = logged((log) => log.error({ err }, 'x.failed'));
    expect(lines.join()).to.not.include('jane@example.com');
    expect(parsed[0]!.err).to.deep.equal({ kind: 'Error', code: 'ECONNREFUSED' });
  });

  it('keeps a top-level error code (the turn-error line needs it) but censors anything else logged as `code`', () => {
    const { parsed, lines } = logged((log) => {
      log.error({ code: 'ERR_TURN_FAILED', ref: 'r1' }, 'bot.turn.error');
      log.warn({ code: '482913' }, 'careless.otp');
      log.warn({ code: 'jane@example.com' }, 'careless.email');
      log.warn({ code: { otp: '482913' } }, 'careless.object');
    });
    expect(parsed[0]).to.include({ code: 'ERR_TURN_FAILED', ref: 'r1' });
    for (const p of parsed.slice(1)) expect(p['code']).to.equal('[REDACTED]');
    expect(lines.join()).to.not.include('482913');
    expect(lines.join()).to.not.include('jane@example.com');
  });

  it('escapes every control character', () => {
    expect(sanitizeLogString('a\u0000b\u0085c\u2028d')).to.equal('a\\u0000b\\u0085c\\u2028d');
  });
});
