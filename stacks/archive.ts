import { type Duration, Stack } from 'aws-cdk-lib';
import { Archive, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface BusArchiveProps {
  readonly prefix: string;
  readonly bus: IEventBus;
  /** How long archived events are kept (stacks/config.ts, `-c archiveRetentionDays=...`). */
  readonly retention: Duration;
}

/**
 * The bus's archive: every event put on the app bus by this account (its producers and the workflows), kept for
 * `retention` so that an operator or a downstream team can replay a window of them (README, "For downstream
 * teams"). A replay into the workflows changes no user's state: the version claim ends each replayed trigger as
 * a duplicate or stale.
 */
export class BusArchive extends Construct {
  readonly archive: Archive;

  constructor(scope: Construct, id: string, { prefix, bus, retention }: BusArchiveProps) {
    super(scope, id);
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: bus,
      archiveName: `${prefix}-bus`,
      description: `Every event on ${prefix}'s bus, for replays.`,
      // An archive needs a pattern; the account's own events are all that reach this bus.
      eventPattern: { account: [Stack.of(this).account] },
      retention,
    });
  }
}
