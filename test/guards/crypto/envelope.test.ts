import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../../../guards/crypto/envelope.js';
import { GuardError } from '../../../guards/errors.js';

const key = new Uint8Array(randomBytes(32));
const other = new Uint8Array(randomBytes(32));
const MAX = 1 << 20;

function open(env: string, k = key, storageKey = 'webchat/conversations/a/'): string {
  return Buffer.from(openEnvelope(k, readEnvelopeHeader(env, MAX), storageKey)).toString('utf8');
}

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return e instanceof GuardError ? e.code : 'NOT_A_GUARD_ERROR'; }
  return undefined;
}

function flip(env: string, at: (bytes: Buffer) => number): string {
  const b = Buffer.from(env, 'base64');
  const i = at(b);
  b[i] = b[i]! ^ 0x01;
  return b.toString('base64');
}

describe('AEAD envelope', () => {
  const plain = JSON.stringify({ email: 'canary@example.com' });
  let env = '';
  before(() => { env = sealEnvelope(key, 'c_owner.1', 'webchat/conversations/a/', Buffer.from(plain)); });

  it('opens what it sealed and names the key id', () => {
    expect(open(env)).to.equal(plain);
    expect(readEnvelopeHeader(env, MAX).kid).to.equal('c_owner.1');
  });

  it('never holds the plaintext', () => {
    expect(env).to.not.include('canary');
    expect(Buffer.from(env, 'base64').toString('latin1')).to.not.include('canary');
  });

  it('uses a fresh nonce for every seal', () => {
    const nonces = new Set(Array.from({ length: 200 }, () => Buffer.from(sealEnvelope(key, 'k.1', 's', Buffer.from('x')), 'base64').subarray(5, 29).toString('hex')));
    expect(nonces.size).to.equal(200);
  });

  const kidLen = 'c_owner.1'.length;
  const tampers: [string, (b: Buffer) => number][] = [
    ['the version byte', () => 0],
    ['the key id', () => 3],
    ['the nonce', () => 2 + kidLen + 5],
    ['the ciphertext', () => 2 + kidLen + 24 + 3],
    ['the tag', (b) => b.length - 1],
  ];
  for (const [where, at] of tampers) {
    it(`fails closed with the generic code when a bit flips in ${where}`, () => {
      expect(codeOf(() => open(flip(env, at)))).to.equal('ERR_CRYPTO_DECRYPT');
    });
  }

  it('does not open under another storage key (a value copied to another key)', () => {
    expect(codeOf(() => open(env, key, 'webchat/conversations/b/'))).to.equal('ERR_CRYPTO_DECRYPT');
  });

  it('does not open when relabelled with another key id of the same length', () => {
    const b = Buffer.from(env, 'base64');
    b.write('c_owner.2', 2, 'utf8');
    expect(codeOf(() => open(b.toString('base64')))).to.equal('ERR_CRYPTO_DECRYPT');
  });

  it('does not open under another key', () => {
    expect(codeOf(() => open(env, other))).to.equal('ERR_CRYPTO_DECRYPT');
  });

  it('refuses oversized envelopes before decrypting', () => {
    const huge = 'A'.repeat(2 * MAX);
    expect(codeOf(() => readEnvelopeHeader(huge, MAX))).to.equal('ERR_CRYPTO_ENVELOPE_TOO_LARGE');
  });

  it('refuses truncated and junk envelopes with the generic code', () => {
    for (const junk of ['', 'AA', Buffer.from([1, 3, 65, 66, 67]).toString('base64'), '!!!!', env.slice(0, 20)]) {
      expect(codeOf(() => open(junk)), junk).to.equal('ERR_CRYPTO_DECRYPT');
    }
  });
});
