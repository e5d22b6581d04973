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
import { ExecutionJournal, type Retention } from './stepfunctions/journal/store';

/** What the data directory restores and then journals. */
interface JournaledServices {
  readonly eventBridge: LocalEventBridge;
  readonly queues: LocalQueues;
}

/**
 * The runtime's state in its data directory, so that it survives a restart:
 * - `dynamodb/`: dynalite's own files (the tables);
 * - `executions.db`: the Step Functions journal (SQLite): every execution and every history event, written
 *   as it is appended; running executions resume from it after a restart (see ExecutionJournal);
 * - `events.jsonl`: a journal of the events the buses accepted, with the rules they matched and deliveries;
 * - `queues.json`: every queue's messages, rewritten shortly after each change.
 */
export class DataDirectory {
  private readonly eventsJournal: WriteStream;
  private queuesTimer?: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly services: JournaledServices,
    /** The Step Functions journal. */
    readonly executions: ExecutionJournal,
  ) {
    this.eventsJournal = createWriteStream(join(path, 'events.jsonl'), { flags: 'a' });
    services.eventBridge.onRecordChange = (r) => this.eventsJournal.write(`${JSON.stringify(r)}\n`);
    services.queues.onChange = () => this.scheduleQueuesWrite();
  }

  /** Where dynalite keeps the tables. */
  static dynamoDbPath(path: string): string {
    mkdirSync(join(path, 'dynamodb'), { recursive: true });
    return join(path, 'dynamodb');
  }

  /** Restores what an earlier run left in `path`, then journals every change from now on. */
  static open(path: string, services: JournaledServices, retention?: Retention): DataDirectory {
    mkdirSync(path, { recursive: true });
    const executions = new ExecutionJournal(path, retention);
    const records = [
      ...lastByKey(readJournal<EventRecord>(join(path, 'events.jsonl')), (r) => r.event.id),
    ].map((r) => ({ ...r, receivedAt: new Date(r.receivedAt) }));
    compact(join(path, 'events.jsonl'), records);
    const queuesFile = join(path, 'queues.json');
    if (existsSync(queuesFile)) services.queues.restore(JSON.parse(readFileSync(queuesFile, 'utf8')));
    services.eventBridge.restore(records);
    return new DataDirectory(path, services, executions);
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

  /** Stops journaling, writes what is pending and closes the journals. */
  async close(): Promise<void> {
    this.services.eventBridge.onRecordChange = undefined;
    this.services.queues.onChange = undefined;
    this.writeQueues();
    this.executions.close();
    await new Promise<void>((resolve) => this.eventsJournal.end(resolve));
  }
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
