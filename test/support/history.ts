import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalApp } from '../../local/app';
import { type JournalEvent, toHistoryEvent } from '../../local/stepfunctions/journal/history';
import type { Execution } from '../../local/stepfunctions/service';
import { runAsl } from './asl';

/** The execution's history, checked for what every AWS history has: ids 1..n, causes before effects. */
export function historyOf(_app: LocalApp, execution: Execution | undefined): HistoryEvent[] {
  if (!execution) throw new Error('the execution did not start');
  const history = execution.events.map((e) => toHistoryEvent(e));
  history.forEach((event, i) => {
    expect(event.id).toBe(i + 1);
    expect(event.previousEventId).toBeGreaterThanOrEqual(0);
    expect(event.previousEventId).toBeLessThan(event.id ?? 0);
    expect(event.timestamp).toBeInstanceOf(Date);
    if (i > 0)
      expect(event.timestamp?.getTime()).toBeGreaterThanOrEqual(history[i - 1]?.timestamp?.getTime() ?? 0);
  });
  return history;
}

/** Runs a definition with no Task states (so no services) to its end and returns its history. */
export async function historyOfDefinition(definition: object): Promise<HistoryEvent[]> {
  return (await runAsl(definition)).history;
}

/**
 * How many times each state was retried: a retry shows in AWS's history only as another TaskScheduled
 * (or ParallelStateStarted / MapStateStarted) after the state's one Entered event.
 */
export function retriesOf(execution: Execution | undefined): Record<string, number> {
  const events = execution?.events ?? [];
  const byId = new Map<number, JournalEvent>(events.map((e) => [e.id, e]));
  const stateOf = (event: JournalEvent): string | undefined => {
    for (let e: JournalEvent | undefined = event; e; e = byId.get(e.previousEventId))
      if (e.type.endsWith('StateEntered')) return String(e.details?.name);
    return undefined;
  };
  const attempts: Record<string, number> = {};
  for (const e of events) {
    if (
      !['TaskScheduled', 'LambdaFunctionScheduled', 'ParallelStateStarted', 'MapStateStarted'].includes(
        e.type,
      )
    )
      continue;
    const name = stateOf(e);
    if (name !== undefined) attempts[name] = (attempts[name] ?? 0) + 1;
  }
  return Object.fromEntries(
    Object.entries(attempts)
      .map(([name, n]) => [name, n - 1] as const)
      .filter(([, n]) => n > 0),
  );
}
