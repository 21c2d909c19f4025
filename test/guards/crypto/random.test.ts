import { expect } from 'chai';
import { pooledRandomBytes } from '../../../guards/crypto/random.js';
import { randomNonce } from '../../../guards/crypto/sodium.js';

describe('pooled random bytes (nonces, correlation ids)', () => {
  it('hands out every byte once: 100,000 nonces across many pool refills are all distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(Buffer.from(randomNonce()).toString('hex'));
    expect(seen.size).to.equal(100_000);
  });

  it('returns copies: changing one value changes no other', () => {
    const a = pooledRandomBytes(24);
    const before = Buffer.from(a);
    const b = pooledRandomBytes(24);
    b.fill(0);
    expect(a.equals(before)).to.equal(true);
  });

  it('looks uniform (a gross bias would show in the bit count) and serves large requests directly', () => {
    let ones = 0;
    const bytes = 200_000;
    for (let i = 0; i < bytes / 25; i++) for (const x of pooledRandomBytes(25)) for (let k = 0; k < 8; k++) ones += (x >> k) & 1;
    expect(ones / (bytes * 8)).to.be.closeTo(0.5, 0.005);
    expect(pooledRandomBytes(4096)).to.have.length(4096);
  });
});
