import { parseInput } from '../shared/parse-input';
import { ProvisionWorkspaceRequest } from './contract';
import { type ProvisionWorkspaceDeps, provisionWorkspace } from './provision-workspace';
import { SimulatedWorkspaceProvisioner } from './simulated-workspace-provisioner';

// Replace the simulated provisioner here to use a real one (see handlers/README.md).
const deps: ProvisionWorkspaceDeps = { provisioner: new SimulatedWorkspaceProvisioner() };

export const handler = async (input: unknown) =>
  provisionWorkspace(parseInput(ProvisionWorkspaceRequest, input, 'provision-workspace'), deps);
