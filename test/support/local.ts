import { LocalApp, type LocalAppOptions } from '../../local/app';
import type { BusEvent } from '../../local/eventbridge/bus';
import { assemblyDir } from './synth';

export const BUS = 'onboarding-kyc';

/** The synthesized app in-process, with Retry intervals at 0 ms so failure paths run fast. */
export function startApp(options: Partial<LocalAppOptions> = {}): Promise<LocalApp> {
  return LocalApp.start({ assemblyDir, retryDelayMs: 0, ...options });
}

/** Puts one event on the app's bus and fails the test if EventBridge did not accept it. */
export function put(app: LocalApp, source: string, detailType: string, detail: object): string {
  const response = app.eventBridge.putEvents([
    { Source: source, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: BUS },
  ]);
  const [entry] = response.Entries;
  if (!entry || !('EventId' in entry))
    throw new Error(`PutEvents rejected the entry: ${JSON.stringify(response)}`);
  return entry.EventId;
}

/** Every event a workflow emitted (anything not put by the test itself), oldest first. */
export function emitted(app: LocalApp, userId?: string): BusEvent[] {
  // The app's bus only: Step Functions' own status change events (on the default bus) name executions too.
  return app.eventBridge.records
    .filter((r) => r.busName === BUS)
    .map((r) => r.event)
    .filter((e) => e.resources.some((r) => r.includes(':execution:')))
    .filter((e) => userId === undefined || e.detail.userId === userId);
}

export function executionsOf(app: LocalApp, workflow: 'kyc' | 'onboarding' | 'access-change') {
  return [...app.stepFunctions.executions.values()].filter((e) =>
    e.stateMachineArn.endsWith(`:stateMachine:${BUS}-${workflow}`),
  );
}

export function outputOf(execution: { output?: string }): Record<string, unknown> {
  return JSON.parse(execution.output ?? 'null') as Record<string, unknown>;
}

/** The version table's item for (userId, workflow), as plain values. */
export async function stored(
  app: LocalApp,
  userId: string,
  workflow: string,
): Promise<Record<string, unknown>> {
  const { Item } = await app.dynamodb.call<{ Item?: Record<string, Record<string, unknown>> }>('GetItem', {
    TableName: `${BUS}-versions`,
    Key: { userId: { S: userId }, workflow: { S: workflow } },
    ConsistentRead: true,
  });
  return Object.fromEntries(
    Object.entries(Item ?? {}).map(([k, v]) => {
      const [type, value] = Object.entries(v)[0] ?? [];
      return [k, type === 'N' ? Number(value) : value];
    }),
  );
}

export function queueMessages(app: LocalApp, name: string): Record<string, unknown>[] {
  return app.queues.find(`${BUS}-${name}`).peek() as Record<string, unknown>[];
}

export const applicants = {
  approved: {
    fullName: 'Ada Lovelace',
    dateOfBirth: '1990-12-10',
    country: 'GB',
    documentNumber: 'AB123456',
  },
};

/** Puts an `Account Requested` trigger (version 1, plan team) for this user and applicant. */
export function requestAccount(
  app: LocalApp,
  userId: string,
  applicant: object = applicants.approved,
): string {
  return put(app, 'app.accounts', 'Account Requested', { userId, version: 1, plan: 'team', applicant });
}
