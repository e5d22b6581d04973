/**
 * ValidateStateMachineDefinition, by hand: the diagnostics AWS answers for a definition string, in AWS's
 * codes, messages and locations (`/States/<name>/<field>`, arrays as `[i]`). CreateStateMachine and
 * UpdateStateMachine refuse a definition with any ERROR among them, as InvalidDefinition.
 *
 * Sources: the API reference's ValidateStateMachineDefinitionDiagnostic (the codes), the Amazon States
 * Language spec (fields per state type, Retry and Catch rules), "Transforming data with JSONata in Step
 * Functions" (the query languages' fields), and messages recorded against AWS: LocalStack's snapshots
 * (tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json, test_sfn_api_express,
 * scenarios/test_base_scenarios, credentials) and floci-io/floci issues #2670, #2735, #2745, #2968 and pull
 * request #2786. A message no recording shows is marked "wording ours" where it is written.
 */
import { AwsError } from '../../errors';
import { expressionText, isExpression, parseExpression } from './jsonata';

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location?: string;
}

/** ValidateStateMachineDefinition: AWS's diagnostics for a definition string. Never throws. */
export function validateDefinition(
  definition: string,
  options?: { type?: 'STANDARD' | 'EXPRESS' },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  try {
    check(definition, options?.type ?? 'STANDARD', out);
  } catch (thrown) {
    // A bug here must not take CreateStateMachine down with it: say so as AWS's schema code would.
    out.push(error('SCHEMA_VALIDATION_FAILED', `Definition could not be validated: ${String(thrown)}`));
  }
  return out;
}

/** Throws AwsError('InvalidDefinition', message) with AWS's message format when there are ERROR diagnostics. */
export function assertValidDefinition(definition: string, options?: { type?: 'STANDARD' | 'EXPRESS' }): void {
  const errors = validateDefinition(definition, options).filter((d) => d.severity === 'ERROR');
  if (errors.length === 0) return;
  // "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at
  // /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'"
  // (localstack/localstack#12487); no location reads "at null" (floci-io/floci#2735).
  const listed = errors.map((d) => `${d.code}: ${d.message} at ${d.location ?? 'null'}`).join(', ');
  throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: '${listed}'`);
}

// --- the walk ----------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
type Language = 'JSONPath' | 'JSONata';

interface Walk {
  out: Diagnostic[];
  type: 'STANDARD' | 'EXPRESS';
  /** The machine's language: every state without its own QueryLanguage has it, in branches and processors too. */
  language: Language;
  /** Every state name of the machine, for DUPLICATE_STATE_NAME (names are unique across all scopes). */
  names: Set<string>;
}

const STATE_TYPES = ['Task', 'Wait', 'Pass', 'Succeed', 'Fail', 'Choice', 'Parallel', 'Map'] as const;
type StateType = (typeof STATE_TYPES)[number];

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const FLOW = ['Next', 'End'];
const IO = ['InputPath', 'OutputPath'];
const RESULT = ['ResultPath', 'ResultSelector', 'Retry', 'Catch'];

/** Fields each state type accepts (spec, "State Types"; JSONata's Arguments, Output, Assign, Items). */
const FIELDS: Record<StateType, ReadonlySet<string>> = {
  Pass: new Set([...COMMON, ...FLOW, ...IO, 'Parameters', 'ResultPath', 'Result', 'Assign', 'Output']),
  Task: new Set([
    ...COMMON,
    ...FLOW,
    ...IO,
    ...RESULT,
    'Resource',
    'Parameters',
    'Arguments',
    'Credentials',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Assign',
    'Output',
  ]),
  Choice: new Set([...COMMON, ...IO, 'Choices', 'Default', 'Assign', 'Output']),
  Wait: new Set([
    ...COMMON,
    ...FLOW,
    ...IO,
    'Seconds',
    'Timestamp',
    'SecondsPath',
    'TimestampPath',
    'Assign',
    'Output',
  ]),
  Succeed: new Set([...COMMON, ...IO, 'Output']),
  Fail: new Set([...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath']),
  Parallel: new Set([
    ...COMMON,
    ...FLOW,
    ...IO,
    ...RESULT,
    'Branches',
    'Parameters',
    'Arguments',
    'Assign',
    'Output',
  ]),
  Map: new Set([
    ...COMMON,
    ...FLOW,
    ...IO,
    ...RESULT,
    'ItemProcessor',
    'Iterator',
    'ItemsPath',
    'Items',
    'ItemSelector',
    'Parameters',
    'ItemReader',
    'ItemBatcher',
    'ResultWriter',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ToleratedFailurePercentage',
    'ToleratedFailurePercentagePath',
    'ToleratedFailureCount',
    'ToleratedFailureCountPath',
    'Label',
    'Assign',
    'Output',
  ]),
};

/** Fields only a JSONPath state has ("After selecting JSONata, … five JSONPath fields … to only two"). */
const JSONPATH_ONLY = new Set([
  'InputPath',
  'OutputPath',
  'Parameters',
  'ResultPath',
  'ResultSelector',
  'Result',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'MaxConcurrencyPath',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCountPath',
  'ErrorPath',
  'CausePath',
]);
/** Fields only a JSONata state has. */
const JSONATA_ONLY = new Set(['Arguments', 'Output', 'Items', 'Condition']);

/** Fields a JSONPath state reads as a Path (null allowed for InputPath, OutputPath, ResultPath). */
const PATH_FIELDS = new Set([
  'InputPath',
  'OutputPath',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'MaxConcurrencyPath',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCountPath',
  'ErrorPath',
  'CausePath',
]);
/** Payload templates whose `.$` keys hold a path or an intrinsic function. */
const TEMPLATE_FIELDS = new Set(['Parameters', 'ResultSelector', 'ItemSelector']);
/** Fields never read as JSONata, even in a JSONata state. */
const NOT_JSONATA = new Set([
  'Type',
  'Comment',
  'QueryLanguage',
  'Next',
  'End',
  'Default',
  'Resource',
  'Branches',
  'ItemProcessor',
  'Iterator',
  'Retry',
  'Label',
  'Choices',
  'Catch',
]);

const MACHINE_FIELDS = new Set([
  'Comment',
  'StartAt',
  'States',
  'Version',
  'TimeoutSeconds',
  'QueryLanguage',
]);
const SCOPE_FIELDS = new Set(['Comment', 'StartAt', 'States']);
const PROCESSOR_FIELDS = new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']);

const MAX_STATE_NAME = 80;

function check(definition: string, type: 'STANDARD' | 'EXPRESS', out: Diagnostic[]): void {
  // An empty string: test_sfn_api_validation.snapshot.json, not_a_definition[EMPTY_STRING].
  if (definition.trim() === '') {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'Definition must be a valid JSON object'));
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (thrown) {
    out.push(invalidJson(definition, thrown));
    return;
  }
  if (!isObject(parsed)) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'Definition must be a valid JSON object'));
    return;
  }
  const missing = ['States', 'StartAt'].filter((field) => !(field in parsed));
  if (missing.length > 0) {
    // "These fields are required: [States, StartAt]" at "/" (not_a_definition[EMPTY_DICT]).
    out.push(error('SCHEMA_VALIDATION_FAILED', `These fields are required: [${missing.join(', ')}]`, '/'));
  }
  for (const field of Object.keys(parsed)) {
    if (!MACHINE_FIELDS.has(field)) out.push(notSupported(field, '/'));
  }
  const language = queryLanguage(parsed.QueryLanguage, '/QueryLanguage', out) ?? 'JSONPath';
  if (parsed.TimeoutSeconds !== undefined && !isPositiveInteger(parsed.TimeoutSeconds)) {
    out.push(mustBe('TimeoutSeconds', 'a positive integer', '/TimeoutSeconds')); // wording ours
  }
  if (!isObject(parsed.States)) {
    if ('States' in parsed) out.push(mustBe('States', 'an object', '/States')); // wording ours
    return;
  }
  const walk: Walk = { out, type, language, names: new Set() };
  scope(parsed, '', walk);
}

/** One set of states with its own StartAt: the machine, a Parallel branch or a Map processor. */
function scope(machine: Json, prefix: string, walk: Walk): void {
  const states = isObject(machine.States) ? machine.States : {};
  const names = Object.keys(states);
  if (names.length === 0 && isObject(machine.States)) {
    walk.out.push(error('SCHEMA_VALIDATION_FAILED', 'Value cannot be empty', `${prefix}/States`));
  }
  const edges = new Map<string, string[]>();
  const dangling: Diagnostic[] = [];
  let terminal = false;

  for (const name of names) {
    const at = `${prefix}/States/${name}`;
    if (walk.names.has(name)) {
      // "DUPLICATE_STATE_NAME: Duplicate State name: Add at /States/Add" (Step Functions Local, quoted in
      // LocalStack's tests/aws/services/stepfunctions/v2/test_stepfunctions_v2.py).
      walk.out.push(error('DUPLICATE_STATE_NAME', `Duplicate State name: ${name}`, at));
    }
    walk.names.add(name);
    if (name.length > MAX_STATE_NAME) {
      walk.out.push(
        error(
          'INVALID_STATE_NAME',
          `State name '${name}' exceeds the maximum length of ${MAX_STATE_NAME}`,
          at,
        ), // wording ours
      );
    }
    const state = states[name];
    if (!isObject(state)) {
      walk.out.push(mustBe(name, 'an object', at)); // wording ours
      continue;
    }
    const targets: Array<[string, string]> = [];
    if (checkState(state, at, walk, targets)) terminal = true;
    edges.set(
      name,
      targets.map(([target]) => target),
    );
    for (const [target, location] of targets) {
      // "Missing 'Next' target: NOPE" for Next, Choices[i]/Next, Default and Catch[i]/Next alike
      // (floci-io/floci#2786, measured against AWS).
      if (!(target in states))
        dangling.push(error('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${target}`, location));
    }
  }

  const startAt = machine.StartAt;
  if (typeof startAt === 'string' && !(startAt in states) && names.length > 0) {
    walk.out.push(
      error('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${startAt}`, `${prefix}/StartAt`),
    );
  } else if (startAt !== undefined && typeof startAt !== 'string') {
    walk.out.push(mustBe('StartAt', 'a string', `${prefix}/StartAt`)); // wording ours
  }
  walk.out.push(...dangling);
  if (names.length === 0) return;
  if (!terminal) {
    // No location at all, and it suppresses the unreachable-state walk (floci-io/floci#2786).
    walk.out.push(error('MISSING_END_STATE', 'Workflow has no terminal state'));
    return;
  }
  if (typeof startAt !== 'string' || !(startAt in states)) return;
  const reached = new Set<string>([startAt]);
  const queue = [startAt];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const target of edges.get(next) ?? []) {
      if (!reached.has(target) && target in states) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  for (const name of names) {
    if (!reached.has(name)) {
      walk.out.push(
        error('MISSING_TRANSITION_TARGET', `State "${name}" is not reachable.`, `${prefix}/States/${name}`),
      );
    }
  }
}

/** Checks one state; collects its transitions into `targets`; answers whether it can end its scope. */
function checkState(state: Json, at: string, walk: Walk, targets: Array<[string, string]>): boolean {
  const { out } = walk;
  const type = state.Type;
  if (type === undefined) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Type]', at)); // wording ours
    return true; // unknowable, as above
  }
  if (typeof type !== 'string' || !(STATE_TYPES as readonly string[]).includes(type)) {
    // scenarios: "The field 'Type' should have one of these values: [Task, Wait, …] at /States/X/Type".
    out.push(oneOf('Type', STATE_TYPES, `${at}/Type`));
    return true; // unknowable: no MISSING_END_STATE on top of the Type error
  }
  const stateType = type as StateType;
  const language = stateLanguage(state, at, walk);
  const allowed = FIELDS[stateType];

  for (const field of Object.keys(state)) {
    if (!allowed.has(field)) {
      // "Field 'TimeoutSeconds' is not supported" at the state (floci-io/floci#2735, measured on Map).
      out.push(notSupported(field, at));
    } else if (language === 'JSONata' && JSONPATH_ONLY.has(field)) {
      out.push(wrongLanguage('JSONata', field, 'JSONPath', at)); // mirror of the measured JSONPath message
    } else if (language === 'JSONPath' && JSONATA_ONLY.has(field)) {
      // "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata'
      // QueryLanguage" at the state (floci-io/floci#2968).
      out.push(wrongLanguage('JSONPath', field, 'JSONata', at));
    }
  }

  const terminal = transitions(state, stateType, at, walk, targets);
  if (language === 'JSONPath') jsonPathFields(state, at, out);
  else jsonataFields(state, at, out);

  switch (stateType) {
    case 'Task':
      task(state, at, walk);
      break;
    case 'Wait':
      wait(state, at, language, out);
      break;
    case 'Fail':
      exclusive(state, ['Error', 'ErrorPath'], at, out);
      exclusive(state, ['Cause', 'CausePath'], at, out);
      break;
    case 'Choice':
      choice(state, at, language, out, targets);
      break;
    case 'Parallel':
      parallel(state, at, walk);
      break;
    case 'Map':
      map(state, at, walk);
      break;
    default:
      break;
  }
  if (stateType === 'Task' || stateType === 'Parallel' || stateType === 'Map')
    recovers(state, at, language, out, targets);
  return terminal;
}

/** Next/End: exactly one on the states that have them. Succeed and Fail end; Choice never does. */
function transitions(
  state: Json,
  type: StateType,
  at: string,
  walk: Walk,
  targets: Array<[string, string]>,
): boolean {
  if (type === 'Succeed' || type === 'Fail') return true;
  if (type === 'Choice') return false;
  const hasNext = state.Next !== undefined;
  const hasEnd = state.End !== undefined;
  if (hasNext && hasEnd) {
    walk.out.push(
      error('SCHEMA_VALIDATION_FAILED', "Only one of the fields 'Next' and 'End' is allowed", at),
    ); // wording ours
  } else if (!hasNext && !hasEnd) {
    walk.out.push(error('SCHEMA_VALIDATION_FAILED', "One of the fields 'Next' and 'End' is required", at)); // wording ours
  }
  if (hasEnd && state.End !== true) walk.out.push(mustBe('End', 'true', `${at}/End`)); // wording ours
  if (hasNext) {
    if (typeof state.Next === 'string') targets.push([state.Next, `${at}/Next`]);
    else walk.out.push(mustBe('Next', 'a string', `${at}/Next`)); // wording ours
  }
  return state.End === true;
}

function stateLanguage(state: Json, at: string, walk: Walk): Language {
  const own = queryLanguage(state.QueryLanguage, `${at}/QueryLanguage`, walk.out);
  if (own === 'JSONPath' && walk.language === 'JSONata') {
    // test_sfn_api_validation.snapshot.json, INVALID_DOWNGRADE_QUERY_LANGUAGE: at the state's own path.
    walk.out.push(
      error(
        'SCHEMA_VALIDATION_FAILED',
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        at,
      ),
    );
  }
  return own ?? walk.language;
}

/**
 * A QueryLanguage field: JSONPath only when exactly "JSONPath", any other present value JSONata, with the
 * enum diagnostic besides (floci-io/floci#2968).
 */
function queryLanguage(value: unknown, at: string, out: Diagnostic[]): Language | undefined {
  if (value === undefined) return undefined;
  if (value !== 'JSONPath' && value !== 'JSONata')
    out.push(oneOf('QueryLanguage', ['JSONPath', 'JSONata'], at));
  return value === 'JSONPath' ? 'JSONPath' : 'JSONata';
}

// --- per state type ----------------------------------------------------------------------------------

function task(state: Json, at: string, walk: Walk): void {
  const { out } = walk;
  const resource = state.Resource;
  if (resource === undefined) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Resource]', at)); // wording ours
    return;
  }
  if (typeof resource !== 'string' || !/^arn:[^:]+:[^:]+:/.test(resource)) {
    // dynamodb_task_service snapshot: the message AWS gives for a Resource it does not recognise.
    out.push(
      error(
        'SCHEMA_VALIDATION_FAILED',
        `The resource provided ${String(resource)} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`,
        `${at}/Resource`,
      ),
    );
    return;
  }
  if (walk.type === 'EXPRESS') {
    // test_sfn_api_express.snapshot.json: these three, verbatim (the waitForTaskToken one ends in a space).
    if (resource.endsWith('.waitForTaskToken')) {
      out.push(
        error(
          'SCHEMA_VALIDATION_FAILED',
          "Express state machine does not support '.waitForTaskToken' service integration ",
          `${at}/Resource`,
        ),
      );
    } else if (/\.sync(:\d+)?$/.test(resource)) {
      out.push(
        error(
          'SCHEMA_VALIDATION_FAILED',
          "Express state machine does not support '.sync' service integration",
          `${at}/Resource`,
        ),
      );
    } else if (/^arn:[^:]+:states:[^:]*:[^:]*:activity:/.test(resource)) {
      out.push(
        error(
          'SCHEMA_VALIDATION_FAILED',
          'Express state machine does not support Activity ARN',
          `${at}/Resource`,
        ),
      );
    }
  }
  if (
    isObject(state.Credentials) &&
    !('RoleArn' in state.Credentials) &&
    !('RoleArn.$' in state.Credentials)
  ) {
    // credentials snapshot: "The field 'RoleArn' is required but was missing at /States/State0/Credentials".
    out.push(
      error(
        'SCHEMA_VALIDATION_FAILED',
        "The field 'RoleArn' is required but was missing",
        `${at}/Credentials`,
      ),
    );
  }
  for (const field of ['TimeoutSeconds', 'HeartbeatSeconds']) {
    const value = state[field];
    if (value !== undefined && !isExpression(value) && !isPositiveInteger(value)) {
      out.push(mustBe(field, 'a positive integer', `${at}/${field}`)); // wording ours
    }
  }
  exclusive(state, ['TimeoutSeconds', 'TimeoutSecondsPath'], at, out);
  exclusive(state, ['HeartbeatSeconds', 'HeartbeatSecondsPath'], at, out);
}

function wait(state: Json, at: string, language: Language, out: Diagnostic[]): void {
  const present = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter(
    (f) => state[f] !== undefined,
  );
  if (present.length !== 1) {
    out.push(
      error(
        'SCHEMA_VALIDATION_FAILED',
        "Exactly one of the fields 'Seconds', 'Timestamp', 'SecondsPath' and 'TimestampPath' is required", // wording ours
        at,
      ),
    );
  }
  const timestamp = state.Timestamp;
  if (timestamp !== undefined && !(language === 'JSONata' && isExpression(timestamp))) {
    if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
      // scenarios/test_base_scenarios.snapshot.json: "String does not match RFC3339 timestamp at
      // /States/WaitUntil/Timestamp".
      out.push(
        error('SCHEMA_VALIDATION_FAILED', 'String does not match RFC3339 timestamp', `${at}/Timestamp`),
      );
    }
  }
  const seconds = state.Seconds;
  if (
    seconds !== undefined &&
    !(language === 'JSONata' && isExpression(seconds)) &&
    !isNonNegativeInteger(seconds)
  ) {
    out.push(mustBe('Seconds', 'a non-negative integer', `${at}/Seconds`)); // wording ours
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function choice(
  state: Json,
  at: string,
  language: Language,
  out: Diagnostic[],
  targets: Array<[string, string]>,
): void {
  const choices = state.Choices;
  if (choices === undefined) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Choices]', at)); // wording ours
    return;
  }
  if (!Array.isArray(choices) || choices.length === 0) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'Value cannot be empty', `${at}/Choices`));
    return;
  }
  for (const [i, rule] of choices.entries()) {
    const ruleAt = `${at}/Choices[${i}]`;
    if (!isObject(rule)) {
      out.push(mustBe(`Choices[${i}]`, 'an object', ruleAt)); // wording ours
      continue;
    }
    if (typeof rule.Next === 'string') targets.push([rule.Next, `${ruleAt}/Next`]);
    else out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Next]', ruleAt)); // wording ours
    if (language === 'JSONata') {
      if (rule.Condition === undefined) {
        out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Condition]', ruleAt)); // wording ours
      }
      for (const field of Object.keys(rule)) {
        if (!['Condition', 'Next', 'Comment', 'Output', 'Assign'].includes(field)) {
          out.push(wrongLanguage('JSONata', field, 'JSONPath', ruleAt));
        }
      }
      jsonataValues(rule, ruleAt, out, new Set(['Next', 'Comment']));
    } else {
      for (const field of ['Condition', 'Output']) {
        if (rule[field] !== undefined) out.push(wrongLanguage('JSONPath', field, 'JSONata', ruleAt));
      }
    }
  }
  if (state.Default !== undefined) {
    if (typeof state.Default === 'string') targets.push([state.Default, `${at}/Default`]);
    else out.push(mustBe('Default', 'a string', `${at}/Default`)); // wording ours
  }
}

function parallel(state: Json, at: string, walk: Walk): void {
  const branches = state.Branches;
  if (branches === undefined) {
    walk.out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Branches]', at)); // wording ours
    return;
  }
  if (!Array.isArray(branches) || branches.length === 0) {
    // test_state_mock_validation.snapshot.json: "Value cannot be empty at /States/StateName/Branches".
    walk.out.push(error('SCHEMA_VALIDATION_FAILED', 'Value cannot be empty', `${at}/Branches`));
    return;
  }
  for (const [i, branch] of branches.entries()) nested(branch, `${at}/Branches[${i}]`, SCOPE_FIELDS, walk);
}

function map(state: Json, at: string, walk: Walk): void {
  const hasProcessor = state.ItemProcessor !== undefined;
  const hasIterator = state.Iterator !== undefined;
  if (!hasProcessor && !hasIterator) {
    walk.out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [ItemProcessor]', at)); // wording ours
    return;
  }
  if (hasProcessor && hasIterator) {
    walk.out.push(
      error(
        'SCHEMA_VALIDATION_FAILED',
        "Only one of the fields 'ItemProcessor' and 'Iterator' is allowed",
        at,
      ),
    ); // wording ours
  }
  const field = hasProcessor ? 'ItemProcessor' : 'Iterator';
  nested(state[field], `${at}/${field}`, PROCESSOR_FIELDS, walk); // Iterator takes the legacy ProcessorConfig too
  for (const count of ['MaxConcurrency', 'ToleratedFailureCount']) {
    const value = state[count];
    if (value !== undefined && !isExpression(value) && !isNonNegativeInteger(value)) {
      walk.out.push(mustBe(count, 'a non-negative integer', `${at}/${count}`)); // wording ours
    }
  }
  const percentage = state.ToleratedFailurePercentage;
  if (
    percentage !== undefined &&
    !isExpression(percentage) &&
    !(typeof percentage === 'number' && percentage >= 0 && percentage <= 100)
  ) {
    walk.out.push(
      mustBe('ToleratedFailurePercentage', 'a number from 0 to 100', `${at}/ToleratedFailurePercentage`),
    ); // wording ours
  }
}

/** A Parallel branch or Map processor: its own scope, in the machine's language whatever its parent says. */
function nested(value: unknown, at: string, fields: ReadonlySet<string>, walk: Walk): void {
  if (!isObject(value)) {
    walk.out.push(mustBe(at.slice(at.lastIndexOf('/') + 1), 'an object', at)); // wording ours
    return;
  }
  const missing = ['States', 'StartAt'].filter((field) => !(field in value));
  if (missing.length > 0) {
    walk.out.push(
      error('SCHEMA_VALIDATION_FAILED', `These fields are required: [${missing.join(', ')}]`, at),
    );
  }
  for (const field of Object.keys(value)) {
    // "Field 'QueryLanguage' is not supported" at /States/M/ItemProcessor (floci-io/floci#2968).
    if (!fields.has(field)) walk.out.push(notSupported(field, at));
  }
  if (isObject(value.States)) scope(value, at, walk);
}

/** Retry and Catch (spec, "Error Handling"). */
function recovers(
  state: Json,
  at: string,
  language: Language,
  out: Diagnostic[],
  targets: Array<[string, string]>,
): void {
  const retry = state.Retry;
  if (retry !== undefined && !Array.isArray(retry)) out.push(mustBe('Retry', 'an array', `${at}/Retry`)); // wording ours
  if (Array.isArray(retry)) {
    for (const [i, retrier] of retry.entries())
      retrierChecks(retrier, `${at}/Retry[${i}]`, i === retry.length - 1, out);
  }
  const catchers = state.Catch;
  if (catchers !== undefined && !Array.isArray(catchers))
    out.push(mustBe('Catch', 'an array', `${at}/Catch`)); // wording ours
  if (Array.isArray(catchers)) {
    for (const [i, catcher] of catchers.entries()) {
      catcherChecks(catcher, `${at}/Catch[${i}]`, i === catchers.length - 1, language, out, targets);
    }
  }
}

function retrierChecks(retrier: unknown, at: string, last: boolean, out: Diagnostic[]): void {
  if (!isObject(retrier)) {
    out.push(mustBe(at.slice(at.lastIndexOf('/') + 1), 'an object', at)); // wording ours
    return;
  }
  errorEquals(retrier, at, last, 'Retrier', out);
  for (const field of Object.keys(retrier)) {
    if (!RETRIER_FIELDS.has(field)) out.push(notSupported(field, at));
  }
  retrierRanges(retrier, at, out);
}

function catcherChecks(
  catcher: unknown,
  at: string,
  last: boolean,
  language: Language,
  out: Diagnostic[],
  targets: Array<[string, string]>,
): void {
  if (!isObject(catcher)) {
    out.push(mustBe(at.slice(at.lastIndexOf('/') + 1), 'an object', at)); // wording ours
    return;
  }
  errorEquals(catcher, at, last, 'Catcher', out);
  if (typeof catcher.Next === 'string') targets.push([catcher.Next, `${at}/Next`]);
  else out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [Next]', at)); // wording ours
  for (const field of Object.keys(catcher)) {
    if (!CATCHER_FIELDS.has(field)) out.push(notSupported(field, at));
    else if (language === 'JSONata' && field === 'ResultPath')
      out.push(wrongLanguage('JSONata', field, 'JSONPath', at));
    else if (language === 'JSONPath' && field === 'Output')
      out.push(wrongLanguage('JSONPath', field, 'JSONata', at));
  }
  if (language === 'JSONPath' && catcher.ResultPath !== undefined && catcher.ResultPath !== null) {
    path(catcher.ResultPath, 'ResultPath', `${at}/ResultPath`, true, out);
  }
  if (language === 'JSONata') jsonataValues(catcher, at, out, new Set(['ErrorEquals', 'Next', 'Comment']));
}

const RETRIER_FIELDS = new Set([
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
]);
const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'ResultPath', 'Output', 'Assign', 'Comment']);

/** ErrorEquals: a non-empty array of strings; States.ALL alone, in the last retrier or catcher (spec). */
function errorEquals(entry: Json, at: string, last: boolean, kind: string, out: Diagnostic[]): void {
  const names = entry.ErrorEquals;
  if (names === undefined) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'These fields are required: [ErrorEquals]', at)); // wording ours
    return;
  }
  if (!Array.isArray(names) || names.length === 0) {
    out.push(error('SCHEMA_VALIDATION_FAILED', 'Value cannot be empty', `${at}/ErrorEquals`));
    return;
  }
  if (names.includes('States.ALL')) {
    if (names.length > 1) {
      out.push(
        error(
          'SCHEMA_VALIDATION_FAILED',
          "'States.ALL' must appear alone in 'ErrorEquals'",
          `${at}/ErrorEquals`,
        ),
      ); // wording ours
    }
    if (!last) {
      out.push(error('SCHEMA_VALIDATION_FAILED', `A ${kind} with 'States.ALL' must be the last one`, at)); // wording ours
    }
  }
}

/** Retrier ranges (developer guide, "Retrying after an error"). Wording ours. */
function retrierRanges(retrier: Json, at: string, out: Diagnostic[]): void {
  const { IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy } = retrier;
  if (
    IntervalSeconds !== undefined &&
    !(isPositiveInteger(IntervalSeconds) && IntervalSeconds <= 99_999_999)
  ) {
    out.push(mustBe('IntervalSeconds', 'an integer from 1 to 99999999', `${at}/IntervalSeconds`));
  }
  if (MaxAttempts !== undefined && !(isNonNegativeInteger(MaxAttempts) && MaxAttempts <= 99_999_999)) {
    out.push(mustBe('MaxAttempts', 'an integer from 0 to 99999999', `${at}/MaxAttempts`));
  }
  if (BackoffRate !== undefined && !(typeof BackoffRate === 'number' && BackoffRate >= 1)) {
    out.push(mustBe('BackoffRate', 'a number greater than or equal to 1.0', `${at}/BackoffRate`));
  }
  if (
    MaxDelaySeconds !== undefined &&
    !(isPositiveInteger(MaxDelaySeconds) && MaxDelaySeconds < 31_622_401)
  ) {
    out.push(mustBe('MaxDelaySeconds', 'an integer from 1 to 31622400', `${at}/MaxDelaySeconds`));
  }
  if (JitterStrategy !== undefined && JitterStrategy !== 'FULL' && JitterStrategy !== 'NONE') {
    out.push(oneOf('JitterStrategy', ['FULL', 'NONE'], `${at}/JitterStrategy`));
  }
}

// --- query-language fields ---------------------------------------------------------------------------

/** Paths and payload templates of a JSONPath state. */
function jsonPathFields(state: Json, at: string, out: Diagnostic[]): void {
  for (const [field, value] of Object.entries(state)) {
    if (PATH_FIELDS.has(field)) {
      if (value === null && (field === 'InputPath' || field === 'OutputPath')) continue;
      // Fail's ErrorPath and CausePath also take an intrinsic function (States.Format and the like).
      if ((field === 'ErrorPath' || field === 'CausePath') && typeof value === 'string' && isIntrinsic(value))
        continue;
      path(value, field, `${at}/${field}`, false, out);
    } else if (field === 'ResultPath') {
      if (value !== null) path(value, field, `${at}/${field}`, true, out);
    } else if (TEMPLATE_FIELDS.has(field)) {
      payloadTemplate(value, `${at}/${field}`, out);
    }
  }
}

/**
 * A payload template's `.$` fields: "The value for the field 'parsed.$' must be a valid JSONPath or a valid
 * intrinsic function call" at the template (scenarios/test_base_scenarios.snapshot.json).
 */
function payloadTemplate(value: unknown, at: string, out: Diagnostic[]): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) payloadTemplate(item, `${at}[${i}]`, out);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      if (typeof item !== 'string' || !(isPath(item, false) || isIntrinsic(item))) {
        out.push(
          error(
            'SCHEMA_VALIDATION_FAILED',
            `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`,
            at,
          ),
        );
      }
    } else {
      payloadTemplate(item, `${at}/${key}`, out);
    }
  }
}

function path(value: unknown, field: string, at: string, reference: boolean, out: Diagnostic[]): void {
  if (typeof value === 'string' && isPath(value, reference)) return;
  const kind = reference ? 'a valid ReferencePath' : 'a valid JSONPath';
  out.push(error('SCHEMA_VALIDATION_FAILED', `The value for the field '${field}' must be ${kind}`, at)); // wording ours
}

/** Every "{% %}" in a JSONata state's fields parses, and reads nothing at the top level. */
function jsonataFields(state: Json, at: string, out: Diagnostic[]): void {
  jsonataValues(state, at, out, NOT_JSONATA);
}

function jsonataValues(container: Json, at: string, out: Diagnostic[], skip: ReadonlySet<string>): void {
  for (const [field, value] of Object.entries(container)) {
    if (!skip.has(field)) jsonataValue(value, `${at}/${field}`, out);
  }
}

function jsonataValue(value: unknown, at: string, out: Diagnostic[]): void {
  if (isExpression(value)) {
    const parsed = parseExpression(expressionText(value));
    if (!parsed.ok) {
      // "INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/Main/Output": the parser's
      // message without its code (floci-io/floci#2745).
      out.push(error('INVALID_JSONATA_EXPRESSION', parsed.message, at));
      return;
    }
    for (const name of topLevelNames(parsed.ast)) {
      // "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at
      // /States/E/Output/v" (floci-io/floci#2670): there is no context item, only $states and variables.
      out.push(
        error(
          'UNSUPPORTED_JSONATA_EXPRESSION',
          `Reference to '${name}' at the top level is not supported.`,
          at,
        ),
      );
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) jsonataValue(item, `${at}[${i}]`, out);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) jsonataValue(item, `${at}/${key}`, out);
  }
}

interface AstNode {
  type?: string;
  value?: unknown;
  steps?: AstNode[];
  stages?: AstNode[];
  predicate?: AstNode[];
  group?: { lhs?: AstNode[][] };
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  arguments?: AstNode[];
  procedure?: AstNode;
  expressions?: AstNode[];
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  expr?: AstNode;
}

/**
 * The names an expression reads from the context item at its top level (`phone` in `phone.number`, `items`
 * in `$count(items)`), in order, once each. Later path steps, predicates, sort terms, grouping and lambda
 * bodies read a context of their own and are left alone.
 */
export function topLevelNames(ast: unknown): string[] {
  const names = new Set<string>();
  const visit = (node: AstNode | undefined, top: boolean): void => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'lambda') return;
    if (node.type === 'name') {
      if (top && typeof node.value === 'string') names.add(node.value);
    } else if (node.type === 'path') {
      for (const [i, step] of (node.steps ?? []).entries()) visit(step, top && i === 0);
      return;
    }
    for (const inner of [...(node.stages ?? []), ...(node.predicate ?? [])])
      visit(inner.expr ?? inner, false);
    if (node.type === 'filter' || node.type === 'sort' || node.type === 'transform') return;
    if (Array.isArray(node.lhs)) {
      for (const pair of node.lhs) for (const part of pair) visit(part, top);
    } else {
      visit(node.lhs, top);
    }
    visit(node.rhs, top);
    visit(node.procedure, top);
    visit(node.condition, top);
    visit(node.then, top);
    visit(node.else, top);
    for (const arg of node.arguments ?? []) visit(arg, top);
    for (const expr of node.expressions ?? []) visit(expr, top);
  };
  visit(ast as AstNode, true);
  return [...names];
}

// --- JSONPath syntax ---------------------------------------------------------------------------------

/**
 * A Path (spec, "Paths"): `$`, `$$` (the context object) or `$name` (a variable), then `.name`, `['name']`,
 * `[n]`; a non-reference path may also use `..`, `*`, slices, unions and filters. A Reference Path (for
 * ResultPath) allows only single-node steps from `$`.
 */
function isPath(text: string, reference: boolean): boolean {
  let i = 0;
  if (text[i] !== '$') return false;
  i++;
  if (reference) {
    // ResultPath writes into the state's data: not the context object, not a variable.
    if (text[i] === '$' || /[A-Za-z_]/.test(text[i] ?? '')) return false;
  } else if (text[i] === '$') {
    i++;
  } else {
    while (i < text.length && /[\w]/.test(text[i] as string)) i++;
  }
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
      if (text[i] === '.') {
        if (reference) return false;
        i++;
      }
      if (text[i] === '*') {
        if (reference) return false;
        i++;
        continue;
      }
      if (text[i] === '[' && !reference) continue; // "$.[?(@.year < 1999)].name", which AWS runs
      const start = i;
      while (i < text.length && !'.[ '.includes(text[i] as string)) i++;
      if (i === start) return false;
    } else if (c === '[') {
      const close = bracketEnd(text, i);
      if (close < 0) return false;
      if (!isSubscript(text.slice(i + 1, close).trim(), reference)) return false;
      i = close + 1;
    } else {
      return false;
    }
  }
  return true;
}

function bracketEnd(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

function isSubscript(inner: string, reference: boolean): boolean {
  if (/^-?\d+$/.test(inner)) return true;
  if (/^'([^'\\]|\\.)*'$/.test(inner) || /^"([^"\\]|\\.)*"$/.test(inner)) return true;
  if (reference) return false;
  if (inner === '*') return true;
  if (/^-?\d*:-?\d*(:-?\d*)?$/.test(inner)) return true;
  if (/^-?\d+(\s*,\s*-?\d+)+$/.test(inner)) return true;
  if (/^'[^']*'(\s*,\s*'[^']*')+$/.test(inner)) return true;
  return /^\?\s*\(.*\)$/s.test(inner) || /^\(.*\)$/s.test(inner);
}

/** An intrinsic function call: `States.Name(…)` with balanced parentheses (intrinsics.ts checks the rest). */
function isIntrinsic(text: string): boolean {
  const match = /^States\.[A-Za-z0-9]+\(/.exec(text.trim());
  if (!match) return false;
  let depth = 0;
  let quote = false;
  const trimmed = text.trim();
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === "'") quote = false;
    } else if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === trimmed.length - 1;
  }
  return false;
}

// --- helpers -----------------------------------------------------------------------------------------

/**
 * INVALID_JSON_DESCRIPTION in Jackson's words where we can tell (a bare word where a value belongs:
 * not_a_definition[NOT_A_DEF]), JSON.parse's otherwise; the location is Jackson's "[Source: …]" line.
 */
function invalidJson(definition: string, thrown: unknown): Diagnostic {
  const word = /^\s*([A-Za-z_][\w-]*)/.exec(definition);
  const source = (offset: number) => {
    const before = definition.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return `[Source: (String)${JSON.stringify(definition)}; line: ${line}, column: ${column}]`;
  };
  if (word?.[1] && !['true', 'false', 'null'].includes(word[1])) {
    const location = source(word[0].length);
    return error(
      'INVALID_JSON_DESCRIPTION',
      `Unrecognized token '${word[1]}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at ${location}`,
      location,
    );
  }
  const position = /position (\d+)/.exec(String(thrown));
  const location = source(position?.[1] ? Number(position[1]) : definition.length);
  return error('INVALID_JSON_DESCRIPTION', `${(thrown as Error).message}\n at ${location}`, location);
}

function error(code: string, message: string, location?: string): Diagnostic {
  return location === undefined
    ? { severity: 'ERROR', code, message }
    : { severity: 'ERROR', code, message, location };
}

function notSupported(field: string, at: string): Diagnostic {
  return error('SCHEMA_VALIDATION_FAILED', `Field '${field}' is not supported`, at);
}

function oneOf(field: string, values: readonly string[], at: string): Diagnostic {
  return error(
    'SCHEMA_VALIDATION_FAILED',
    `The field '${field}' should have one of these values: [${values.join(', ')}]`,
    at,
  );
}

function wrongLanguage(set: Language, field: string, only: Language, at: string): Diagnostic {
  return error(
    'SCHEMA_VALIDATION_FAILED',
    `The QueryLanguage is set to '${set}', but field '${field}' is only supported for the '${only}' QueryLanguage`,
    at,
  );
}

function mustBe(field: string, what: string, at: string): Diagnostic {
  return error('SCHEMA_VALIDATION_FAILED', `The value for the field '${field}' must be ${what}`, at);
}

function exclusive(state: Json, fields: [string, string], at: string, out: Diagnostic[]): void {
  if (state[fields[0]] !== undefined && state[fields[1]] !== undefined) {
    out.push(
      error(
        'SCHEMA_VALIDATION_FAILED',
        `Only one of the fields '${fields[0]}' and '${fields[1]}' is allowed`,
        at,
      ), // wording ours
    );
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
