import { detailsOf, eventsOf, failWith, LAMBDA, runAsl, single, stateCause } from './support';

const passItem = { StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } };
const inline = (states: object) => ({ ProcessorConfig: { Mode: 'INLINE' }, ...states });

describe('Map state', () => {
  // recorded: tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json "test_map_state"
  it('runs one iteration per item and records MapStateStarted{length} and iteration events', async () => {
    const definition = {
      StartAt: 'StartState',
      States: {
        StartState: { Type: 'Pass', Result: [1, 'Hello', {}, null], ResultPath: '$.arr', Next: 'MapState' },
        MapState: {
          Type: 'Map',
          ResultPath: null,
          InputPath: '$.arr',
          MaxConcurrency: 1,
          ItemProcessor: inline(passItem),
          Next: 'Final',
        },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, {});
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ arr: [1, 'Hello', {}, null] });
    const iteration = ['MapIterationStarted', 'PassStateEntered', 'PassStateExited', 'MapIterationSucceeded'];
    expect(run.types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapStateEntered',
      'MapStateStarted',
      ...iteration,
      ...iteration,
      ...iteration,
      ...iteration,
      'MapStateSucceeded',
      'MapStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'MapStateStarted')).toEqual({ length: 4 });
    expect(eventsOf(run, 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails)).toEqual([
      { index: 0, name: 'MapState' },
      { index: 1, name: 'MapState' },
      { index: 2, name: 'MapState' },
      { index: 3, name: 'MapState' },
    ]);
    expect(
      eventsOf(run, 'MapIterationSucceeded').map((e) => e.mapIterationSucceededEventDetails?.index),
    ).toEqual([0, 1, 2, 3]);
    expect(detailsOf(run, 'PassStateEntered', 1).input).toBe(1);
    expect(detailsOf(run, 'PassStateEntered', 4).input).toBeNull();
    expect(detailsOf(run, 'MapStateExited')).toMatchObject({
      name: 'MapState',
      output: { arr: [1, 'Hello', {}, null] },
    });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state" (event ids 5..19)
  it('links iteration events to the previous iteration as AWS does', async () => {
    const run = await runAsl(
      single({ Type: 'Map', MaxConcurrency: 1, ItemProcessor: inline(passItem) }, 'MapState'),
      ['a', 'b'],
    );
    // 1 Started, 2 MapStateEntered, 3 MapStateStarted, 4 IterStarted, 5 Entered, 6 Exited, 7 IterSucceeded,
    // 8 IterStarted(<6), 9, 10, 11 IterSucceeded, 12 MapStateSucceeded(<11), 13 MapStateExited(<11)
    expect(run.history.map((e) => [e.type, e.previousEventId])).toEqual([
      ['ExecutionStarted', 0],
      ['MapStateEntered', 0],
      ['MapStateStarted', 2],
      ['MapIterationStarted', 3],
      ['PassStateEntered', 4],
      ['PassStateExited', 5],
      ['MapIterationSucceeded', 6],
      ['MapIterationStarted', 6],
      ['PassStateEntered', 8],
      ['PassStateExited', 9],
      ['MapIterationSucceeded', 10],
      ['MapStateSucceeded', 11],
      ['MapStateExited', 11],
      ['ExecutionSucceeded', 13],
    ]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_items_input_array[empty]"
  it('succeeds at once over an empty array', async () => {
    const run = await runAsl(single({ Type: 'Map', ItemProcessor: inline(passItem) }, 'MapIterateState'), []);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual([]);
    expect(run.types).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(detailsOf(run, 'MapStateStarted')).toEqual({ length: 0 });
  });

  const shipped = {
    detail: {
      'delivery-partner': 'UQS',
      shipped: [
        { prod: 'R31', 'dest-code': 9511, quantity: 1344 },
        { prod: 'S39', 'dest-code': 9511, quantity: 40 },
      ],
    },
  };
  const selected = (n: number) => ({
    original_input: shipped.detail,
    iteration_input_value: shipped.detail.shipped[n],
    iteration_index: n,
    from_input_constant: 'UQS',
    constant_value: 'HelloWorld',
  });
  const selector = {
    'original_input.$': '$',
    'iteration_input_value.$': '$$.Map.Item.Value',
    'iteration_index.$': '$$.Map.Item.Index',
    'from_input_constant.$': '$.delivery-partner',
    constant_value: 'HelloWorld',
  };

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_item_selector"
  it('builds each item input with ItemSelector over ItemsPath', async () => {
    const definition = single({
      Type: 'Map',
      ResultPath: '$.detail.shipped_output',
      InputPath: '$.detail',
      ItemsPath: '$.shipped',
      MaxConcurrency: 1,
      ItemSelector: selector,
      ItemProcessor: inline(passItem),
    });
    const run = await runAsl(definition, shipped);
    // ResultPath applies to the raw state input, not to the InputPath selection
    expect(run.output).toEqual({ detail: { ...shipped.detail, shipped_output: [selected(0), selected(1)] } });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_parameters_legacy"
  it('supports the legacy Iterator with Parameters', async () => {
    const definition = single({
      Type: 'Map',
      ItemsPath: '$.detail.shipped',
      MaxConcurrency: 1,
      Parameters: {
        ...selector,
        'from_input_constant.$': '$.detail.delivery-partner',
        'original_input.$': '$.detail',
      },
      Iterator: passItem,
    });
    const run = await runAsl(definition, shipped);
    expect(run.output).toEqual([selected(0), selected(1)]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_legacy"
  it('runs a legacy Iterator without ProcessorConfig', async () => {
    const run = await runAsl(
      single({ Type: 'Map', MaxConcurrency: 1, Iterator: passItem }, 'MapState'),
      [1, 2],
    );
    expect(run.output).toEqual([1, 2]);
    expect(detailsOf(run, 'MapStateStarted')).toEqual({ length: 2 });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_no_processor_config"
  it('runs an ItemProcessor without ProcessorConfig inline', async () => {
    const run = await runAsl(single({ Type: 'Map', ItemProcessor: passItem }), ['x']);
    expect(run.output).toEqual(['x']);
  });

  // ASL spec, "Map State": results keep the order of the items whatever the concurrency
  it('keeps item order in its output with unlimited concurrency', async () => {
    const run = await runAsl(
      single({ Type: 'Map', ItemProcessor: inline(passItem), ItemSelector: { 'i.$': '$$.Map.Item.Index' } }),
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(run.output).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })));
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_max_concurrency_path[0]" and "[1]"
  it.each([0, 1])('reads MaxConcurrencyPath %i', async (MaxConcurrencyValue) => {
    const definition = {
      StartAt: 'MapState',
      States: {
        MapState: {
          Type: 'Map',
          ItemsPath: '$.Values',
          MaxConcurrencyPath: '$.MaxConcurrencyValue',
          ItemProcessor: inline(passItem),
          Next: 'Final',
        },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, { MaxConcurrencyValue, Values: ['HelloWorld'] });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual(['HelloWorld']);
    expect(run.types).toHaveLength(12);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_max_concurrency_path[NoNumber]" and "[max_concurrency_value0]"
  it.each([
    ['NoNumber', '"NoNumber"'],
    [{}, '"{}"'],
  ])('fails with States.Runtime for MaxConcurrencyPath value %j', async (MaxConcurrencyValue, shown) => {
    const definition = single(
      {
        Type: 'Map',
        ItemsPath: '$.Values',
        MaxConcurrencyPath: '$.MaxConcurrencyValue',
        ItemProcessor: inline(passItem),
      },
      'MapState',
    );
    const run = await runAsl(definition, { MaxConcurrencyValue, Values: ['HelloWorld'] });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
    expect(run.cause).toBe(
      stateCause(
        'MapState',
        2,
        `The MaxConcurrencyPath field refers to value ${shown} which is not a valid integer: $.MaxConcurrencyValue`,
      ),
    );
    expect(run.types).toEqual(['ExecutionStarted', 'MapStateEntered', 'ExecutionFailed']);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_catch"
  it('catches an iteration failure on the Map state', async () => {
    const definition = {
      StartAt: 'MapState',
      States: {
        MapState: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: inline({
            StartAt: 'HandleItemFail',
            States: {
              HandleItemFail: { Type: 'Fail', Error: 'HandleItemFailError', Cause: 'HandleItemFailCause' },
            },
          }),
          Catch: [{ ErrorEquals: ['HandleItemFailError'], Next: 'FinalCaught' }],
          Next: 'Final',
        },
        FinalCaught: { Type: 'Pass', End: true },
        Final: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, [1]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ Error: 'HandleItemFailError', Cause: 'HandleItemFailCause' });
    expect(run.history.map((e) => [e.type, e.previousEventId])).toEqual([
      ['ExecutionStarted', 0],
      ['MapStateEntered', 0],
      ['MapStateStarted', 2],
      ['MapIterationStarted', 3],
      ['FailStateEntered', 4],
      ['MapIterationFailed', 5],
      ['MapStateFailed', 5],
      ['MapStateExited', 7],
      ['PassStateEntered', 8],
      ['PassStateExited', 9],
      ['ExecutionSucceeded', 10],
    ]);
    expect(detailsOf(run, 'MapIterationFailed')).toEqual({ index: 0, name: 'MapState' });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_retry"
  it('reruns the whole Map on Retry, recording MapStateStarted per attempt', async () => {
    const definition = single(
      {
        Type: 'Map',
        MaxConcurrency: 1,
        ItemProcessor: inline({
          StartAt: 'HandleItemFail',
          States: {
            HandleItemFail: { Type: 'Fail', Error: 'HandleItemFailError', Cause: 'HandleItemFailCause' },
          },
        }),
        Retry: [{ ErrorEquals: ['HandleItemFailError'], MaxAttempts: 2 }],
      },
      'MapState',
    );
    const run = await runAsl(definition, [1]);
    expect(run.error).toBe('HandleItemFailError');
    expect(run.cause).toBe('HandleItemFailCause');
    const attempt = ['MapStateStarted', 'MapIterationStarted', 'FailStateEntered', 'MapIterationFailed'];
    expect(run.types).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      ...attempt,
      ...attempt,
      ...attempt,
      'MapStateFailed',
      'ExecutionFailed',
    ]);
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_catch_empty_fail"
  it('fails with no error or cause when the failing item names none', async () => {
    const definition = single(
      {
        Type: 'Map',
        ItemProcessor: inline({ StartAt: 'HandleItemFail', States: { HandleItemFail: { Type: 'Fail' } } }),
      },
      'MapState',
    );
    const run = await runAsl(definition, [1]);
    expect(run.status).toBe('FAILED');
    expect(detailsOf(run, 'ExecutionFailed')).toEqual({});
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_nested"
  it('runs a nested Map with the inner items', async () => {
    const definition = single(
      {
        Type: 'Map',
        MaxConcurrency: 1,
        ItemProcessor: inline({
          StartAt: 'Inner',
          States: { Inner: { Type: 'Map', MaxConcurrency: 1, ItemProcessor: inline(passItem), End: true } },
        }),
      },
      'Outer',
    );
    const run = await runAsl(definition, [
      [1, 2],
      [3, 4],
    ]);
    expect(run.output).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(eventsOf(run, 'MapStateStarted').map((e) => e.mapStateStartedEventDetails?.length)).toEqual([
      2, 2, 2,
    ]);
    expect(eventsOf(run, 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails?.name)).toEqual([
      'Outer',
      'Inner',
      'Inner',
      'Outer',
      'Inner',
      'Inner',
    ]);
  });

  // ASL spec, "Map State": ItemsPath must select an array
  it('fails with States.Runtime when ItemsPath is not an array', async () => {
    const run = await runAsl(
      single({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: inline(passItem) }, 'M'),
      {
        items: 'no',
      },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Runtime');
  });

  // ASL spec, "Map State": tasks in iterations get the item as input
  it('passes each item to a task in the processor', async () => {
    const seen: unknown[] = [];
    const definition = single({
      Type: 'Map',
      MaxConcurrency: 1,
      ItemProcessor: inline({ StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } }),
    });
    const run = await runAsl(definition, [{ n: 1 }, { n: 2 }], {
      tasks: {
        [LAMBDA]: (p) => {
          seen.push(p);
          return (p as { n: number }).n * 10;
        },
      },
    });
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(run.output).toEqual([10, 20]);
  });
});

describe('Map tolerated failures', () => {
  // AWS documents ToleratedFailureCount/Percentage for Distributed Map; the error and cause are recorded in
  // tests/aws/.../v2/test_state/test_state_configuration.snapshot.json "test_map_state_failure_count[INFO-BASE_MAP_STATE_CATCH]"
  const failing = (extra: Record<string, unknown>) =>
    single({
      Type: 'Map',
      MaxConcurrency: 1,
      ItemProcessor: inline({ StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } }),
      ...extra,
    });
  const throwing = { [LAMBDA]: (p: unknown) => (p === 'bad' ? failWith('Item.Failed', 'bad item')(p) : p) };

  // recorded: tests/aws/.../v2/test_state/test_state_configuration.snapshot.json "test_map_state_failure_count[...]"
  it('fails with States.ExceedToleratedFailureThreshold when failures exceed ToleratedFailureCount', async () => {
    const run = await runAsl(failing({ ToleratedFailureCount: 1 }), ['bad', 'ok', 'bad'], {
      tasks: throwing,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(run.cause).toBe('The specified tolerated failure threshold was exceeded');
  });

  // ASL / developer guide, "Distributed Map": failures within the threshold let the Map succeed
  it('succeeds when failures stay within ToleratedFailureCount', async () => {
    const run = await runAsl(failing({ ToleratedFailureCount: 2 }), ['bad', 'ok', 'bad'], {
      tasks: throwing,
    });
    expect(run.status).toBe('SUCCEEDED');
  });

  // ASL / developer guide, "Distributed Map": ToleratedFailurePercentage is a share of all items
  it('applies ToleratedFailurePercentage', async () => {
    const within = await runAsl(failing({ ToleratedFailurePercentage: 50 }), ['bad', 'ok', 'ok', 'ok'], {
      tasks: throwing,
    });
    expect(within.status).toBe('SUCCEEDED');
    const over = await runAsl(failing({ ToleratedFailurePercentage: 20 }), ['bad', 'ok', 'ok', 'ok'], {
      tasks: throwing,
    });
    expect(over.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  // recorded: .../v2/test_state/test_state_configuration.snapshot.json "test_map_state_failure_count[INFO-BASE_MAP_STATE_CATCH]"
  it('lets a Catch handle States.ExceedToleratedFailureThreshold', async () => {
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: inline({
            StartAt: 'T',
            States: { T: { Type: 'Task', Resource: LAMBDA, End: true } },
          }),
          ToleratedFailureCount: 0,
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'HandleThreshold' }],
          End: true,
        },
        HandleThreshold: { Type: 'Pass', End: true },
      },
    };
    const run = await runAsl(definition, ['bad'], { tasks: throwing });
    expect(run.output).toEqual({
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: 'The specified tolerated failure threshold was exceeded',
    });
  });

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_tolerated_failure_count_path[-1]" and "[NoNumber]"
  it.each([
    [-1, 'ToleratedFailureCount cannot be negative.'],
    [
      'NoNumber',
      'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.ToleratedFailureCount',
    ],
  ])(
    'fails with States.Runtime for ToleratedFailureCountPath value %j',
    async (ToleratedFailureCount, text) => {
      const definition = single(
        {
          Type: 'Map',
          ItemsPath: '$.Items',
          ToleratedFailureCountPath: '$.ToleratedFailureCount',
          ItemProcessor: inline(passItem),
        },
        'MapState',
      );
      const run = await runAsl(definition, { Items: [0], ToleratedFailureCount });
      expect(run.error).toBe('States.Runtime');
      expect(run.cause).toBe(stateCause('MapState', 2, text));
    },
  );

  // recorded: .../scenarios/test_base_scenarios.snapshot.json "test_map_state_tolerated_failure_percentage_path[100.1]" and "[-1]"
  it.each([100.1, -1])(
    'fails with States.Runtime for ToleratedFailurePercentagePath value %d',
    async (ToleratedFailurePercentage) => {
      const definition = single(
        {
          Type: 'Map',
          ItemsPath: '$.Items',
          ToleratedFailurePercentagePath: '$.ToleratedFailurePercentage',
          ItemProcessor: inline(passItem),
        },
        'MapState',
      );
      const run = await runAsl(definition, { Items: [0], ToleratedFailurePercentage });
      expect(run.error).toBe('States.Runtime');
      expect(run.cause).toBe(
        stateCause('MapState', 2, 'ToleratedFailurePercentage must be between 0 and 100.'),
      );
    },
  );
});
