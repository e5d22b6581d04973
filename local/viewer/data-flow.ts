/**
 * The advanced view of a state's input and output: each stage of its input and output processing, worked
 * out again from its history events with the interpreter's own functions, as the Step Functions console's
 * "Advanced view" and TestState's inspectionData show them (API reference, InspectionData: input,
 * afterInputPath, afterParameters, result, afterResultSelector, afterResultPath; under JSONata
 * afterArguments, result, and the output).
 *
 *   JSONPath: state input -> InputPath -> Parameters (Map: ItemsPath, ItemSelector; Pass: Result) ->
 *             result -> ResultSelector -> ResultPath (merged into the state input) -> OutputPath -> output
 *   JSONata:  state input -> Arguments (Map: Items, ItemSelector) -> result -> Output, and Assign
 *
 * What the history records (the state input, the task's parameters and result, the output, the assigned
 * variables) is read; everything between is recomputed, and the recomputed output is compared with the
 * recorded one. A stage that reads something the history does not carry (workflow variables, the task
 * token, the execution ARN when none is given) is marked as such rather than guessed at.
 *
 * Runs in the browser and in Jest; no DOM access here. The viewer's bundle maps `node:crypto`, which the
 * engine's intrinsics import, to a browser stand-in (page/node-crypto.ts).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { evaluateChoiceRule } from '../stepfunctions/engine/choice';
import { StatesError } from '../stepfunctions/engine/errors';
import {
  evaluateCondition,
  evaluateTemplate,
  evaluateTyped,
  expressionText,
  isExpression,
  type JsonataScope,
  parseExpression,
} from '../stepfunctions/engine/jsonata';
import {
  applyPayloadTemplate,
  applyResultPath,
  jsonEquals,
  type PathScope,
  selectPath,
} from '../stepfunctions/engine/jsonpath';
import { errorMatches } from '../stepfunctions/engine/retry';

/** A state of a definition, as far as its data flow reads it. */
export interface FlowState {
  readonly Type?: string;
  readonly QueryLanguage?: string;
  readonly End?: boolean;
  readonly InputPath?: string | null;
  readonly Parameters?: unknown;
  readonly Result?: unknown;
  readonly ResultSelector?: unknown;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string | null;
  readonly Arguments?: unknown;
  readonly Output?: unknown;
  readonly Assign?: unknown;
  readonly Items?: unknown;
  readonly ItemsPath?: string;
  readonly ItemSelector?: unknown;
  readonly Branches?: readonly FlowMachine[];
  readonly ItemProcessor?: FlowMachine;
  readonly Iterator?: FlowMachine;
  readonly Choices?: readonly ChoiceRuleLike[];
  readonly Catch?: readonly CatcherLike[];
}

interface ChoiceRuleLike {
  readonly Next?: string;
  readonly Condition?: unknown;
  readonly Output?: unknown;
  readonly Assign?: unknown;
}

interface CatcherLike {
  readonly ErrorEquals?: readonly string[];
  readonly Next?: string;
  readonly ResultPath?: string | null;
  readonly Output?: unknown;
  readonly Assign?: unknown;
}

export interface FlowMachine {
  readonly QueryLanguage?: string;
  readonly States?: Readonly<Record<string, FlowState>>;
}

export type StageStatus =
  /** Read from the history as it was recorded. */
  | 'recorded'
  /** Worked out again with the interpreter's functions. */
  | 'computed'
  /** The field is not set: the value passes on unchanged. */
  | 'unchanged'
  /** Cannot be worked out from the history: `note` says why. */
  | 'unavailable'
  /** Working it out failed as the state itself would have: `note` holds the error. */
  | 'failed';

/** One step of the state's input and output processing. */
export interface Stage {
  /** What the value is: "After InputPath", "Task result", ... */
  readonly label: string;
  /** The field of the definition that made this stage, and its value there (absent when not set). */
  readonly field?: { readonly name: string; readonly set: boolean; readonly value?: unknown };
  readonly status: StageStatus;
  /** The value after this stage (absent when unavailable or failed). */
  readonly value?: unknown;
  readonly note?: string;
  /** What the history recorded for this stage, when it records it and the recomputed value differs. */
  readonly recorded?: unknown;
}

export interface DataFlow {
  readonly language: 'JSONPath' | 'JSONata';
  readonly enteredEventId: number;
  readonly exitedEventId?: number;
  readonly stages: readonly Stage[];
  /**
   * The recomputed output against the history's: 'equal'; 'differs' (a bug worth seeing, unless the state
   * calls a function that gives a new value each time, which `note` then says); 'unknown' when either is
   * missing (the state has not exited, or a stage could not be worked out).
   */
  readonly verdict: 'equal' | 'differs' | 'unknown';
  readonly recordedOutput?: unknown;
  readonly computedOutput?: unknown;
  readonly note?: string;
}

export interface DataFlowInput {
  readonly history: readonly HistoryEvent[];
  readonly name: string;
  readonly definition: FlowMachine | undefined;
  /** The execution's ARN: `$$.Execution.Id` and `.Name`, which the history does not carry. */
  readonly executionArn?: string;
}

/** Functions whose value differs from call to call: a recomputed value that reads them may differ. */
const RANDOM = /States\.(UUID|MathRandom)\(|\$(uuid|random|now|millis)\(/;

const SUCCESS = /^(TaskSucceeded|LambdaFunctionSucceeded|ParallelStateSucceeded|MapStateSucceeded)$/;
const FAILURE = /^(ParallelStateFailed|MapStateFailed)$/;

/** Why a value cannot be worked out. */
class Unavailable extends Error {}

/**
 * The data flow of the state's latest run that exited (or of its latest entry, when none has), or
 * undefined when the state was not entered or is not in the definition. A JSONPath state's is worked out
 * at once (so a page can draw it in the same render); a JSONata state's comes later, as JSONata
 * evaluates asynchronously.
 */
export function dataFlow(input: DataFlowInput): DataFlow | Promise<DataFlow> | undefined {
  const located = locate(input.definition, input.name);
  if (!located) return undefined;
  const events = inIdOrder(input.history);
  const entry = entryOf(events, input.name);
  if (!entry) return undefined;
  const flow = new Flow(input, located.state, located.language, entry, events);
  return located.language === 'JSONata' ? flow.jsonata() : flow.jsonPath();
}

/** One entry into the state: its Entered event, its Exited event (if any), and every event in between. */
interface Entry {
  readonly entered: HistoryEvent;
  readonly exited?: HistoryEvent;
  /** The events the entry caused (their previousEventId chain leads back to `entered`), by id. */
  readonly events: readonly HistoryEvent[];
}

function entryOf(events: readonly HistoryEvent[], name: string): Entry | undefined {
  const byId = new Map(events.map((e) => [e.id ?? 0, e]));
  const exited = events.findLast((e) => e.stateExitedEventDetails?.name === name);
  let entered: HistoryEvent | undefined;
  if (exited)
    // Walk back along previousEventId: the first Entered of this name is its own (names are unique in a
    // definition, so no state inside a Parallel or Map around the walk has it).
    for (let e = byId.get(exited.previousEventId ?? 0); e; e = byId.get(e.previousEventId ?? 0)) {
      if (e.stateEnteredEventDetails?.name === name) {
        entered = e;
        break;
      }
      if (!e.previousEventId) break;
    }
  entered ??= events.findLast((e) => e.stateEnteredEventDetails?.name === name);
  if (!entered?.id) return undefined;
  // Whether each later event descends from `entered`: ids grow along the chain, so one pass in id order.
  const reaches = new Set<number>([entered.id]);
  const own: HistoryEvent[] = [];
  for (const e of events) {
    if ((e.id ?? 0) <= entered.id || !reaches.has(e.previousEventId ?? -1)) continue;
    // Another entry of the same state (a loop) is not this one's.
    if (e.stateEnteredEventDetails?.name === name) continue;
    reaches.add(e.id ?? 0);
    own.push(e);
    if (e === exited) break;
  }
  return { entered, ...(exited && own.includes(exited) ? { exited } : {}), events: own };
}

/** The state by name wherever it is, and the query language it runs in (its own, else its machine's). */
function locate(
  machine: FlowMachine | undefined,
  name: string,
  inherited?: string,
): { state: FlowState; language: 'JSONPath' | 'JSONata' } | undefined {
  if (!machine?.States) return undefined;
  const language = machine.QueryLanguage ?? inherited;
  if (Object.hasOwn(machine.States, name)) {
    const state = machine.States[name] as FlowState;
    return { state, language: (state.QueryLanguage ?? language) === 'JSONata' ? 'JSONata' : 'JSONPath' };
  }
  for (const state of Object.values(machine.States))
    for (const child of [...(state.Branches ?? []), state.ItemProcessor, state.Iterator]) {
      const found = locate(child, name, language);
      if (found) return found;
    }
  return undefined;
}

class Flow {
  private readonly stages: Stage[] = [];
  private readonly byId: Map<number, HistoryEvent>;
  private random = false;

  constructor(
    private readonly input: DataFlowInput,
    private readonly state: FlowState,
    private readonly language: 'JSONPath' | 'JSONata',
    private readonly entry: Entry,
    private readonly events: readonly HistoryEvent[],
  ) {
    this.byId = new Map(events.map((e) => [e.id ?? 0, e]));
  }

  // --- JSONPath --------------------------------------------------------------------------------------

  jsonPath(): DataFlow {
    const s = this.state;
    const type = s.Type ?? '';
    const stateInput = this.recordedInput();
    const effective = this.step('After InputPath', field(s, 'InputPath'), [stateInput], ([v]) =>
      s.InputPath === undefined ? unchanged(v) : selectPath(s.InputPath, this.pathScope(v), 'InputPath'),
    );
    if (type === 'Fail') return this.finish(undefined);
    const caught = this.caught();
    let result: Value;
    if (type === 'Pass') {
      result =
        s.Parameters !== undefined
          ? this.step('After Parameters', field(s, 'Parameters'), [effective], ([v]) =>
              applyPayloadTemplate(s.Parameters, this.pathScope(v)),
            )
          : s.Result !== undefined
            ? this.push({ label: 'Result', field: field(s, 'Result'), status: 'computed', value: s.Result })
            : effective;
    } else if (type === 'Task' || type === 'Parallel') {
      this.step(
        type === 'Task'
          ? 'After Parameters (what the task was called with)'
          : 'After Parameters (each branch input)',
        field(s, 'Parameters'),
        [effective],
        ([v]) =>
          s.Parameters === undefined ? unchanged(v) : applyPayloadTemplate(s.Parameters, this.pathScope(v)),
        type === 'Task' ? this.scheduledParameters() : undefined,
      );
      result = caught ? UNAVAILABLE : this.result();
    } else if (type === 'Map') {
      const items = this.step('After ItemsPath (the items)', field(s, 'ItemsPath'), [effective], ([v]) =>
        s.ItemsPath === undefined ? unchanged(v) : selectPath(s.ItemsPath, this.pathScope(v), 'ItemsPath'),
      );
      const selector = s.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters';
      this.step(
        `After ${selector} (each iteration's input)`,
        field(s, selector),
        [effective, items],
        ([v, list]) => {
          const template = s.ItemSelector ?? s.Parameters;
          if (template === undefined) return unchanged(list);
          if (!Array.isArray(list)) throw new Unavailable('the items are not an array');
          return list.map((value, index) =>
            applyPayloadTemplate(
              template,
              this.pathScope(v, { Map: { Item: { Index: index, Value: value } } }),
            ),
          );
        },
      );
      result = caught ? UNAVAILABLE : this.result();
    } else {
      // Choice, Wait, Succeed: no result; OutputPath applies to the effective input.
      this.jsonPathChoiceAssign(effective);
      const output = this.step(
        'After OutputPath (the state output)',
        field(s, 'OutputPath'),
        [effective],
        ([v]) =>
          s.OutputPath === undefined
            ? unchanged(v)
            : selectPath(s.OutputPath, this.pathScope(v), 'OutputPath'),
      );
      return this.finish(output);
    }

    if (caught) return this.finish(this.jsonPathCatch(stateInput, caught));
    let selected = result;
    if (type !== 'Pass')
      selected = this.step('After ResultSelector', field(s, 'ResultSelector'), [result], ([r]) =>
        s.ResultSelector === undefined
          ? unchanged(r)
          : applyPayloadTemplate(s.ResultSelector, this.pathScope(r)),
      );
    const merged = this.step(
      'After ResultPath (the result placed into the state input)',
      field(s, 'ResultPath'),
      [stateInput, selected],
      ([i, r]) => (s.ResultPath === undefined ? unchanged(r) : applyResultPath(i, r, s.ResultPath)),
    );
    const output = this.step(
      'After OutputPath (the state output)',
      field(s, 'OutputPath'),
      [merged],
      ([v]) =>
        s.OutputPath === undefined ? unchanged(v) : selectPath(s.OutputPath, this.pathScope(v), 'OutputPath'),
    );
    if (s.Assign !== undefined)
      this.assignStep(s.Assign, [selected], ([r]) => applyPayloadTemplate(s.Assign, this.pathScope(r)));
    return this.finish(output);
  }

  /** A JSONPath Choice's Assign is its matched rule's, else its own; both read the effective input. */
  private jsonPathChoiceAssign(effective: Value): void {
    const s = this.state;
    const rules = s.Choices ?? [];
    if (s.Assign === undefined && !rules.some((r) => r.Assign !== undefined)) return;
    this.assignStep(s.Assign, [effective], ([v]) => {
      const scope = this.pathScope(v);
      const rule = rules.find((r) => evaluateChoiceRule(r as never, scope));
      const assign = rule?.Assign ?? s.Assign;
      return assign === undefined ? {} : applyPayloadTemplate(assign, scope);
    });
  }

  private jsonPathCatch(stateInput: Value, caught: Caught): Value {
    const errorOutput = this.push({
      label: `Error output (${caught.error})`,
      status: 'recorded',
      value: caught.output,
      note: caught.note,
    });
    const catcher = caught.catcher;
    const output = this.step(
      "After the Catch's ResultPath (the state output)",
      { name: 'Catch ResultPath', set: catcher?.ResultPath !== undefined, value: catcher?.ResultPath },
      [stateInput, errorOutput],
      ([i, e]) => {
        if (!catcher) throw new Unavailable(`no Catch of the state matches ${caught.error}`);
        return catcher.ResultPath === undefined ? unchanged(e) : applyResultPath(i, e, catcher.ResultPath);
      },
    );
    if (catcher?.Assign !== undefined)
      this.assignStep(catcher.Assign, [errorOutput], ([e]) =>
        applyPayloadTemplate(catcher.Assign, this.pathScope(e)),
      );
    return output;
  }

  // --- JSONata ---------------------------------------------------------------------------------------

  async jsonata(): Promise<DataFlow> {
    const s = this.state;
    const type = s.Type ?? '';
    const stateInput = this.recordedInput();
    if (type === 'Fail') return this.finish(undefined);
    const caught = this.caught();
    if (type === 'Task' || type === 'Parallel') {
      await this.stepAsync(
        type === 'Task' ? 'Arguments (what the task was called with)' : 'Arguments (each branch input)',
        field(s, 'Arguments'),
        [stateInput],
        ([i]) => (s.Arguments === undefined ? unchanged(i) : this.evaluate(s.Arguments, i, 'Arguments')),
        type === 'Task' ? this.scheduledParameters() : undefined,
      );
    } else if (type === 'Map') {
      const items = await this.stepAsync('Items', field(s, 'Items'), [stateInput], ([i]) =>
        s.Items === undefined ? unchanged(i) : this.evaluate(s.Items, i, 'Items', {}, 'array'),
      );
      await this.stepAsync(
        "ItemSelector (each iteration's input)",
        field(s, 'ItemSelector'),
        [stateInput, items],
        async ([i, list]) => {
          if (s.ItemSelector === undefined) return unchanged(list);
          if (!Array.isArray(list)) throw new Unavailable('the items are not an array');
          const inputs: unknown[] = [];
          for (const [index, value] of list.entries())
            inputs.push(
              await this.evaluate(s.ItemSelector, i, 'ItemSelector', {}, undefined, {
                Map: { Item: { Index: index, Value: value } },
              }),
            );
          return inputs;
        },
      );
    }

    if (caught) {
      const errorOutput = this.push({
        label: `Error output (${caught.error})`,
        status: 'recorded',
        value: caught.output,
        note: caught.note,
      });
      const catcher = caught.catcher;
      const output = await this.stepAsync(
        "The Catch's Output (the state output)",
        { name: 'Catch Output', set: catcher?.Output !== undefined, value: catcher?.Output },
        [stateInput, errorOutput],
        ([i, e]) => {
          if (!catcher) throw new Unavailable(`no Catch of the state matches ${caught.error}`);
          return catcher.Output === undefined
            ? unchanged(e)
            : this.evaluate(catcher.Output, i, 'Output', { errorOutput: e });
        },
      );
      if (catcher?.Assign !== undefined)
        await this.assignStepAsync(catcher.Assign, [stateInput, errorOutput], ([i, e]) =>
          this.evaluate(catcher.Assign, i, 'Assign', { errorOutput: e }),
        );
      return this.finish(output);
    }

    if (type === 'Choice') {
      // The matched rule's Output and Assign, else the state's (the Default's).
      const rule = await this.stepAsync('Matched rule', undefined, [stateInput], async ([i]) => {
        for (const [index, r] of (s.Choices ?? []).entries())
          if (await evaluateCondition(this.readable(r.Condition) as string | boolean, this.jsonataScope(i)))
            return index;
        return -1;
      });
      const chosen = typeof rule === 'number' && rule >= 0 ? s.Choices?.[rule] : undefined;
      const outputTemplate = chosen?.Output ?? s.Output;
      const output = await this.stepAsync(
        'Output (the state output)',
        { name: 'Output', set: outputTemplate !== undefined, value: outputTemplate },
        [stateInput, rule],
        ([i]) => (outputTemplate === undefined ? unchanged(i) : this.evaluate(outputTemplate, i, 'Output')),
      );
      const assign = chosen?.Assign ?? s.Assign;
      if (assign !== undefined)
        await this.assignStepAsync(assign, [stateInput, rule], ([i]) => this.evaluate(assign, i, 'Assign'));
      return this.finish(output);
    }

    const hasResult = type === 'Task' || type === 'Parallel' || type === 'Map';
    const result = hasResult ? this.result() : stateInput;
    const output = await this.stepAsync(
      'Output (the state output)',
      field(s, 'Output'),
      [stateInput, result],
      // The interpreter binds $states.result for every state's Output (a Pass's, Wait's or Succeed's is
      // its input).
      ([i, r]) =>
        s.Output === undefined ? unchanged(r) : this.evaluate(s.Output, i, 'Output', { result: r }),
    );
    if (s.Assign !== undefined)
      await this.assignStepAsync(s.Assign, [stateInput, result], ([i, r]) =>
        this.evaluate(s.Assign, i, 'Assign', hasResult ? { result: r } : {}),
      );
    return this.finish(output);
  }

  /** A JSONata template evaluated as the interpreter does, refusing first what it cannot know. */
  private evaluate(
    template: unknown,
    input: unknown,
    where: string,
    states: Partial<JsonataScope['states']> = {},
    type?: 'array',
    extra?: Record<string, unknown>,
  ): Promise<unknown> {
    this.readable(template);
    const scope = this.jsonataScope(input, states, extra);
    return type ? evaluateTyped(template, scope, where, type) : evaluateTemplate(template, scope, where);
  }

  private jsonataScope(
    input: unknown,
    states: Partial<JsonataScope['states']> = {},
    extra?: Record<string, unknown>,
  ): JsonataScope {
    return { states: { input, context: this.context(extra), ...states }, variables: new Map() };
  }

  /**
   * The template unchanged, when it reads nothing the history lacks: no workflow variable (the history
   * records what each state assigned, not what a state sees), no task token.
   */
  private readable(template: unknown): unknown {
    for (const text of expressions(template)) {
      if (RANDOM.test(text)) this.random = true;
      if (/\$states\.context\.Task\b/.test(text))
        throw new Unavailable('it reads $states.context.Task, which the history does not carry');
      const parsed = parseExpression(text);
      if (!parsed.ok) continue; // the evaluation names the error
      const read = variablesRead(parsed.ast);
      if (read.length > 0)
        throw new Unavailable(
          `it reads the variable${read.length > 1 ? 's' : ''} ${read.map((v) => `$${v}`).join(', ')}, which the history does not carry`,
        );
    }
    return template;
  }

  // --- what the history records ------------------------------------------------------------------------

  private recordedInput(): Value {
    return this.push({
      label: 'State input',
      status: 'recorded',
      value: parse(this.entry.entered.stateEnteredEventDetails?.input),
    });
  }

  /** The parameters the last attempt recorded: TaskScheduled's parameters, or a Lambda's input. */
  private scheduledParameters(): { value: unknown } | undefined {
    const scheduled = this.entry.events.findLast(
      (e) => e.taskScheduledEventDetails || e.lambdaFunctionScheduledEventDetails,
    );
    if (!scheduled) return undefined;
    return {
      value: parse(
        scheduled.taskScheduledEventDetails?.parameters ??
          scheduled.lambdaFunctionScheduledEventDetails?.input,
      ),
    };
  }

  /** The result: the task's recorded output, or each Parallel branch's or Map iteration's output in order. */
  private result(): Value {
    const type = this.state.Type;
    const label =
      type === 'Task'
        ? 'Task result'
        : type === 'Parallel'
          ? 'Result (each branch output)'
          : 'Result (each iteration output)';
    try {
      const value =
        type === 'Task'
          ? this.taskResult()
          : type === 'Parallel'
            ? this.branchOutputs()
            : this.iterationOutputs();
      return this.push({ label, status: 'recorded', value });
    } catch (thrown) {
      return this.push({ label, status: 'unavailable', note: reasonOf(thrown) });
    }
  }

  private taskResult(): unknown {
    const succeeded = this.entry.events.findLast(
      (e) => e.taskSucceededEventDetails || e.lambdaFunctionSucceededEventDetails,
    );
    if (!succeeded) throw new Unavailable('the task has not succeeded');
    return parse(
      succeeded.taskSucceededEventDetails?.output ?? succeeded.lambdaFunctionSucceededEventDetails?.output,
    );
  }

  /** Each branch's output: the output of its last state to exit that ends the branch. */
  private branchOutputs(): unknown[] {
    const started = this.entry.events.findLast((e) => e.type === 'ParallelStateStarted');
    return (this.state.Branches ?? []).map((branch, index) => {
      const ends = new Set(
        Object.entries(branch.States ?? {})
          .filter(([, s]) => s.End === true || s.Type === 'Succeed')
          .map(([n]) => n),
      );
      const exited = this.entry.events.findLast(
        (e) => (e.id ?? 0) > (started?.id ?? 0) && ends.has(e.stateExitedEventDetails?.name ?? ''),
      );
      if (!exited) throw new Unavailable(`branch ${index + 1} has no recorded output`);
      return parse(exited.stateExitedEventDetails?.output);
    });
  }

  /** Each iteration's output, by index: MapIterationSucceeded follows its iteration's last Exited. */
  private iterationOutputs(): unknown[] {
    const started = this.entry.events.findLast((e) => e.type === 'MapStateStarted');
    const length = started?.mapStateStartedEventDetails?.length ?? 0;
    const outputs = new Map<number, unknown>();
    for (const e of this.entry.events) {
      const details = e.mapIterationSucceededEventDetails;
      if (
        (e.id ?? 0) < (started?.id ?? 0) ||
        details?.name !== this.input.name ||
        details.index === undefined
      )
        continue;
      const last = this.byId.get(e.previousEventId ?? 0)?.stateExitedEventDetails;
      if (last) outputs.set(details.index, parse(last.output));
    }
    return Array.from({ length }, (_, index) => {
      if (!outputs.has(index)) throw new Unavailable(`iteration ${index} has no recorded output`);
      return outputs.get(index);
    });
  }

  /** The error a Catch took, when the state exited after one: from the last event that carries one. */
  private caught(): Caught | undefined {
    const exited = this.entry.exited;
    if (!exited) return undefined;
    const type = this.state.Type;
    if (type !== 'Task' && type !== 'Parallel' && type !== 'Map') return undefined;
    // Exited after a failure: the last outcome among its events is a failure (TaskFailed, an
    // XStateFailed, an EvaluationFailed after the task's success), not a success.
    const outcome = this.entry.events.findLast(
      (e) => SUCCESS.test(e.type ?? '') || FAILURE.test(e.type ?? '') || errorOf(e) !== undefined,
    );
    if (!outcome || SUCCESS.test(outcome.type ?? '')) return undefined;
    const failure = this.entry.events.findLast((e) => errorOf(e) !== undefined);
    const details = failure && errorOf(failure);
    const error = details?.error ?? '';
    // The first Catch whose ErrorEquals names the error, as the interpreter's matchingCatcher takes it.
    const catcher = this.state.Catch?.find((c) => errorMatches(c.ErrorEquals ?? [], error));
    return {
      error,
      output: { Error: error, Cause: details?.cause ?? '' },
      catcher,
      note:
        type === 'Task'
          ? `recorded by ${failure?.type ?? 'the failure'}`
          : `the error that failed a ${type === 'Map' ? 'iteration' : 'branch'}, from ${failure?.type ?? 'its failure'}`,
    };
  }

  // --- the context object ------------------------------------------------------------------------------

  /**
   * The context object as the state saw it, from what the history carries: the execution's input, start
   * time, role and redrive count, the state's name, entered time and retry count; the execution's Id and
   * Name when the caller knows its ARN. `$$.Task.Token` is not among them: a path to it finds nothing.
   */
  private context(extra?: Record<string, unknown>): Record<string, unknown> {
    const started = this.events.find((e) => e.type === 'ExecutionStarted');
    const details = started?.executionStartedEventDetails;
    const arn = this.input.executionArn;
    const machineArn = arn?.replace(/:execution:([^:]+):[^:]+$/, ':stateMachine:$1');
    const enteredId = this.entry.entered.id ?? 0;
    const redrives = this.events.filter(
      (e) => e.type === 'ExecutionRedriven' && (e.id ?? 0) < enteredId,
    ).length;
    const attempts = this.entry.events.filter(
      (e) => e.taskScheduledEventDetails || e.lambdaFunctionScheduledEventDetails,
    ).length;
    return {
      Execution: {
        ...(arn ? { Id: arn, Name: arn.slice(arn.lastIndexOf(':') + 1) } : {}),
        Input: parse(details?.input),
        ...(details?.roleArn ? { RoleArn: details.roleArn } : {}),
        ...(started?.timestamp ? { StartTime: started.timestamp.toISOString() } : {}),
        RedriveCount: redrives,
      },
      State: {
        EnteredTime: this.entry.entered.timestamp?.toISOString(),
        Name: this.input.name,
        ...(this.state.Type === 'Task' ? { RetryCount: Math.max(0, attempts - 1) } : {}),
      },
      ...(machineArn
        ? { StateMachine: { Id: machineArn, Name: machineArn.slice(machineArn.lastIndexOf(':') + 1) } }
        : {}),
      ...extra,
    };
  }

  private pathScope(input: unknown, extra?: Record<string, unknown>): PathScope {
    return { input, context: this.context(extra) };
  }

  // --- stages --------------------------------------------------------------------------------------------

  private push(stage: Stage): Value {
    this.stages.push(stage);
    return stage.status === 'unavailable' || stage.status === 'failed' ? UNAVAILABLE : { value: stage.value };
  }

  /**
   * A stage computed from earlier ones: unavailable when one of them is; `recorded`, when the history
   * records this stage too, is compared with the computed value.
   */
  private step(
    label: string,
    stageField: Stage['field'],
    from: readonly Value[],
    compute: (values: unknown[]) => unknown,
    recorded?: { value: unknown },
  ): Value {
    const values = from.map((v) => (v === UNAVAILABLE ? v : v.value));
    if (values.includes(UNAVAILABLE))
      return this.fallback(
        label,
        stageField,
        'it depends on a stage above that could not be worked out',
        recorded,
      );
    try {
      if (stageField?.set) this.noteRandom(stageField.value);
      return this.computed(label, stageField, compute(values), recorded);
    } catch (thrown) {
      return this.failure(label, stageField, thrown, recorded);
    }
  }

  private async stepAsync(
    label: string,
    stageField: Stage['field'],
    from: readonly Value[],
    compute: (values: unknown[]) => unknown,
    recorded?: { value: unknown },
  ): Promise<Value> {
    const values = from.map((v) => (v === UNAVAILABLE ? v : v.value));
    if (values.includes(UNAVAILABLE))
      return this.fallback(
        label,
        stageField,
        'it depends on a stage above that could not be worked out',
        recorded,
      );
    try {
      return this.computed(label, stageField, await compute(values), recorded);
    } catch (thrown) {
      return this.failure(label, stageField, thrown, recorded);
    }
  }

  private computed(
    label: string,
    stageField: Stage['field'],
    result: unknown,
    recorded?: { value: unknown },
  ): Value {
    const isUnchanged = result instanceof Unchanged;
    const value = isUnchanged ? result.value : result;
    const status: StageStatus = isUnchanged ? 'unchanged' : 'computed';
    if (recorded && !jsonEquals(recorded.value, value))
      return this.push({
        label,
        ...(stageField ? { field: stageField } : {}),
        status,
        value,
        recorded: recorded.value,
        note: this.random
          ? 'differs from what the history recorded, as a function that gives a new value each call does'
          : 'differs from what the history recorded',
      });
    return this.push({ label, ...(stageField ? { field: stageField } : {}), status, value });
  }

  /** When a stage cannot be worked out but the history records it, the recorded value carries on. */
  private fallback(
    label: string,
    stageField: Stage['field'],
    reason: string,
    recorded?: { value: unknown },
  ): Value {
    if (recorded) {
      this.push({
        label,
        ...(stageField ? { field: stageField } : {}),
        status: 'recorded',
        value: recorded.value,
        note: `as the history recorded it: it cannot be worked out again here, because ${reason}`,
      });
      // Nothing below reads a task's parameters: later stages start from its result.
      return { value: recorded.value };
    }
    return this.push({
      label,
      ...(stageField ? { field: stageField } : {}),
      status: 'unavailable',
      note: `cannot be worked out from the history: ${reason}`,
    });
  }

  private failure(
    label: string,
    stageField: Stage['field'],
    thrown: unknown,
    recorded?: { value: unknown },
  ): Value {
    const reason = reasonOf(thrown);
    if (!(thrown instanceof StatesError) || unknowable(thrown) || recorded)
      return this.fallback(label, stageField, reason, recorded);
    return this.push({ label, ...(stageField ? { field: stageField } : {}), status: 'failed', note: reason });
  }

  /**
   * Notes a JSONPath field that calls States.UUID or States.MathRandom: a value recomputed from it may
   * differ from the recorded one without anything being wrong. (A `$name` variable path needs no check
   * here: the scope has no variables, so the path fails and `unknowable` says why.)
   */
  private noteRandom(template: unknown): void {
    const text = JSON.stringify(template) ?? '';
    if (RANDOM.test(text)) this.random = true;
  }

  private assignStep(assign: unknown, from: readonly Value[], compute: (values: unknown[]) => unknown): void {
    this.step(
      'Assign (the variables set)',
      { name: 'Assign', set: true, value: assign },
      from,
      compute,
      this.assigned(),
    );
  }

  private async assignStepAsync(
    assign: unknown,
    from: readonly Value[],
    compute: (values: unknown[]) => unknown,
  ): Promise<void> {
    await this.stepAsync(
      'Assign (the variables set)',
      { name: 'Assign', set: true, value: assign },
      from,
      compute,
      this.assigned(),
    );
  }

  /** The variables the state's Exited event says it assigned. */
  private assigned(): { value: unknown } | undefined {
    const recorded = this.entry.exited?.stateExitedEventDetails?.assignedVariables;
    if (!recorded) return undefined;
    return { value: Object.fromEntries(Object.entries(recorded).map(([k, v]) => [k, parse(v)])) };
  }

  private finish(output: Value | undefined): DataFlow {
    const exited = this.entry.exited;
    const recordedOutput = exited ? parse(exited.stateExitedEventDetails?.output) : undefined;
    const computed = output && output !== UNAVAILABLE ? output.value : undefined;
    const known = exited !== undefined && output !== undefined && output !== UNAVAILABLE;
    const verdict = !known ? 'unknown' : jsonEquals(recordedOutput, computed) ? 'equal' : 'differs';
    return {
      language: this.language,
      enteredEventId: this.entry.entered.id ?? 0,
      ...(exited?.id !== undefined ? { exitedEventId: exited.id } : {}),
      stages: this.stages,
      verdict,
      ...(exited ? { recordedOutput } : {}),
      ...(known ? { computedOutput: computed } : {}),
      ...(verdict === 'differs' && this.random
        ? {
            note: 'The state calls a function that gives a new value each call: its output is not expected to repeat.',
          }
        : {}),
    };
  }
}

interface Caught {
  readonly error: string;
  readonly output: { Error: string; Cause: string };
  readonly catcher: CatcherLike | undefined;
  readonly note: string;
}

/** A value worked out so far, or UNAVAILABLE. */
type Value = { readonly value: unknown } | typeof UNAVAILABLE;
const UNAVAILABLE: unique symbol = Symbol('unavailable');

/** A field that is not set: the value it would have made is the one given to it. */
class Unchanged {
  constructor(readonly value: unknown) {}
}
const unchanged = (value: unknown) => new Unchanged(value);

function field(state: FlowState, name: keyof FlowState): Stage['field'] {
  const set = state[name] !== undefined;
  return set ? { name, set, value: state[name] } : { name, set };
}

/**
 * Whether a path's failure comes from what the history does not carry rather than from the data: a
 * variable (the scope has none) or a context field that is not reconstructed (`$$.Task.Token`).
 */
function unknowable(thrown: unknown): boolean {
  return thrown instanceof StatesError && /The variable '\$|JSONPath '\$\$/.test(thrown.cause);
}

function reasonOf(thrown: unknown): string {
  if (thrown instanceof Unavailable) return thrown.message;
  if (thrown instanceof StatesError) {
    const variable = /The variable '(\$[^']+)'/.exec(thrown.cause)?.[1];
    if (variable) return `it reads the variable ${variable}, which the history does not carry`;
    const context = /JSONPath '(\$\$[^']*)'/.exec(thrown.cause)?.[1];
    if (context) return `it reads ${context}, which the history does not carry`;
    return `${thrown.error}: ${thrown.cause}`;
  }
  return thrown instanceof Error ? thrown.message : String(thrown);
}

/** Every "{% %}" expression's text in a JSONata template. */
function expressions(template: unknown): string[] {
  if (isExpression(template)) return [expressionText(template)];
  if (Array.isArray(template)) return template.flatMap(expressions);
  if (template && typeof template === 'object') return Object.values(template).flatMap(expressions);
  return [];
}

/**
 * The workflow variables a JSONata expression reads: `$name` references, leaving out `$states`, `$` (the
 * context item), names the expression binds itself (`$x := ...`, a function's parameters) and functions
 * called by name.
 */
function variablesRead(ast: unknown): string[] {
  const bound = new Set(['states', '']);
  const read = new Set<string>();
  const walk = (node: unknown, called = false): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'bind' && (n.lhs as { value?: unknown } | undefined)?.value !== undefined)
      bound.add(String((n.lhs as { value: unknown }).value));
    if (n.type === 'lambda' && Array.isArray(n.arguments))
      for (const a of n.arguments as { value?: unknown }[]) bound.add(String(a.value));
    if (n.type === 'variable' && !called) read.add(String(n.value));
    for (const [key, value] of Object.entries(n))
      walk(value, key === 'procedure' && (n.type === 'function' || n.type === 'partial'));
  };
  walk(ast);
  return [...read].filter((v) => !bound.has(v));
}

/** The details object of an event that carries an error and cause, whatever its type. */
function errorOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails') && value && typeof value === 'object' && 'error' in value)
      return value as { error?: string; cause?: string };
  return undefined;
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The history sorted by id, each id once (pages read in either direction may overlap). */
function inIdOrder(history: readonly HistoryEvent[]): HistoryEvent[] {
  const seen = new Map<number, HistoryEvent>();
  for (const event of history) if (event.id !== undefined) seen.set(event.id, event);
  return [...seen.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}
