/**
 * What an incoming activity must look like before the adapter sees it. Lenient where channels differ (extra
 * fields pass through), strict where the bot relies on a field: type, conversation id, sane sizes.
 */
import { z } from 'zod';

const id = z.string().min(1).max(1024);
const account = z.object({ id: z.string().max(1024).optional(), name: z.string().max(1024).optional(), aadObjectId: z.string().max(256).optional(), role: z.string().max(64).optional() }).loose();

export const IncomingActivity = z.object({
  type: z.string().min(1).max(64).regex(/^[A-Za-z]+$/),
  id: z.string().max(1024).optional(),
  channelId: z.string().min(1).max(128).optional(),
  serviceUrl: z.string().max(2048).regex(/^https?:\/\//).optional(),
  conversation: z.object({ id }).loose(),
  from: account.optional(),
  recipient: account.optional(),
  text: z.string().max(100_000).optional(),
  locale: z.string().max(64).optional(),
  deliveryMode: z.string().max(64).optional(),
  membersAdded: z.array(account).max(100).optional(),
  membersRemoved: z.array(account).max(100).optional(),
  attachments: z.array(z.object({}).loose()).max(50).optional(),
}).loose();

export type IncomingActivity = z.infer<typeof IncomingActivity>;
