import { z } from 'zod';
import { contract, Versioned } from './contract';

export const IDENTITY = 'app.identity';

export const UserAccessChangedDetail = Versioned.extend({
  blocked: z.boolean().describe('true blocks the user, false unblocks.'),
  reason: z.string().max(200).optional().describe('Free text for operators; never personal data.'),
});
export type UserAccessChangedDetail = z.infer<typeof UserAccessChangedDetail>;

export const UserAccessChanged = contract({
  source: IDENTITY,
  detailType: 'User Access Changed',
  schema: UserAccessChangedDetail,
  description: 'The identity provider (e.g. an Auth0 or SaaSus event stream) blocked or unblocked a user.',
  producer: 'Identity provider, or the partner adapter (Auth0, SaaSus)',
  consumers: ['Access change workflow'],
});
