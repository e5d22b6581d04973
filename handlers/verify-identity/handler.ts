import { parseInput } from '../shared/parse-input';
import { VerifyIdentityRequest } from './contract';
import { SimulatedIdentityProvider } from './simulated-identity-provider';
import { type VerifyIdentityDeps, verifyIdentity } from './verify-identity';

// Replace the simulated provider here to use a real one (see handlers/README.md).
const deps: VerifyIdentityDeps = { provider: new SimulatedIdentityProvider() };

export const handler = async (input: unknown) =>
  verifyIdentity(parseInput(VerifyIdentityRequest, input, 'verify-identity'), deps);
