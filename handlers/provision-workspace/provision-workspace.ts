import type { ProvisionWorkspaceRequest, ProvisionWorkspaceResponse } from './contract';

/**
 * The port a real workspace service implements. It must be idempotent per user: Step Functions retries
 * and EventBridge redelivers, so the same request can arrive more than once and must not create a
 * second workspace. `version` lets it ignore a request older than one it has already applied.
 */
export interface WorkspaceProvisioner {
  provision(request: ProvisionWorkspaceRequest): Promise<ProvisionWorkspaceResponse>;
}

export interface ProvisionWorkspaceDeps {
  readonly provisioner: WorkspaceProvisioner;
}

/** Provisions (or finds) the user's workspace, sized for the plan. */
export async function provisionWorkspace(
  request: ProvisionWorkspaceRequest,
  deps: ProvisionWorkspaceDeps,
): Promise<ProvisionWorkspaceResponse> {
  const { workspaceId } = await deps.provisioner.provision(request);
  return { workspaceId };
}
