import { z } from 'zod';
import { Plan } from '../../events/accounts';
import { Versioned } from '../../events/contract';

export const ProvisionWorkspaceRequest = Versioned.extend({ plan: Plan });
export type ProvisionWorkspaceRequest = z.infer<typeof ProvisionWorkspaceRequest>;

export const ProvisionWorkspaceResponse = z.object({
  workspaceId: z.string().min(1).describe('Stable per user: provisioning again returns the same workspace.'),
});
export type ProvisionWorkspaceResponse = z.infer<typeof ProvisionWorkspaceResponse>;

/** The workspace as the onboarding state machine reads it. */
export type ProvisionedWorkspace = ProvisionWorkspaceResponse;
