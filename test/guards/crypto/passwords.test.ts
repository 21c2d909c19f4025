import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../../guards/crypto/passwords.js';

describe('staff password hashing (Argon2id in a worker)', function () {
  this.timeout(30000);
  it('hashes with Argon2id and a fresh salt, verifies the right password only', async () => {
    const a = await hashPassword('a long enough password');
    const b = await hashPassword('a long enough password');
    expect(a).to.match(/^\$argon2id\$v=19\$m=38912,t=2,p=1\$/);
    expect(a).to.not.equal(b);
    expect(await verifyPassword(a, 'a long enough password')).to.equal(true);
    expect(await verifyPassword(a, 'a long enough passworD')).to.equal(false);
  });

  it('answers false, never throws, for malformed hashes and odd input', async () => {
    expect(await verifyPassword('$argon2id$garbage', 'x')).to.equal(false);
    expect(await verifyPassword('plaintext', 'plaintext')).to.equal(false);
    expect(await verifyPassword(undefined as unknown as string, 'x')).to.equal(false);
    const h = await hashPassword('x'.repeat(5000));
    expect(await verifyPassword(h, 'x'.repeat(5000))).to.equal(true);
  });

  it('does not block the event loop while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    await hashPassword('another long password');
    clearInterval(timer);
    expect(ticks).to.be.greaterThan(3);
  });
});
