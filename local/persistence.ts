import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRecord, LocalEventBridge } from './eventbridge/bus';
import type { LocalQueues } from './sqs';
import { ExecutionJournal, type Retention } from './stepfunctions/journal/store';
import { MessageStore } from './storage/messages';

/** What the data directory restores and then journals. */
interface JournaledServices {
  readonly eventBridge: LocalEventBridge;
  readonly queues: LocalQueues;
}

/**
 * The runtime's state in its data directory, so that it survives a restart, and a crash (kill -9) loses
 * nothing an API call had acknowledged:
 * - `dynamodb/`: dynalite's own files (the tables);
 * - `executions.db`: the Step Functions journal (SQLite): every execution and every history event, written
 *   as it is appended; running executions resume from it after a restart (see ExecutionJournal);
 * - `messages.db`: the events the buses accepted, with the rules they matched and their deliveries, and
 *   every queue's messages (SQLite, see MessageStore), each change written before the call that made it
 *   returns. Events whose deliveries had not ended are delivered again at the next start.
 *
 * The `events.jsonl` and `queues.json` of earlier versions are imported once, then renamed `*.imported`.
 */
export class DataDirectory {
  private constructor(
    readonly path: string,
    private readonly services: JournaledServices,
    /** The Step Functions journal. */
    readonly executions: ExecutionJournal,
    /** The bus records and queue messages. */
    readonly messages: MessageStore,
  ) {
    services.eventBridge.onRecordChange = (record, settled) => messages.putRecord(record, settled);
    services.queues.onChange = (queue, change) => messages.applyQueueChange(queue.arn, change);
  }

  /**
   * Opens the Step Functions journal first of all: it refuses a data directory another runtime holds
   * (with a message saying so) before dynalite's files are touched.
   */
  static claim(path: string, retention?: Retention): ExecutionJournal {
    mkdirSync(path, { recursive: true });
    return new ExecutionJournal(path, retention);
  }

  /** Where dynalite keeps the tables. */
  static dynamoDbPath(path: string): string {
    mkdirSync(join(path, 'dynamodb'), { recursive: true });
    return join(path, 'dynamodb');
  }

  /**
   * Restores what an earlier run left in `path`, then journals every change from now on. Events accepted
   * but not delivered to all their targets when that run stopped are delivered again (in the background).
   */
  static open(
    path: string,
    services: JournaledServices,
    executions: ExecutionJournal,
    retention?: Retention,
  ): DataDirectory {
    const messages = new MessageStore(path, retention);
    importLegacyFiles(path, services, messages);
    services.queues.restore(messages.queues(services.queues.all()));
    const { recent, unsettled } = messages.records();
    services.eventBridge.restore(recent);
    const directory = new DataDirectory(path, services, executions, messages);
    services.eventBridge.redeliver(unsettled);
    return directory;
  }

  /**
   * Stops journaling the bus and the queues: what changes from now on (a delivery that ends late, what a
   * task call abandoned by a stop still does) is not kept. An event whose deliveries had not all ended
   * therefore stays unsettled here and is delivered again at the next start, and an abandoned task, which
   * runs again then, leaves nothing twice.
   */
  detach(): void {
    this.services.eventBridge.onRecordChange = undefined;
    this.services.queues.onChange = undefined;
  }

  /** Stops journaling and closes the journals. */
  async close(): Promise<void> {
    this.detach();
    this.executions.close();
    this.messages.close();
  }
}

/** Moves an `events.jsonl` and a `queues.json` of an earlier version into the store, once. */
function importLegacyFiles(path: string, services: JournaledServices, messages: MessageStore): void {
  const eventsFile = join(path, 'events.jsonl');
  if (existsSync(eventsFile)) {
    // The journal appended a record when accepted and again when delivered: the last line of each wins.
    const records = new Map<string, EventRecord>();
    for (const r of readJournal<EventRecord & { receivedAt: string }>(eventsFile))
      records.set(r.event.id, { ...r, receivedAt: new Date(r.receivedAt) });
    messages.putRecords(records.values(), true);
    renameSync(eventsFile, `${eventsFile}.imported`);
  }
  const queuesFile = join(path, 'queues.json');
  if (existsSync(queuesFile)) {
    const { queues } = services;
    const snapshot = JSON.parse(readFileSync(queuesFile, 'utf8')) as { queues?: Record<string, unknown> };
    queues.restore(snapshot);
    for (const q of queues.all())
      if (snapshot.queues?.[q.arn] !== undefined) messages.replaceQueue(q.arn, q.createdAt, q.messages);
    renameSync(queuesFile, `${queuesFile}.imported`);
  }
}

function readJournal<T>(file: string): T[] {
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
