import { z } from 'zod';
import { contract, Versioned } from './contract';

export const ACCOUNTS = 'app.accounts';

export const Plan = z.enum(['free', 'team', 'enterprise']);

/**
 * The applicant data KYC needs. It stays inside the KYC execution: no emitted event repeats it.
 */
export const AccountRequestedDetail = Versioned.extend({
  plan: Plan,
  applicant: z.object({
    fullName: z.string().min(1),
    dateOfBirth: z.iso.date().describe('YYYY-MM-DD'),
    country: z.string().length(2).describe('ISO 3166-1 alpha-2 country of residence.'),
    documentNumber: z.string().min(1).describe('Identity document number, checked by the identity provider.'),
  }),
});
export type AccountRequestedDetail = z.infer<typeof AccountRequestedDetail>;

export const AccountRequested = contract({
  source: ACCOUNTS,
  detailType: 'Account Requested',
  schema: AccountRequestedDetail,
  description: 'A user asked for an account; starts KYC.',
  producer: 'Sign-up service',
  consumers: ['KYC workflow'],
});
