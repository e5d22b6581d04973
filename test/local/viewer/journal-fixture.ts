import type { JournalEvent } from '../../../local/stepfunctions/journal/history';
import { type ExecutionJournal, summaryOf } from '../../../local/stepfunctions/journal/store';

/** An execution as a fixture writes it: ended (or still running) at the given times, with its trigger's user. */
export interface FixtureExecution {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly userId: string;
  /** Epoch ms. */
  readonly startMs: number;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
}

/**
 * Writes an execution through the journal as the interpreter would journal its start and end (the states'
 * events are left out: the executions list reads none of them), without running anything.
 */
export function journalExecution(journal: ExecutionJournal, e: FixtureExecution): string {
  const executionArn = `${e.stateMachineArn.replace(':stateMachine:', ':execution:')}:${e.name}`;
  const input = { source: 'app.accounts', 'detail-type': 'Account Requested', detail: { userId: e.userId } };
  journal.create({
    executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    input: JSON.stringify(input),
  });
  const events: JournalEvent[] = [
    { id: 1, previousEventId: 0, timestamp: e.startMs, type: 'ExecutionStarted', details: { input } },
  ];
  journal.append(executionArn, events[0] as JournalEvent, summaryOf(events) as never);
  if (e.status !== 'RUNNING') {
    const end: JournalEvent =
      e.status === 'SUCCEEDED'
        ? {
            id: 2,
            previousEventId: 1,
            timestamp: e.startMs + 1000,
            type: 'ExecutionSucceeded',
            details: { output: { outcome: 'completed', decision: 'approved' } },
          }
        : {
            id: 2,
            previousEventId: 1,
            timestamp: e.startMs + 1000,
            type: 'ExecutionFailed',
            details: { error: 'Fixture.Failed', cause: 'written by a test fixture' },
          };
    events.push(end);
    journal.append(executionArn, end, summaryOf(events) as never);
  }
  journal.release(executionArn);
  return executionArn;
}
