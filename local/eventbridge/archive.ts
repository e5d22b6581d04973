import { randomUUID } from 'node:crypto';
import { AwsError, UnsupportedTemplateError } from '../errors';
import type { Resource } from '../template';
import { type BusEvent, busNameOf, type LocalEventBridge, type LocalRule } from './bus';
import { type EventPattern, matchesPattern, parsePattern } from './pattern';
import { parseEventPattern } from './rules-admin';
import type { EventBridgeStore } from './store';

/*
 * EventBridge archives and replays (EventBridge User Guide, "Archiving and replaying events"; API reference,
 * CreateArchive ... CancelReplay). An archive keeps the events of its source bus that match its pattern (all
 * of them without one) for its retention; a replay delivers the archived events of [EventStartTime,
 * EventEndTime) again to the rules it names (all the bus's rules without FilterArns), each with `replay-name`
 * set, and moves STARTING -> RUNNING -> COMPLETED (or CANCELLING -> CANCELLED). Replayed events are not
 * archived again. The template's archives are the CDK app's: the runtime keeps them read-only.
 */

/** Archive names: `[\.\-_A-Za-z0-9]+`, 1 to 48 characters; replay names 1 to 64 (API reference). */
const ARCHIVE_NAME = /^[.\-_A-Za-z0-9]{1,48}$/;
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const DAY_MS = 24 * 3600 * 1000;
/** How often (in events archived) a long-running runtime drops events past their archive's retention. */
const EXPIRE_EVERY = 1_000;

export interface ArchiveSettings {
  readonly name: string;
  readonly arn: string;
  readonly sourceArn: string;
  readonly busName: string;
  readonly description?: string;
  readonly patternJson?: string;
  /** 0: kept indefinitely (API reference, CreateArchive `RetentionDays`). */
  readonly retentionDays: number;
  readonly creationTime: number;
  /** From the template (read-only) or created through the API. */
  readonly local: boolean;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface Replay {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly archiveName: string;
  readonly eventSourceArn: string;
  readonly destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
  readonly eventStartTime: number;
  readonly eventEndTime: number;
  state: ReplayState;
  stateReason?: string;
  replayStartTime: number;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
}

interface LoadedArchive extends ArchiveSettings {
  readonly pattern?: EventPattern;
}

export class Archives {
  private readonly archives = new Map<string, LoadedArchive>();
  private readonly replays = new Map<string, Replay>();
  private readonly running = new Set<Promise<void>>();
  /** Set as the runtime stops: replays under way stop where they are (the next start says they failed). */
  private halted = false;
  private archivedSinceExpiry = 0;

  constructor(
    resources: Iterable<Resource>,
    private readonly bus: LocalEventBridge,
    private readonly store: EventBridgeStore,
  ) {
    for (const r of resources) {
      if (r.type !== 'AWS::Events::Archive') continue;
      const p = r.properties;
      const sourceArn = String(p.SourceArn);
      const busName = busNameOf(sourceArn);
      if (!bus.buses.has(busName))
        throw new UnsupportedTemplateError(
          `${r.logicalId}: the archive's source ${sourceArn} is not a bus of the template.`,
        );
      const patternJson = p.EventPattern === undefined ? undefined : JSON.stringify(p.EventPattern);
      this.archives.set(r.ref, {
        name: r.ref,
        arn: r.attributes.Arn as string,
        sourceArn,
        busName,
        ...(typeof p.Description === 'string' ? { description: p.Description } : {}),
        ...(patternJson === undefined ? {} : { patternJson, pattern: parsePattern(patternJson) }),
        retentionDays: Number(p.RetentionDays ?? 0),
        creationTime: Date.now(),
        local: false,
      });
    }
    for (const stored of store.archives()) {
      const settings = JSON.parse(stored.body) as ArchiveSettings;
      if (this.archives.has(settings.name) || !bus.buses.has(settings.busName)) {
        console.warn(
          `local runtime: the archive ${settings.name} a team created is not restored: its bus is gone or the template now has an archive of that name.`,
        );
        continue;
      }
      this.archives.set(settings.name, this.load(settings));
    }
    for (const archive of this.archives.values()) this.expire(archive);
    for (const stored of store.replays()) {
      const replay = JSON.parse(stored.body) as Replay;
      // A replay the last run left under way does not go on: it says why it stopped.
      if (replay.state === 'STARTING' || replay.state === 'RUNNING') {
        replay.state = 'FAILED';
        replay.stateReason =
          'The local runtime stopped during the replay; start a new one for the rest of the window.';
        replay.replayEndTime = Date.now();
      } else if (replay.state === 'CANCELLING') {
        replay.state = 'CANCELLED';
        replay.replayEndTime = Date.now();
      }
      this.replays.set(replay.name, replay);
      store.putReplay(replay.name, JSON.stringify(replay));
    }
    bus.onEventAccepted = (busName, event) => this.keep(busName, event);
  }

  /** Keeps an event the bus accepted in each archive of its bus whose pattern it matches. */
  private keep(busName: string, event: BusEvent): void {
    for (const archive of this.archives.values()) {
      if (archive.busName !== busName) continue;
      if (archive.pattern && !matchesPattern(archive.pattern, event)) continue;
      this.store.archiveEvent(archive.name, Date.now(), JSON.stringify(event));
      if (++this.archivedSinceExpiry >= EXPIRE_EVERY) {
        this.archivedSinceExpiry = 0;
        for (const each of this.archives.values()) this.expire(each);
      }
    }
  }

  createArchive(params: {
    ArchiveName: string;
    EventSourceArn: string;
    Description?: string;
    EventPattern?: string;
    RetentionDays?: number;
  }): { ArchiveArn: string; State: 'ENABLED'; CreationTime: Date } {
    checkName('archiveName', params.ArchiveName, ARCHIVE_NAME, 48);
    const busName = busNameOf(params.EventSourceArn);
    const bus = this.bus.buses.get(busName);
    if (!bus || !params.EventSourceArn.startsWith('arn:'))
      throw new AwsError('ResourceNotFoundException', `Event bus ${params.EventSourceArn} does not exist.`);
    const retentionDays = params.RetentionDays ?? 0;
    if (!Number.isInteger(retentionDays) || retentionDays < 0)
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${retentionDays}' at 'retentionDays' failed to satisfy constraint: Member must have value greater than or equal to 0`,
      );
    if (params.EventPattern !== undefined) parseEventPattern(params.EventPattern);
    if (this.archives.has(params.ArchiveName))
      throw new AwsError('ResourceAlreadyExistsException', `Archive ${params.ArchiveName} already exists.`);
    const { region, account } = this.bus.env;
    const settings: ArchiveSettings = {
      name: params.ArchiveName,
      arn: `arn:aws:events:${region}:${account}:archive/${params.ArchiveName}`,
      sourceArn: bus.arn,
      busName,
      ...(params.Description === undefined ? {} : { description: params.Description }),
      ...(params.EventPattern === undefined ? {} : { patternJson: params.EventPattern }),
      retentionDays,
      creationTime: Date.now(),
      local: true,
    };
    this.store.putArchive(settings.name, JSON.stringify(settings));
    this.archives.set(settings.name, this.load(settings));
    return { ArchiveArn: settings.arn, State: 'ENABLED', CreationTime: new Date(settings.creationTime) };
  }

  describeArchive(params: { ArchiveName: string }) {
    const archive = this.archive(params.ArchiveName);
    this.expire(archive);
    const { count, bytes } = this.store.archiveSize(archive.name);
    return {
      ArchiveArn: archive.arn,
      ArchiveName: archive.name,
      EventSourceArn: archive.sourceArn,
      ...(archive.description === undefined ? {} : { Description: archive.description }),
      ...(archive.patternJson === undefined ? {} : { EventPattern: archive.patternJson }),
      State: 'ENABLED',
      RetentionDays: archive.retentionDays,
      SizeBytes: bytes,
      EventCount: count,
      CreationTime: new Date(archive.creationTime),
    };
  }

  /** ListArchives' entries, filtered as its NamePrefix, EventSourceArn and State ask. */
  listArchives(params: { NamePrefix?: string; EventSourceArn?: string; State?: string }) {
    return (
      [...this.archives.values()]
        .filter((a) => a.name.startsWith(params.NamePrefix ?? ''))
        .filter((a) => params.EventSourceArn === undefined || a.sourceArn === params.EventSourceArn)
        // The runtime's archives are ENABLED from the moment they are created.
        .filter(() => params.State === undefined || params.State === 'ENABLED')
        .map((a) => {
          const {
            ArchiveArn: _arn,
            Description: _d,
            EventPattern: _p,
            ...entry
          } = this.describeArchive({
            ArchiveName: a.name,
          });
          return entry;
        })
    );
  }

  deleteArchive(params: { ArchiveName: string }): void {
    const archive = this.archive(params.ArchiveName);
    if (!archive.local)
      throw new AwsError(
        'ValidationException',
        `Archive ${archive.name} belongs to the CDK app's template, which the local runtime keeps read-only: change it in the CDK app (stacks/) and restart the runtime.`,
      );
    this.archives.delete(archive.name);
    this.store.deleteArchive(archive.name);
  }

  startReplay(params: {
    ReplayName: string;
    Description?: string;
    EventSourceArn: string;
    EventStartTime: number | string;
    EventEndTime: number | string;
    Destination: { Arn?: string; FilterArns?: string[] };
  }): { ReplayArn: string; State: ReplayState; ReplayStartTime: Date } {
    checkName('replayName', params.ReplayName, REPLAY_NAME, 64);
    const archive = [...this.archives.values()].find((a) => a.arn === params.EventSourceArn);
    if (!archive)
      throw new AwsError('ResourceNotFoundException', `Archive ${params.EventSourceArn} does not exist.`);
    const start = timestamp(params.EventStartTime, 'eventStartTime');
    const end = timestamp(params.EventEndTime, 'eventEndTime');
    if (start >= end)
      throw new AwsError(
        'ValidationException',
        'Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.',
      );
    const destination = params.Destination ?? {};
    if (typeof destination.Arn !== 'string')
      throw new AwsError(
        'ValidationException',
        "1 validation error detected: Value null at 'destination.arn' failed to satisfy constraint: Member must not be null",
      );
    if (busNameOf(destination.Arn) !== archive.busName || destination.Arn !== archive.sourceArn)
      throw new AwsError(
        'ValidationException',
        `Parameter Destination.Arn is not valid. Reason: a replay goes to the archive's own event bus, ${archive.sourceArn}.`,
      );
    const rules = this.destinationRules(archive.busName, destination.FilterArns);
    if (this.replays.has(params.ReplayName))
      throw new AwsError('ResourceAlreadyExistsException', `Replay ${params.ReplayName} already exists.`);
    const { region, account } = this.bus.env;
    const replay: Replay = {
      name: params.ReplayName,
      arn: `arn:aws:events:${region}:${account}:replay/${params.ReplayName}`,
      ...(params.Description === undefined ? {} : { description: params.Description }),
      archiveName: archive.name,
      eventSourceArn: archive.arn,
      destination: {
        Arn: destination.Arn,
        ...(destination.FilterArns ? { FilterArns: destination.FilterArns } : {}),
      },
      eventStartTime: start,
      eventEndTime: end,
      state: 'STARTING',
      replayStartTime: Date.now(),
    };
    this.replays.set(replay.name, replay);
    this.save(replay);
    const run = this.run(replay, archive.busName, rules).finally(() => this.running.delete(run));
    this.running.add(run);
    return { ReplayArn: replay.arn, State: replay.state, ReplayStartTime: new Date(replay.replayStartTime) };
  }

  describeReplay(params: { ReplayName: string }) {
    const replay = this.replay(params.ReplayName);
    return {
      ReplayName: replay.name,
      ReplayArn: replay.arn,
      ...(replay.description === undefined ? {} : { Description: replay.description }),
      ...this.summary(replay),
      Destination: replay.destination,
    };
  }

  listReplays(params: { NamePrefix?: string; State?: string; EventSourceArn?: string }) {
    return [...this.replays.values()]
      .filter((r) => r.name.startsWith(params.NamePrefix ?? ''))
      .filter((r) => params.State === undefined || r.state === params.State)
      .filter((r) => params.EventSourceArn === undefined || r.eventSourceArn === params.EventSourceArn)
      .map((r) => ({ ReplayName: r.name, ...this.summary(r) }));
  }

  /** CancelReplay: a replay that has ended cannot be (IllegalStatusException, API reference). */
  cancelReplay(params: { ReplayName: string }): {
    ReplayArn: string;
    State: ReplayState;
    StateReason?: string;
  } {
    const replay = this.replay(params.ReplayName);
    if (replay.state !== 'STARTING' && replay.state !== 'RUNNING')
      throw new AwsError(
        'IllegalStatusException',
        `Replay ${replay.name} is ${replay.state} and cannot be cancelled: only a STARTING or RUNNING replay can.`,
      );
    replay.state = 'CANCELLING';
    replay.stateReason = 'Cancelled by CancelReplay.';
    this.save(replay);
    return { ReplayArn: replay.arn, State: replay.state, StateReason: replay.stateReason };
  }

  /** Resolves when every replay under way has ended. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Stops the replays under way, before the store closes; they stay RUNNING in it, FAILED at the next start. */
  async halt(): Promise<void> {
    this.halted = true;
    await this.settle();
  }

  private async run(replay: Replay, busName: string, rules: readonly LocalRule[] | undefined): Promise<void> {
    // StartReplay answers STARTING; the events go out afterwards, as EventBridge's do.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.halted) return;
    if (replay.state === 'CANCELLING') return this.end(replay, 'CANCELLED');
    replay.state = 'RUNNING';
    this.save(replay);
    const events = this.store.archivedEvents(replay.archiveName, replay.eventStartTime, replay.eventEndTime);
    for (const { timeMs, body } of events) {
      if (this.halted) return;
      if ((replay.state as ReplayState) === 'CANCELLING') return this.end(replay, 'CANCELLED');
      const archived = JSON.parse(body) as BusEvent;
      // A new id, so the bus's records keep the original event and its replay apart; `replay-name` tells a
      // consumer which replay delivered it (User Guide, "Archiving and replaying events").
      const event = { ...archived, id: randomUUID(), 'replay-name': replay.name } as BusEvent;
      // The destination's rules as they are now: all of the bus's, or those the replay names.
      this.bus.replay(busName, event, rules ?? this.bus.rules);
      replay.eventLastReplayedTime = timeMs;
      this.save(replay);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.end(replay, (replay.state as ReplayState) === 'CANCELLING' ? 'CANCELLED' : 'COMPLETED');
  }

  private end(replay: Replay, state: 'COMPLETED' | 'CANCELLED'): void {
    replay.state = state;
    if (state === 'COMPLETED') delete replay.stateReason;
    replay.replayEndTime = Date.now();
    this.save(replay);
  }

  /** The rules a replay's FilterArns name (each a rule of the bus), or undefined for all of the bus's. */
  private destinationRules(
    busName: string,
    filterArns: readonly string[] | undefined,
  ): LocalRule[] | undefined {
    if (filterArns === undefined || filterArns.length === 0) return undefined;
    return filterArns.map((arn) => {
      const rule = this.bus.rules.find((r) => r.arn === arn && r.busName === busName);
      if (!rule)
        throw new AwsError(
          'ValidationException',
          `Parameter Destination.FilterArns is not valid. Reason: ${arn} is not a rule of event bus ${busName}.`,
        );
      return rule;
    });
  }

  private summary(replay: Replay) {
    const date = (ms: number | undefined) => (ms === undefined ? {} : { value: new Date(ms) });
    const optional = (key: string, ms: number | undefined) => {
      const d = date(ms);
      return 'value' in d ? { [key]: d.value } : {};
    };
    return {
      EventSourceArn: replay.eventSourceArn,
      State: replay.state,
      ...(replay.stateReason === undefined ? {} : { StateReason: replay.stateReason }),
      EventStartTime: new Date(replay.eventStartTime),
      EventEndTime: new Date(replay.eventEndTime),
      ...optional('EventLastReplayedTime', replay.eventLastReplayedTime),
      ReplayStartTime: new Date(replay.replayStartTime),
      ...optional('ReplayEndTime', replay.replayEndTime),
    };
  }

  private archive(name: string): LoadedArchive {
    const archive = this.archives.get(name);
    if (!archive) throw new AwsError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return archive;
  }

  private replay(name: string): Replay {
    const replay = this.replays.get(name);
    if (!replay) throw new AwsError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return replay;
  }

  private load(settings: ArchiveSettings): LoadedArchive {
    return settings.patternJson === undefined
      ? settings
      : { ...settings, pattern: parsePattern(settings.patternJson) };
  }

  /** Drops the archive's events older than its retention (none when kept indefinitely). */
  private expire(archive: ArchiveSettings): void {
    if (archive.retentionDays > 0)
      this.store.expireArchived(archive.name, Date.now() - archive.retentionDays * DAY_MS);
  }

  private save(replay: Replay): void {
    this.store.putReplay(replay.name, JSON.stringify(replay));
  }
}

function checkName(member: string, name: string, pattern: RegExp, max: number): void {
  if (!pattern.test(name))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and ${max}`,
    );
}

/** A request timestamp (epoch seconds, or a date string) in epoch ms, or AWS's ValidationException. */
function timestamp(value: number | string | undefined, member: string): number {
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value ${value === undefined ? 'null' : `'${value}'`} at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  return ms;
}
