import { contract, Emitted } from './contract';

export const ACCESS = 'app.access';

export const UserBlocked = contract({
  source: ACCESS,
  detailType: 'User Blocked',
  schema: Emitted,
  description: 'The user is blocked as of this version.',
  producer: 'Access change workflow',
  consumers: ['Session service', 'Audit'],
});

export const UserUnblocked = contract({
  source: ACCESS,
  detailType: 'User Unblocked',
  schema: Emitted,
  description: 'The user is unblocked as of this version.',
  producer: 'Access change workflow',
  consumers: ['Session service', 'Audit'],
});
