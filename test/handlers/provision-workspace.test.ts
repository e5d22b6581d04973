import {
  type ProvisionWorkspaceRequest,
  ProvisionWorkspaceResponse,
} from '../../handlers/provision-workspace/contract';
import { handler } from '../../handlers/provision-workspace/handler';
import {
  provisionWorkspace,
  type WorkspaceProvisioner,
} from '../../handlers/provision-workspace/provision-workspace';
import {
  SimulatedWorkspaceProvisioner,
  workspaceIdFor,
} from '../../handlers/provision-workspace/simulated-workspace-provisioner';

const provisioner = new SimulatedWorkspaceProvisioner();

describe('SimulatedWorkspaceProvisioner', () => {
  it.each([
    // sha256('user-1') starts c6c289e49e9c..., sha256('auth0|64f1c2') starts b7c5630e8481...
    ['user-1', 'ws-c6c289e49e9c'],
    ['auth0|64f1c2', 'ws-b7c5630e8481'],
  ])(
    'names the workspace of %s from the first 12 hex characters of its sha256',
    async (userId, workspaceId) => {
      // Act
      const result = await provisionWorkspace({ userId, version: 1, plan: 'team' }, { provisioner });

      // Assess
      expect(result).toStrictEqual({ workspaceId });
    },
  );

  it('returns the same workspace for the same user whatever the version and plan', async () => {
    // Act
    const first = await provisionWorkspace({ userId: 'user-1', version: 1, plan: 'free' }, { provisioner });
    const again = await provisionWorkspace({ userId: 'user-1', version: 1, plan: 'free' }, { provisioner });
    const upgraded = await provisionWorkspace(
      { userId: 'user-1', version: 7, plan: 'enterprise' },
      { provisioner },
    );

    // Assess
    expect(again).toEqual(first);
    expect(upgraded).toEqual(first);
  });

  it('gives different users different workspaces', () => {
    // Act
    const ids = new Set(['user-1', 'user-2', 'User-1', 'user-1 '].map(workspaceIdFor));

    // Assess
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^ws-[0-9a-f]{12}$/);
  });
});

describe('provisionWorkspace', () => {
  it('passes the whole request to the provisioner and returns only the workspace id', async () => {
    // Prepare
    const seen: ProvisionWorkspaceRequest[] = [];
    const fake: WorkspaceProvisioner = {
      async provision(request) {
        seen.push(request);
        const answer = { workspaceId: 'ext-42', region: 'eu-west-1' };
        return answer;
      },
    };

    // Act
    const result = await provisionWorkspace(
      { userId: 'user-1', version: 3, plan: 'team' },
      { provisioner: fake },
    );

    // Assess
    expect(seen).toEqual([{ userId: 'user-1', version: 3, plan: 'team' }]);
    expect(result).toStrictEqual({ workspaceId: 'ext-42' });
  });
});

describe('provision-workspace handler', () => {
  it('parses the input, provisions, and returns the response', async () => {
    // Act
    const result = await handler({
      userId: 'user-1',
      version: 2,
      plan: 'enterprise',
      workflow: 'onboarding',
    });

    // Assess
    expect(result).toStrictEqual({ workspaceId: 'ws-c6c289e49e9c' });
    expect(ProvisionWorkspaceResponse.parse(result)).toEqual(result);
  });

  it.each([
    ['the version is zero', { userId: 'u', version: 0, plan: 'team' }, 'version'],
    ['the version is not an integer', { userId: 'u', version: 1.5, plan: 'team' }, 'version'],
    ['the version is a string', { userId: 'u', version: '2', plan: 'team' }, 'version'],
    ['userId is empty', { userId: '', version: 1, plan: 'team' }, 'userId'],
    ['the plan is unknown', { userId: 'u', version: 1, plan: 'gold' }, 'plan'],
    ['the input is an array', [], '(input)'],
  ])('rejects input where %s with InvalidInput naming the field', async (_, input, field) => {
    // Act
    const result = handler(input);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining(`Invalid input for provision-workspace: ${field}`),
    });
  });
});
