/**
 * Login throttling: failed password or TOTP attempts are counted per account (keyed hash of the address, so an
 * unknown address is throttled exactly like a known one) and per client address, in a fixed window. At the limit,
 * every login attempt for that account or address is refused until the window ends, whether the password is right
 * or not. Counters are atomic (INCR + PEXPIRE NX in one script) and shared by every instance.
 */
import type { RedisClientType } from 'redis';
import type { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import { storageError } from '../guards/storage/redisClient.js';
import { normaliseEmail } from './accounts.js';

const INCR = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export class LoginThrottle {
  constructor(private readonly r: RedisClientType, private readonly p: Pseudonymizer, private readonly o: { maxFailures: number; windowSeconds: number }) {}

  #keys(email: string, ip: string): [string, string] {
    return [`tl:staff:fail:a:${this.p.hash('staff-login-account', normaliseEmail(email))}`, `tl:staff:fail:ip:${this.p.hash('staff-login-ip', ip)}`];
  }

  async blocked(email: string, ip: string): Promise<boolean> {
    const [a, i] = this.#keys(email, ip);
    try {
      const [na, ni] = await Promise.all([this.r.get(a), this.r.get(i)]);
      return Number(na ?? 0) >= this.o.maxFailures || Number(ni ?? 0) >= this.o.maxFailures * 4;
    } catch (e) { throw storageError(e); }
  }

  async fail(email: string, ip: string): Promise<void> {
    const ms = String(this.o.windowSeconds * 1000);
    try {
      await Promise.all(this.#keys(email, ip).map((k) => this.r.eval(INCR, { keys: [k], arguments: [ms] })));
    } catch (e) { throw storageError(e); }
  }
}
