import { detailsOf, runAsl, single, stateCause } from './support';

const WAIT_TYPES = ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded'];

describe('Wait state', () => {
  // recorded: tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json "test_base_wait_seconds_path[1]"
  it('waits Seconds and passes its input on', async () => {
    const run = await runAsl(single({ Type: 'Wait', Seconds: 60 }, 'WaitState'), { a: 1 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ a: 1 });
    expect(run.types).toEqual(WAIT_TYPES);
    expect(detailsOf(run, 'WaitStateEntered')).toMatchObject({ name: 'WaitState', input: { a: 1 } });
    expect(detailsOf(run, 'WaitStateExited')).toMatchObject({ name: 'WaitState', output: { a: 1 } });
  });

  // recorded: .../v2/base/test_wait.snapshot.json "test_base_wait_seconds_path[0]" and "[1]"
  it.each([0, 1])('waits SecondsPath %i', async (waitSeconds) => {
    const run = await runAsl(single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'), {
      input: { waitSeconds },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ input: { waitSeconds } });
    expect(run.types).toEqual(WAIT_TYPES);
  });

  // recorded: .../v2/base/test_wait.snapshot.json "test_base_wait_seconds_path[-1]"
  it('fails with States.Runtime for a negative SecondsPath value', async () => {
    const run = await runAsl(single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'), {
      input: { waitSeconds: -1 },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'WaitState',
        2,
        'The SecondsPath parameter references a negative value: $.input.waitSeconds == -1',
      ),
    );
    expect(run.types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionFailed']);
  });

  // recorded: .../v2/base/test_wait.snapshot.json "test_base_wait_seconds_path[1.5]" and "[-1.5]"
  it.each([1.5, -1.5])(
    'fails with States.Runtime for the non-integer SecondsPath value %d',
    async (waitSeconds) => {
      const run = await runAsl(single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'), {
        input: { waitSeconds },
      });
      expect(run.error).toBe('States.Runtime');
      expect(run.cause).toBe(
        stateCause(
          'WaitState',
          2,
          `The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == ${waitSeconds}`,
        ),
      );
    },
  );

  // recorded: tests/aws/.../v2/logs/test_logs.snapshot.json (ExecutionFailed of the missing SecondsPath)
  it('fails with States.Runtime when SecondsPath is not in the input', async () => {
    const run = await runAsl(single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'), {});
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'WaitState',
        2,
        'The SecondsPath parameter does not reference an input value: $.input.waitSeconds',
      ),
    );
  });

  // recorded: .../v2/scenarios/test_base_scenarios.snapshot.json "test_wait_timestamp[SECONDS]" and "[NANOSECONDS]"
  it.each(['2016-03-14T01:59:00Z', '2016-03-05T21:29:29.243167252Z'])(
    'does not wait for the past Timestamp %s',
    async (Timestamp) => {
      const run = await runAsl(single({ Type: 'Wait', Timestamp }, 'WaitUntil'), {});
      expect(run.status).toBe('SUCCEEDED');
      expect(run.output).toEqual({});
      expect(run.types).toEqual(WAIT_TYPES);
    },
  );

  // recorded: .../v2/base/test_wait.snapshot.json "test_wait_timestamppath[Z]", "[.000000Z]", "[.00Z]"
  it.each([
    '2030-01-01T00:00:00Z',
    '2030-01-01T00:00:00.000000Z',
    '2030-01-01T00:00:00.00Z',
    '2030-01-01T00:00:00+01:00',
  ])('waits until the TimestampPath value %s', async (start_at) => {
    const run = await runAsl(single({ Type: 'Wait', TimestampPath: '$.start_at' }, 'State_1'), { start_at });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ start_at });
    expect(run.types).toEqual(WAIT_TYPES);
  });

  // recorded: .../v2/scenarios/test_base_scenarios.snapshot.json "test_wait_timestamp_path[NO_T]", "[NO_Z]", "[INVALID_DATE]", "[INVALID_TIME]", "[INVALID_ISO]"
  it.each([
    '2016-12-05 21:29:29Z',
    '2016-12-05T21:29:29',
    '2016-13-05T21:29:29Z',
    '2016-12-05T25:29:29Z',
    '05-12-2016T21:29:29Z',
  ])('fails with States.Runtime for the TimestampPath value %s', async (TimestampValue) => {
    const run = await runAsl(single({ Type: 'Wait', TimestampPath: '$.TimestampValue' }, 'WaitUntil'), {
      TimestampValue,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'WaitUntil',
        2,
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == ${TimestampValue}`,
      ),
    );
    expect(run.types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionFailed']);
  });

  // ASL spec, "Wait State": InputPath and OutputPath apply to a Wait state
  it('applies InputPath and OutputPath', async () => {
    const run = await runAsl(single({ Type: 'Wait', Seconds: 1, InputPath: '$.a', OutputPath: '$.b' }), {
      a: { b: 'kept' },
    });
    expect(run.output).toBe('kept');
  });

  // ASL spec, "Wait State": a Wait followed by another state
  it('moves to Next after waiting', async () => {
    const run = await runAsl(
      {
        StartAt: 'Wait',
        States: {
          Wait: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
          Done: { Type: 'Pass', Result: 'done', End: true },
        },
      },
      {},
    );
    expect(run.output).toBe('done');
    expect(run.types).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
