import { MemoryStorage } from 'botbuilder';
import { storageContract } from '../../contracts/storage.contract.js';
import { sharedRedis } from '../../support/redis.js';
import { RedisStorage } from '../../../guards/storage/redisStorage.js';
import { EncryptedStorage, BotStateOwnerResolver } from '../../../guards/storage/encryptedStorage.js';
import { DataKeyService } from '../../../guards/crypto/dataKeys.js';
import { MemoryKeyStore, RedisKeyStore } from '../../../guards/crypto/keyStore.js';
import { Pseudonymizer } from '../../../guards/crypto/pseudonym.js';
import type { RedisCommands } from '../../../guards/storage/redisClient.js';
import { randomBytes } from 'node:crypto';

const pseudo = new Pseudonymizer(randomBytes(32));
const masters = [{ version: 'v1', key: new Uint8Array(randomBytes(32)) }];

async function redisCommands(): Promise<RedisCommands> {
  const r = await sharedRedis();
  return (await r.client()) as unknown as RedisCommands;
}

storageContract('MemoryStorage', async () => new MemoryStorage());

storageContract('RedisStorage', async () => new RedisStorage(await redisCommands(), { prefix: 'tl:test:', keyName: (k) => pseudo.hash('state', k), ttlSeconds: 600 }));

storageContract('EncryptedStorage(MemoryStorage)', async () =>
  new EncryptedStorage(new MemoryStorage(), new DataKeyService(new MemoryKeyStore(), masters, 'v1'), new BotStateOwnerResolver(pseudo), { maxEnvelopeBytes: 1 << 20 }));

storageContract('EncryptedStorage(RedisStorage)', async () => {
  const c = await redisCommands();
  return new EncryptedStorage(
    new RedisStorage(c, { prefix: 'tl:state:', keyName: (k) => pseudo.hash('state', k), ttlSeconds: 600 }),
    new DataKeyService(new RedisKeyStore(c, 600), masters, 'v1'),
    new BotStateOwnerResolver(pseudo),
    { maxEnvelopeBytes: 1 << 20 },
  );
});
