import { AwsError } from '../../../local/errors';
import {
  assertValidDefinition,
  type Diagnostic,
  validateDefinition,
} from '../../../local/stepfunctions/engine/validate';

const validate = (definition: unknown, type?: 'STANDARD' | 'EXPRESS') =>
  validateDefinition(JSON.stringify(definition), type ? { type } : undefined);

const error = (code: string, message: string, location?: string): Diagnostic =>
  location === undefined
    ? { severity: 'ERROR', code, message }
    : { severity: 'ERROR', code, message, location };

const pass = { Type: 'Pass', End: true };

describe('validateDefinition', () => {
  it('returns no diagnostics for a valid JSONPath and a valid JSONata machine', () => {
    expect(
      validate({
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { 'Payload.$': '$.detail', 'Id.$': 'States.UUID()', FunctionName: 'f' },
            ResultSelector: { 'out.$': '$.Payload' },
            ResultPath: '$.result',
            Retry: [
              {
                ErrorEquals: ['Lambda.ServiceException'],
                MaxAttempts: 3,
                BackoffRate: 2,
                JitterStrategy: 'FULL',
              },
            ],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
            Next: 'Choose',
          },
          Choose: {
            Type: 'Choice',
            Choices: [{ Variable: '$.result.out', IsPresent: true, Next: 'Done' }],
            Default: 'Failed',
          },
          Done: { Type: 'Succeed' },
          Failed: { Type: 'Fail', Error: 'Failed' },
        },
      }),
    ).toEqual([]);
    expect(
      validate({
        QueryLanguage: 'JSONata',
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            Items: '{% $states.input.items %}',
            ItemProcessor: {
              StartAt: 'Double',
              States: { Double: { Type: 'Pass', Output: '{% $states.input * 2 %}', End: true } },
            },
            Assign: { total: '{% $sum($states.result) %}' },
            Next: 'Check',
          },
          Check: {
            Type: 'Choice',
            Choices: [{ Condition: '{% $total > 10 %}', Next: 'Big' }],
            Default: 'Small',
          },
          Big: { Type: 'Succeed', Output: { total: '{% $total %}' } },
          Small: { Type: 'Wait', Seconds: '{% $total %}', End: true },
        },
      }),
    ).toEqual([]);
  });

  // test_sfn_api_validation.snapshot.json, test_validate_state_machine_definition_not_a_definition.
  it('rejects an empty string, text that is not JSON, and an empty object as AWS does', () => {
    expect(validateDefinition('')).toEqual([
      error('SCHEMA_VALIDATION_FAILED', 'Definition must be a valid JSON object'),
    ]);
    expect(validateDefinition('not a definition')).toEqual([
      error(
        'INVALID_JSON_DESCRIPTION',
        "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]",
        '[Source: (String)"not a definition"; line: 1, column: 4]',
      ),
    ]);
    expect(validateDefinition('{}')).toEqual([
      error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [States, StartAt]', '/'),
    ]);
  });

  it('never throws, whatever the input', () => {
    for (const text of [
      'null',
      '[]',
      '"x"',
      '{"StartAt":1,"States":[]}',
      '{"StartAt":"A","States":{"A":null}}',
    ]) {
      expect(() => validateDefinition(text)).not.toThrow();
      expect(validateDefinition(text).length).toBeGreaterThan(0);
    }
  });

  // test_sfn_api_validation.snapshot.json, INVALID_BASE_NO_STARTAT.
  it('rejects a machine without StartAt', () => {
    expect(validate({ States: { A: pass } })).toEqual([
      error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [StartAt]', '/'),
    ]);
  });

  // localstack/localstack#12487 (AWS's CreateStateMachine answer) and floci-io/floci#2786 (measured):
  // "Missing 'Next' target: <name>" at the field, for Next, Choices[i]/Next, Default and Catch[i]/Next.
  it('rejects transitions to states that do not exist, in each position', () => {
    const diagnostics = validate({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Nope1' }],
          Next: 'C',
        },
        C: {
          Type: 'Choice',
          Choices: [{ Variable: '$.x', IsPresent: true, Next: 'Nope2' }],
          Default: 'Nope3',
        },
        End: { Type: 'Succeed' },
      },
    }).filter((d) => d.code === 'MISSING_TRANSITION_TARGET' && d.message.startsWith('Missing'));
    expect(diagnostics).toEqual([
      error('MISSING_TRANSITION_TARGET', "Missing 'Next' target: Nope1", '/States/T/Catch[0]/Next'),
      error('MISSING_TRANSITION_TARGET', "Missing 'Next' target: Nope2", '/States/C/Choices[0]/Next'),
      error('MISSING_TRANSITION_TARGET', "Missing 'Next' target: Nope3", '/States/C/Default'),
    ]);
  });

  // serverless-operations/serverless-step-functions#250 (AWS's message): "Missing 'Next' target: X at /StartAt".
  it('rejects a StartAt that names no state', () => {
    expect(validate({ StartAt: 'Nope', States: { A: pass } })).toContainEqual(
      error('MISSING_TRANSITION_TARGET', "Missing 'Next' target: Nope", '/StartAt'),
    );
  });

  // floci-io/floci#2786: "State \"C\" is not reachable." at /States/C.
  it('rejects a state nothing transitions to', () => {
    expect(validate({ StartAt: 'A', States: { A: pass, C: pass } })).toEqual([
      error('MISSING_TRANSITION_TARGET', 'State "C" is not reachable.', '/States/C'),
    ]);
  });

  // floci-io/floci#2786: a loop has one diagnostic, without location, and it hides unreachable states;
  // a dangling target comes before it.
  it('rejects a workflow with no terminal state, and reports nothing unreachable then', () => {
    const loop = {
      A: { Type: 'Pass', Next: 'B' },
      B: { Type: 'Pass', Next: 'A' },
      Lost: { Type: 'Pass', Next: 'A' },
    };
    expect(validate({ StartAt: 'A', States: loop })).toEqual([
      error('MISSING_END_STATE', 'Workflow has no terminal state'),
    ]);
    expect(validate({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'NOPE' } } })).toEqual([
      error('MISSING_TRANSITION_TARGET', "Missing 'Next' target: NOPE", '/States/A/Next'),
      error('MISSING_END_STATE', 'Workflow has no terminal state'),
    ]);
  });

  it('checks each Parallel branch and Map processor as its own scope', () => {
    const diagnostics = validate({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'B1', States: { B1: { Type: 'Pass', Next: 'Outside' } } }],
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'I1', States: { I1: pass, I2: pass } },
          Next: 'Outside',
        },
        Outside: { Type: 'Succeed' },
      },
    });
    expect(diagnostics).toEqual([
      error(
        'MISSING_TRANSITION_TARGET',
        "Missing 'Next' target: Outside",
        '/States/P/Branches[0]/States/B1/Next',
      ),
      error('MISSING_END_STATE', 'Workflow has no terminal state'),
      error('MISSING_TRANSITION_TARGET', 'State "I2" is not reachable.', '/States/M/ItemProcessor/States/I2'),
    ]);
  });

  // Step Functions Local's answer quoted in LocalStack's test_stepfunctions_v2.py: "Duplicate State name:
  // Add at /States/Add"; names are unique across the whole machine (spec, "States").
  it('rejects a state name used twice across scopes', () => {
    const diagnostics = validate({
      StartAt: 'P',
      States: { P: { Type: 'Parallel', Branches: [{ StartAt: 'P', States: { P: pass } }], End: true } },
    });
    expect(diagnostics).toEqual([
      error('DUPLICATE_STATE_NAME', 'Duplicate State name: P', '/States/P/Branches[0]/States/P'),
    ]);
  });

  it('rejects a state name longer than 80 characters', () => {
    const name = 'N'.repeat(81);
    expect(validate({ StartAt: name, States: { [name]: pass } }).map((d) => d.code)).toEqual([
      'INVALID_STATE_NAME',
    ]);
  });

  // scenarios/test_base_scenarios.snapshot.json (via CreateStateMachine's InvalidDefinition message).
  it('rejects an unknown state type', () => {
    expect(validate({ StartAt: 'X', States: { X: { Type: 'Wrong', End: true } } })).toEqual([
      error(
        'SCHEMA_VALIDATION_FAILED',
        "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
        '/States/X/Type',
      ),
    ]);
  });

  // floci-io/floci#2735 (measured): "Field 'TimeoutSeconds' is not supported" at the state.
  it('rejects fields a state type does not have', () => {
    expect(
      validate({
        StartAt: 'M',
        States: {
          M: { Type: 'Map', TimeoutSeconds: 3, Iterator: { StartAt: 'I', States: { I: pass } }, End: true },
        },
      }),
    ).toEqual([error('SCHEMA_VALIDATION_FAILED', "Field 'TimeoutSeconds' is not supported", '/States/M')]);
    expect(
      validate({
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsNull: true, Next: 'D' }], End: true },
          D: { Type: 'Succeed' },
        },
      }),
    ).toContainEqual(error('SCHEMA_VALIDATION_FAILED', "Field 'End' is not supported", '/States/C'));
  });

  it('rejects required fields that are missing or empty', () => {
    const codes = (states: object) => validate({ StartAt: 'S', States: { S: states } });
    expect(codes({ Type: 'Task', End: true })).toEqual([
      error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Resource]', '/States/S'),
    ]);
    // test_state_mock_validation.snapshot.json: "Value cannot be empty at /States/StateName/Branches".
    expect(codes({ Type: 'Parallel', Branches: [], End: true })).toEqual([
      error('SCHEMA_VALIDATION_FAILED', 'Value cannot be empty', '/States/S/Branches'),
    ]);
    expect(codes({ Type: 'Wait', End: true }).map((d) => d.location)).toEqual(['/States/S']);
    expect(
      codes({ Type: 'Wait', Seconds: 1, Timestamp: '2024-01-01T00:00:00Z', End: true }).map(
        (d) => d.location,
      ),
    ).toEqual(['/States/S']);
    expect(codes({ Type: 'Pass' }).map((d) => d.code)).toEqual([
      'SCHEMA_VALIDATION_FAILED',
      'MISSING_END_STATE',
    ]);
    expect(codes({ Type: 'Pass', Next: 'S', End: true }).map((d) => d.code)).toEqual([
      'SCHEMA_VALIDATION_FAILED',
    ]);
  });

  // scenarios/test_base_scenarios.snapshot.json: "String does not match RFC3339 timestamp at
  // /States/WaitUntil/Timestamp".
  it('rejects a Wait Timestamp that is not RFC 3339', () => {
    expect(
      validate({
        StartAt: 'WaitUntil',
        States: { WaitUntil: { Type: 'Wait', Timestamp: '2016-03-14 01:59:00', End: true } },
      }),
    ).toEqual([
      error(
        'SCHEMA_VALIDATION_FAILED',
        'String does not match RFC3339 timestamp',
        '/States/WaitUntil/Timestamp',
      ),
    ]);
  });

  // credentials/test_credentials_base.snapshot.json.
  it('rejects Credentials without RoleArn', () => {
    expect(
      validate({
        StartAt: 'State0',
        States: {
          State0: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Credentials: {}, End: true },
        },
      }),
    ).toEqual([
      error(
        'SCHEMA_VALIDATION_FAILED',
        "The field 'RoleArn' is required but was missing",
        '/States/State0/Credentials',
      ),
    ]);
  });

  // test_sfn_api_express.snapshot.json and test_sfn_api_validation.snapshot.json, ILLEGAL_WFTT.
  it('rejects .waitForTaskToken, .sync and activities in an EXPRESS machine only', () => {
    const machine = (Resource: string) => ({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource, End: true } },
    });
    const messages = (Resource: string) =>
      validate(machine(Resource), 'EXPRESS').map((d) => `${d.message}|${d.location}`);
    expect(messages('arn:aws:states:::sqs:sendMessage.waitForTaskToken')).toEqual([
      "Express state machine does not support '.waitForTaskToken' service integration |/States/T/Resource",
    ]);
    expect(messages('arn:aws:states:::states:startExecution.sync:2')).toEqual([
      "Express state machine does not support '.sync' service integration|/States/T/Resource",
    ]);
    expect(messages('arn:aws:states:us-east-1:111111111111:activity:A')).toEqual([
      'Express state machine does not support Activity ARN|/States/T/Resource',
    ]);
    expect(validate(machine('arn:aws:states:::sqs:sendMessage.waitForTaskToken'), 'STANDARD')).toEqual([]);
  });

  // services/test_dynamodb_task_service.snapshot.json for the wording.
  it('rejects a Resource that is not an ARN', () => {
    expect(
      validate({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'lambda', End: true } } }),
    ).toEqual([
      error(
        'SCHEMA_VALIDATION_FAILED',
        'The resource provided lambda is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.',
        '/States/T/Resource',
      ),
    ]);
  });

  it('rejects retriers out of range and States.ALL that is not alone and last', () => {
    const diagnostics = validate({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Retry: [
            {
              ErrorEquals: ['States.ALL', 'States.Timeout'],
              MaxAttempts: -1,
              IntervalSeconds: 0,
              BackoffRate: 0.5,
            },
            { ErrorEquals: ['X'], MaxDelaySeconds: 0, JitterStrategy: 'HALF' },
          ],
          Catch: [{ ErrorEquals: [], Next: 'T' }],
          End: true,
        },
      },
    });
    expect(diagnostics.map((d) => d.location)).toEqual([
      '/States/T/Retry[0]/ErrorEquals',
      '/States/T/Retry[0]',
      '/States/T/Retry[0]/IntervalSeconds',
      '/States/T/Retry[0]/MaxAttempts',
      '/States/T/Retry[0]/BackoffRate',
      '/States/T/Retry[1]/MaxDelaySeconds',
      '/States/T/Retry[1]/JitterStrategy',
      '/States/T/Catch[0]/ErrorEquals',
    ]);
    expect(diagnostics.every((d) => d.code === 'SCHEMA_VALIDATION_FAILED')).toBe(true);
  });

  // scenarios/test_base_scenarios.snapshot.json: "The value for the field 'parsed.$' must be a valid JSONPath
  // or a valid intrinsic function call at /States/IntrinsicEscape/Parameters".
  it('rejects JSONPath fields that are not paths', () => {
    const diagnostics = validate({
      StartAt: 'IntrinsicEscape',
      States: {
        IntrinsicEscape: {
          Type: 'Pass',
          Parameters: { 'parsed.$': 'not a path' },
          InputPath: 'x',
          ResultPath: '$.a[*]',
          End: true,
        },
      },
    });
    expect(diagnostics).toEqual([
      error(
        'SCHEMA_VALIDATION_FAILED',
        "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call",
        '/States/IntrinsicEscape/Parameters',
      ),
      error(
        'SCHEMA_VALIDATION_FAILED',
        "The value for the field 'InputPath' must be a valid JSONPath",
        '/States/IntrinsicEscape/InputPath',
      ),
      error(
        'SCHEMA_VALIDATION_FAILED',
        "The value for the field 'ResultPath' must be a valid ReferencePath",
        '/States/IntrinsicEscape/ResultPath',
      ),
    ]);
  });

  it('returns no diagnostics for the path forms the spec allows', () => {
    const paths = [
      '$',
      '$.a.b',
      "$['a b'][0]",
      '$.a[*].b',
      '$..c',
      '$.a[?(@.x > 1)]',
      '$$.Execution.Id',
      '$myVar.x',
      '$.a[1:2]',
      '$.[?(@.year < 1999)].name',
    ];
    for (const InputPath of paths) {
      expect(
        validate({
          StartAt: 'P',
          States: { P: { Type: 'Pass', InputPath, ResultPath: "$.out['x']", End: true } },
        }),
      ).toEqual([]);
    }
  });

  // LocalStack templates base/raise_failure_path_intrinsic and scenarios/map_state_legacy_config_distributed,
  // both run against AWS by their tests.
  it('returns no diagnostics for an intrinsic in ErrorPath and a ProcessorConfig in a legacy Iterator', () => {
    expect(
      validate({
        StartAt: 'F',
        States: { F: { Type: 'Fail', ErrorPath: "States.Format('E{}', $.n)", CausePath: '$.cause' } },
      }),
    ).toEqual([]);
    const iterator = {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: 'I',
      States: { I: pass },
    };
    expect(validate({ StartAt: 'M', States: { M: { Type: 'Map', Iterator: iterator, End: true } } })).toEqual(
      [],
    );
  });

  describe('query languages', () => {
    // test_sfn_api_validation.snapshot.json, INVALID_DOWNGRADE_QUERY_LANGUAGE.
    it('rejects a JSONPath state in a JSONata machine', () => {
      expect(
        validate({
          QueryLanguage: 'JSONata',
          StartAt: 'Pass',
          States: { Pass: { ...pass, QueryLanguage: 'JSONPath' } },
        }),
      ).toEqual([
        error(
          'SCHEMA_VALIDATION_FAILED',
          "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
          '/States/Pass',
        ),
      ]);
    });

    it('returns no diagnostics for a JSONata state in a JSONPath machine', () => {
      expect(
        validate({
          StartAt: 'P',
          States: { P: { ...pass, QueryLanguage: 'JSONata', Output: '{% $states.input %}' } },
        }),
      ).toEqual([]);
    });

    // floci-io/floci#2968 (measured): "The QueryLanguage is set to 'JSONPath', but field 'Output' is only
    // supported for the 'JSONata' QueryLanguage" at the state; the JSONata direction mirrors it.
    it('rejects fields of the other query language', () => {
      expect(validate({ StartAt: 'P', States: { P: { ...pass, Output: {} } } })).toEqual([
        error(
          'SCHEMA_VALIDATION_FAILED',
          "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
          '/States/P',
        ),
      ]);
      expect(
        validate({
          QueryLanguage: 'JSONata',
          StartAt: 'P',
          States: { P: { ...pass, Parameters: {}, ResultPath: '$.x' } },
        }).map((d) => d.message),
      ).toEqual([
        "The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage",
        "The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only supported for the 'JSONPath' QueryLanguage",
      ]);
      expect(
        validate({
          StartAt: 'C',
          States: {
            C: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'D' }] },
            D: { Type: 'Succeed' },
          },
        }),
      ).toEqual([
        error(
          'SCHEMA_VALIDATION_FAILED',
          "The QueryLanguage is set to 'JSONPath', but field 'Condition' is only supported for the 'JSONata' QueryLanguage",
          '/States/C/Choices[0]',
        ),
      ]);
    });

    // floci-io/floci#2968 (measured): a Map's own QueryLanguage does not reach its processor, whose states
    // take the machine's; ItemProcessor cannot declare one.
    it("checks a processor's states in the machine's language and refuses a QueryLanguage on the processor", () => {
      expect(
        validate({
          StartAt: 'M',
          States: {
            M: {
              Type: 'Map',
              QueryLanguage: 'JSONata',
              ItemProcessor: {
                QueryLanguage: 'JSONata',
                StartAt: 'P',
                States: { P: { ...pass, Output: 1 } },
              },
              End: true,
            },
          },
        }),
      ).toEqual([
        error(
          'SCHEMA_VALIDATION_FAILED',
          "Field 'QueryLanguage' is not supported",
          '/States/M/ItemProcessor',
        ),
        error(
          'SCHEMA_VALIDATION_FAILED',
          "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
          '/States/M/ItemProcessor/States/P',
        ),
      ]);
    });

    // floci-io/floci#2745 (measured): "INVALID_JSONATA_EXPRESSION: Unexpected end of expression at
    // /States/Main/Output", the parser's message without its code.
    it('rejects a JSONata expression that does not parse', () => {
      expect(
        validate({
          QueryLanguage: 'JSONata',
          StartAt: 'Main',
          States: { Main: { ...pass, Output: '{% 1 + %}' } },
        }),
      ).toEqual([error('INVALID_JSONATA_EXPRESSION', 'Unexpected end of expression', '/States/Main/Output')]);
    });

    // floci-io/floci#2670 (measured): "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level
    // is not supported. at /States/E/Output/v".
    it('rejects a JSONata expression that reads the context item at its top level', () => {
      const output = {
        v: '{% phone.number %}',
        ok: '{% $states.input.items[price > 5].name ~> $map(function($n){ $n }) %}',
      };
      expect(
        validate({ QueryLanguage: 'JSONata', StartAt: 'E', States: { E: { ...pass, Output: output } } }),
      ).toEqual([
        error(
          'UNSUPPORTED_JSONATA_EXPRESSION',
          "Reference to 'phone' at the top level is not supported.",
          '/States/E/Output/v',
        ),
      ]);
    });
  });

  // Its speed (about 0.4 ms) is measured, not asserted: a timed unit test fails on a loaded machine.
  it('finds nothing wrong in a valid 50-state definition with a Catch on every state', () => {
    // Prepare
    const states: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      states[`Step ${i}`] =
        i === 49
          ? { Type: 'Succeed' }
          : {
              Type: 'Task',
              Resource: 'arn:aws:states:::events:putEvents',
              Parameters: { 'Entries.$': 'States.Array($.entry)' },
              ResultPath: '$.r',
              Retry: [{ ErrorEquals: ['EventBridge.FailedEntry'], MaxAttempts: 3, BackoffRate: 2 }],
              Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Step 49' }],
              Next: `Step ${i + 1}`,
            };
    }
    const definition = JSON.stringify({ StartAt: 'Step 0', States: states });

    // Act
    const diagnostics = validateDefinition(definition);

    // Assess
    expect(diagnostics).toEqual([]);
  });
});

describe('assertValidDefinition', () => {
  it('returns for a valid definition', () => {
    expect(() => assertValidDefinition(JSON.stringify({ StartAt: 'A', States: { A: pass } }))).not.toThrow();
  });

  // localstack/localstack#12487 (AWS's CreateStateMachine answer): the ERROR diagnostics joined by ", ",
  // each "CODE: message at location".
  it('rejects an invalid definition with InvalidDefinition in AWS message format', () => {
    const definition = JSON.stringify({
      StartAt: 'pass1',
      States: { pass1: { Type: 'Pass', Next: 'pass3' }, pass2: pass },
    });
    expect(() => assertValidDefinition(definition)).toThrow(
      new AwsError(
        'InvalidDefinition',
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'",
      ),
    );
  });

  // floci-io/floci#2735: "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal
  // state at null'".
  it('rejects a diagnostic without location as "at null"', () => {
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A' } } });
    let thrown: unknown;
    try {
      assertValidDefinition(definition);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AwsError);
    expect((thrown as AwsError).code).toBe('InvalidDefinition');
    expect((thrown as AwsError).message).toBe(
      "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'",
    );
  });
});
