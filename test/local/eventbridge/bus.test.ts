import type { LocalApp } from '../../../local/app';
import { AwsError } from '../../../local/errors';
import type { BusEvent, PutEventsRequestEntry } from '../../../local/eventbridge/bus';
import { thrownBy } from '../../support/errors';
import { BUS, startApp } from '../../support/local';

/** An entry no workflow rule matches: only the audit rule sees it. */
function entry(fields: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    Source: 'test.bus',
    DetailType: 'Bus Tested',
    Detail: JSON.stringify({ n: 1 }),
    EventBusName: BUS,
    ...fields,
  };
}

function eventIdOf(result: unknown): string {
  if (result === null || typeof result !== 'object' || !('EventId' in result))
    throw new Error(`Not an accepted entry: ${JSON.stringify(result)}`);
  return String(result.EventId);
}

describe('LocalEventBridge.putEvents', () => {
  let app: LocalApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.stop());
  afterEach(async () => {
    app.eventBridge.faults.length = 0;
    await app.settle();
  });

  const auditLog = (): BusEvent[] => {
    const arn = app.resource('AWS::Logs::LogGroup', 'AuditLog').attributes.Arn as string;
    return (app.logs.get(arn) ?? []).map((line) => JSON.parse(line) as BusEvent);
  };

  it.each([
    ['no entries', 0],
    ['11 entries', 11],
  ])('rejects a request with %s as a ValidationException', (_label, count) => {
    // Prepare
    const entries = Array.from({ length: count }, (_, i) => entry({ Detail: JSON.stringify({ i }) }));
    const recorded = app.eventBridge.records.length;

    // Act
    const error = thrownBy(() => app.eventBridge.putEvents(entries));

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'ValidationException' });
    expect(app.eventBridge.records).toHaveLength(recorded);
  });

  it('accepts a request with 10 entries', () => {
    // Prepare
    const entries = Array.from({ length: 10 }, (_, i) => entry({ Detail: JSON.stringify({ i }) }));

    // Act
    const response = app.eventBridge.putEvents(entries);

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries).toHaveLength(10);
  });

  it('rejects a request over 256 KiB in total as a ValidationException, even when each entry is smaller', () => {
    // Prepare
    const half = JSON.stringify({ padding: 'x'.repeat(140 * 1024) });
    const entries = [entry({ Detail: half }), entry({ Detail: half })];
    const recorded = app.eventBridge.records.length;

    // Act
    const error = thrownBy(() => app.eventBridge.putEvents(entries));

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'ValidationException' });
    expect(app.eventBridge.records).toHaveLength(recorded);
  });

  it('rejects a single entry over 256 KiB as a ValidationException', () => {
    // Prepare
    const detail = JSON.stringify({ padding: 'é'.repeat(130 * 1024) });

    // Act
    const error = thrownBy(() => app.eventBridge.putEvents([entry({ Detail: detail })]));

    // Assess
    expect(error).toMatchObject({ code: 'ValidationException' });
  });

  it.each(['Source', 'DetailType', 'Detail'] as const)(
    'fails an entry without %s as InvalidArgument',
    (field) => {
      // Prepare
      const missing = entry();
      delete missing[field];

      // Act
      const response = app.eventBridge.putEvents([missing]);

      // Assess
      expect(response.FailedEntryCount).toBe(1);
      expect(response.Entries[0]).toMatchObject({ ErrorCode: 'InvalidArgument' });
      expect((response.Entries[0] as { ErrorMessage: string }).ErrorMessage).toContain(field);
    },
  );

  it.each(['[1]', 'nope', 'null', '42', '"text"', '{"unterminated":'])(
    'fails an entry whose Detail %s is not a JSON object as MalformedDetail',
    (detail) => {
      // Prepare
      const malformed = entry({ Detail: detail });

      // Act
      const response = app.eventBridge.putEvents([malformed]);

      // Assess
      expect(response).toEqual({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: expect.any(String) }],
      });
    },
  );

  it('fails an entry for an unknown bus, naming the bus', () => {
    // Prepare
    const lost = entry({ EventBusName: 'no-such-bus' });

    // Act
    const response = app.eventBridge.putEvents([lost]);

    // Assess
    expect(response.FailedEntryCount).toBe(1);
    expect(response.Entries[0]).toMatchObject({ ErrorCode: expect.any(String) });
    expect(response.Entries[0]).not.toHaveProperty('EventId');
    expect((response.Entries[0] as { ErrorMessage: string }).ErrorMessage).toContain('no-such-bus');
  });

  it('accepts a bus by its ARN', () => {
    // Prepare
    const arn = app.resource('AWS::Events::EventBus', 'Bus').attributes.Arn as string;

    // Act
    const response = app.eventBridge.putEvents([entry({ EventBusName: arn })]);

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    const id = eventIdOf(response.Entries[0]);
    expect(app.eventBridge.records.find((r) => r.event.id === id)?.busName).toBe(BUS);
  });

  it('answers entries in request order and counts only the failed ones', () => {
    // Prepare
    const entries = [
      entry({ Detail: JSON.stringify({ position: 0 }) }),
      entry({ Source: undefined }),
      entry({ Detail: JSON.stringify({ position: 2 }) }),
      entry({ Detail: '[1]' }),
      entry({ Detail: JSON.stringify({ position: 4 }) }),
    ];

    // Act
    const response = app.eventBridge.putEvents(entries);

    // Assess
    expect(response.FailedEntryCount).toBe(2);
    expect(response.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'ok',
      'InvalidArgument',
      'ok',
      'MalformedDetail',
      'ok',
    ]);
    const positions = [0, 2, 4].map(
      (i) => app.eventBridge.records.find((r) => r.event.id === eventIdOf(response.Entries[i]))?.event.detail,
    );
    expect(positions).toEqual([{ position: 0 }, { position: 2 }, { position: 4 }]);
  });

  it('gives events a time with second precision', () => {
    // Prepare
    const entries = [entry({ Time: new Date('2024-05-01T12:34:56.789Z') }), entry()];

    // Act
    const response = app.eventBridge.putEvents(entries);

    // Assess
    const [given, now] = response.Entries.map(
      (e) => app.eventBridge.records.find((r) => r.event.id === eventIdOf(e))?.event.time,
    );
    expect(given).toBe('2024-05-01T12:34:56Z');
    expect(now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('delivers every event on the bus, and only that bus, into the audit log group', async () => {
    // Prepare
    const entries = [
      entry({ Source: 'test.alpha', DetailType: 'Alpha' }),
      entry({ Source: 'test.beta', DetailType: 'Beta', Resources: ['arn:aws:test:::thing'] }),
      entry({ Source: 'app.accounts', DetailType: 'Nothing Listens' }),
      entry({ Source: 'test.default', EventBusName: 'default' }),
    ];

    // Act
    const response = app.eventBridge.putEvents(entries);
    await app.settle();

    // Assess
    const ids = response.Entries.map(eventIdOf);
    const audited = auditLog();
    const onBus = ids.slice(0, 3).map((id) => app.eventBridge.records.find((r) => r.event.id === id)?.event);
    expect(onBus.map((event) => audited.find((a) => a.id === event?.id))).toEqual(onBus);
    expect(audited.map((a) => a.id)).not.toContain(ids[3]);
    const allOnBus = app.eventBridge.records.filter((r) => r.busName === BUS).map((r) => r.event.id);
    expect(audited.map((a) => a.id).sort()).toEqual(allOnBus.sort());
  });

  it('fails exactly the next 2 entries matching an injected fault, and only those', () => {
    // Prepare
    app.eventBridge.faults.push({ remaining: 2, errorCode: 'InternalFailure', source: 'test.faulty' });
    const faulty = entry({ Source: 'test.faulty' });
    const healthy = entry({ Source: 'test.healthy' });

    // Act
    const first = app.eventBridge.putEvents([healthy, faulty, healthy]);
    const second = app.eventBridge.putEvents([faulty, faulty, healthy]);

    // Assess
    const codes = (response: typeof first) =>
      response.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'));
    expect(codes(first)).toEqual(['ok', 'InternalFailure', 'ok']);
    expect(first.FailedEntryCount).toBe(1);
    expect(codes(second)).toEqual(['InternalFailure', 'ok', 'ok']);
    expect(second.FailedEntryCount).toBe(1);
    expect(app.eventBridge.faults[0]?.remaining).toBe(0);
  });

  it('fails matching entries with a fault filtered by detail type, leaving other detail types alone', () => {
    // Prepare
    app.eventBridge.faults.push({
      remaining: Number.POSITIVE_INFINITY,
      errorCode: 'ThrottlingException',
      detailType: 'Throttled',
    });

    // Act
    const response = app.eventBridge.putEvents([
      entry({ DetailType: 'Throttled' }),
      entry({ DetailType: 'Fine' }),
      entry({ DetailType: 'Throttled', Source: 'test.other' }),
    ]);

    // Assess
    expect(response.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'ThrottlingException',
      'ok',
      'ThrottlingException',
    ]);
  });

  it('does not spend an injected fault on an entry that fails validation', () => {
    // Prepare
    app.eventBridge.faults.push({ remaining: 1, errorCode: 'InternalFailure', source: 'test.faulty' });

    // Act
    const invalid = app.eventBridge.putEvents([entry({ Source: 'test.faulty', Detail: 'nope' })]);
    const next = app.eventBridge.putEvents([entry({ Source: 'test.faulty' })]);

    // Assess
    expect(invalid.Entries[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(next.Entries[0]).toMatchObject({ ErrorCode: 'InternalFailure' });
  });
});
