import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { EventRecord, LocalEventBridge } from './eventbridge/bus';
import type { LocalQueues } from './sqs';
import {
  type EventLog,
  type Execution,
  INTERRUPTED_ERROR,
  type LocalStepFunctions,
  markInterrupted,
} from './stepfunctions/service';

type Stored<T> = Omit<T, 'done' | 'abort'>;

/** What the data directory restores and then journals. */
interface JournaledServices {
  readonly stepFunctions: LocalStepFunctions;
  readonly eventBridge: LocalEventBridge;
  readonly queues: LocalQueues;
}

/**
 * The runtime's state in its data directory, so that it survives a restart:
 * - `dynamodb/`: dynalite's own files (the tables);
 * - `executions.jsonl`: a journal with a line when an execution starts and when it ends (the last wins);
 * - `events.jsonl`: a journal of the events the buses accepted, with the rules they matched and deliveries;
 * - `queues.json`: every queue's messages, rewritten shortly after each change.
 *
 * Journals are compacted when the runtime starts. An execution that was still running when the runtime
 * stopped cannot be resumed (the engine keeps no checkpoint): it is restored as FAILED with the error
 * `LocalRuntime.Interrupted`, so it is never silently lost.
 */
export class DataDirectory {
  private readonly executionsJournal: WriteStream;
  private readonly eventsJournal: WriteStream;
  private queuesTimer?: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly services: JournaledServices,
  ) {
    this.executionsJournal = createWriteStream(join(path, 'executions.jsonl'), { flags: 'a' });
    this.eventsJournal = createWriteStream(join(path, 'events.jsonl'), { flags: 'a' });
    services.stepFunctions.onExecutionChange = (e) => this.journal(e);
    services.eventBridge.onRecordChange = (r) => this.eventsJournal.write(`${JSON.stringify(r)}\n`);
    services.queues.onChange = () => this.scheduleQueuesWrite();
  }

  /** Where dynalite keeps the tables. */
  static dynamoDbPath(path: string): string {
    mkdirSync(join(path, 'dynamodb'), { recursive: true });
    return join(path, 'dynamodb');
  }

  /** Restores what an earlier run left in `path`, then journals every change from now on. */
  static open(path: string, services: JournaledServices): DataDirectory {
    mkdirSync(path, { recursive: true });
    const now = new Date();
    const executions = [
      ...lastByKey(readJournal<Stored<Execution>>(join(path, 'executions.jsonl')), (e) => e.executionArn),
    ].map((stored) => reviveExecution(stored, now));
    compact(join(path, 'executions.jsonl'), executions.map(stored));
    const records = [
      ...lastByKey(readJournal<EventRecord>(join(path, 'events.jsonl')), (r) => r.event.id),
    ].map((r) => ({ ...r, receivedAt: new Date(r.receivedAt) }));
    compact(join(path, 'events.jsonl'), records);
    const queuesFile = join(path, 'queues.json');
    if (existsSync(queuesFile)) services.queues.restore(JSON.parse(readFileSync(queuesFile, 'utf8')));

    services.stepFunctions.restore(executions);
    services.eventBridge.restore(records);
    return new DataDirectory(path, services);
  }

  private journal(execution: Execution): void {
    this.executionsJournal.write(`${JSON.stringify(stored(execution))}\n`);
  }

  private scheduleQueuesWrite(): void {
    // Queue changes come in bursts (a receive touches several messages): write once per burst.
    this.queuesTimer ??= setTimeout(() => this.writeQueues(), 100);
  }

  private writeQueues(): void {
    clearTimeout(this.queuesTimer);
    this.queuesTimer = undefined;
    atomicWrite(join(this.path, 'queues.json'), JSON.stringify(this.services.queues.snapshot()));
  }

  /**
   * Stops journaling, writes what is pending and closes the journals. Executions still running stay
   * journaled as running, so the next start restores them as interrupted.
   */
  async close(): Promise<void> {
    // Journal how far each running execution got, so its history after the restart shows it (after a
    // crash only its start line is there).
    for (const execution of this.services.stepFunctions.executions.values())
      if (execution.status === 'RUNNING') this.journal(execution);
    this.services.stepFunctions.onExecutionChange = undefined;
    this.services.eventBridge.onRecordChange = undefined;
    this.services.queues.onChange = undefined;
    this.writeQueues();
    await Promise.all(
      [this.executionsJournal, this.eventsJournal].map((s) => new Promise<void>((resolve) => s.end(resolve))),
    );
  }
}

function stored(e: Execution): Stored<Execution> {
  const { done: _done, abort: _abort, ...rest } = e;
  return rest;
}

function reviveExecution(s: Stored<Execution>, now: Date): Execution {
  const execution: Execution = {
    ...s,
    startDate: new Date(s.startDate),
    ...(s.stopDate ? { stopDate: new Date(s.stopDate) } : {}),
    done: Promise.resolve(),
  };
  if (execution.status !== 'RUNNING') return execution;
  // The runtime stopped while this execution ran: its history is what was journaled (how far it got, or
  // only its start after a crash) and this ending.
  const cause = `The local runtime stopped while this execution was running; it was not resumed after the restart at ${now.toISOString()}. Start it again (a new name) to run it.`;
  markInterrupted(execution, cause, now);
  const started = execution.events.find((e) => e.type === 'ExecutionStarted');
  if (!started)
    execution.events.push({
      type: 'ExecutionStarted',
      timestamp: execution.startDate.getTime(),
      input: JSON.parse(execution.input),
    } as EventLog);
  execution.events.push({
    type: 'ExecutionFailed',
    timestamp: now.getTime(),
    Error: INTERRUPTED_ERROR,
    Cause: cause,
  } as EventLog);
  return execution;
}

function readJournal<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        // A line cut short by a crash: everything before it is intact.
        return [];
      }
    });
}

function lastByKey<T>(items: T[], key: (item: T) => string): Iterable<T> {
  return new Map(items.map((item) => [key(item), item])).values();
}

function compact(file: string, items: unknown[]): void {
  atomicWrite(file, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
}

function atomicWrite(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}
