import { createHash } from 'node:crypto';
import type { ProvisionWorkspaceRequest, ProvisionWorkspaceResponse } from './contract';
import type { WorkspaceProvisioner } from './provision-workspace';

/**
 * A deterministic stand-in for a workspace service: the id is derived from the user id alone, so
 * provisioning is idempotent across retries, redeliveries and plan changes without keeping any state.
 */
export class SimulatedWorkspaceProvisioner implements WorkspaceProvisioner {
  async provision(request: ProvisionWorkspaceRequest): Promise<ProvisionWorkspaceResponse> {
    return { workspaceId: workspaceIdFor(request.userId) };
  }
}

/**
 * `ws-` and the first 12 hex characters (48 bits) of sha256(userId). Fine for a simulation; a real
 * service issues its own ids, since 48 bits start to collide at millions of users.
 */
export function workspaceIdFor(userId: string): string {
  return `ws-${createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 12)}`;
}
