import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { HttpRefusal, allowedHostnames, isLoopback, requireAllowedHost, requireSameOrigin } from '../../../channels/local/http.js';

function req(headers: Record<string, string>): IncomingMessage {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { headers: lower } as unknown as IncomingMessage;
}

function status(fn: () => void): number {
  try {
    fn();
    return 0;
  } catch (e) {
    if (e instanceof HttpRefusal) return e.status;
    throw e;
  }
}

describe('local channel HTTP checks', () => {
  describe('isLoopback', () => {
    const rows: [string | undefined, boolean][] = [
      ['127.0.0.1', true],
      ['127.1.2.3', true],
      ['::1', true],
      ['::ffff:127.0.0.1', true],
      ['10.0.0.1', false],
      ['::ffff:10.0.0.1', false],
      ['128.0.0.1', false],
      ['fe80::1', false],
      ['127.0.0.1.evil', false],
      [undefined, false],
    ];
    for (const [address, expected] of rows) {
      it(`${String(address)} is ${expected ? '' : 'not '}loopback`, () => expect(isLoopback(address)).to.equal(expected));
    }
  });

  describe('requireSameOrigin', () => {
    const rows: [string, Record<string, string>, boolean, number][] = [
      ['no Origin, no Sec-Fetch-Site (non-browser)', { Host: '127.0.0.1:3978' }, false, 0],
      ['matching Origin', { Host: '127.0.0.1:3978', Origin: 'http://127.0.0.1:3978' }, false, 0],
      ['matching Origin, host case differs', { Host: 'LOCALHOST:3978', Origin: 'http://localhost:3978' }, false, 0],
      ['matching https Origin on a TLS socket', { Host: 'localhost', Origin: 'https://localhost' }, true, 0],
      ['http Origin on a TLS socket', { Host: 'localhost', Origin: 'http://localhost' }, true, 403],
      ['Origin of a sibling port', { Host: 'localhost:3978', Origin: 'http://localhost:3979' }, false, 403],
      ['Origin of a suffix host', { Host: 'localhost:3978', Origin: 'http://localhost:3978.evil.example' }, false, 403],
      ['garbage Origin', { Host: 'localhost', Origin: '::::' }, false, 403],
      ['Sec-Fetch-Site none', { Host: 'localhost', 'Sec-Fetch-Site': 'none' }, false, 403],
      ['Sec-Fetch-Site same-origin', { Host: 'localhost', 'Sec-Fetch-Site': 'same-origin' }, false, 0],
    ];
    for (const [name, headers, secure, expected] of rows) {
      it(`${expected ? 'refuses' : 'allows'} ${name}`, () => expect(status(() => requireSameOrigin(req(headers), secure))).to.equal(expected));
    }
  });

  describe('requireAllowedHost', () => {
    const allowed = allowedHostnames(['chat.test'], 'http://10.1.2.3:3978/local/connector');
    const rows: [string, number][] = [
      ['localhost:3978', 0],
      ['127.0.0.1', 0],
      ['[::1]:3978', 0],
      ['chat.test', 0],
      ['10.1.2.3:3978', 0],
      ['localhost.evil.example', 403],
      ['evil.example', 403],
      ['', 400],
      ['a b', 400],
    ];
    for (const [host, expected] of rows) {
      it(`Host "${host}" -> ${expected || 'allowed'}`, () => expect(status(() => requireAllowedHost(req(host ? { Host: host } : {}), allowed))).to.equal(expected));
    }
  });
});
