/**
 * The Amazon States Language as the interpreter reads it: asl-types (the project's design card names it),
 * extended here, in one place, with the fields it lacks today — the query language, JSONata's Arguments /
 * Output / Assign / Condition, ResultSelector, ItemProcessor and ItemSelector, tolerated failures, and
 * Retry's MaxDelaySeconds and JitterStrategy — and with `Type` narrowed so a switch on it is exhaustive.
 */
import type * as Asl from 'asl-types';
import type { Operator } from 'asl-types/dist/choice';

export type QueryLanguage = 'JSONPath' | 'JSONata';

/** Fields every state may carry under either query language. */
interface Common {
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  /** Variables to set when the state ends (JSONPath and JSONata states alike). */
  Assign?: Record<string, unknown>;
}

/** Fields of states that pass data on: `Output` under JSONata. */
interface Outputs {
  Output?: unknown;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: unknown;
  Assign?: Record<string, unknown>;
}

interface Transitions {
  Next?: string;
  End?: true;
}

interface Recovers {
  Retry?: Retrier[];
  Catch?: Catcher[];
  ResultSelector?: Record<string, unknown>;
}

export type PassState = Omit<Asl.Pass, 'Type' | 'ResultPath'> &
  Common &
  Outputs & { Type: 'Pass'; ResultPath?: string | null };

export type TaskState = Omit<
  Asl.Task,
  'Type' | 'Retry' | 'Catch' | 'Resource' | 'TimeoutSeconds' | 'HeartbeatSeconds'
> &
  Common &
  Outputs &
  Transitions &
  Recovers & {
    Type: 'Task';
    Resource: string;
    Arguments?: unknown;
    Credentials?: unknown;
    TimeoutSeconds?: number | string;
    TimeoutSecondsPath?: string;
    HeartbeatSeconds?: number | string;
    HeartbeatSecondsPath?: string;
  };

/** A Choice rule: JSONPath's Variable + comparison, or JSONata's Condition. */
export type ChoiceRule = Operator & {
  Condition?: string | boolean;
  Output?: unknown;
  Assign?: Record<string, unknown>;
};

export type ChoiceState = Omit<Asl.Choice, 'Type' | 'Choices'> &
  Common &
  Outputs & { Type: 'Choice'; Choices: ChoiceRule[] };

export type WaitState = Omit<Asl.Wait, 'Type' | 'Seconds' | 'Timestamp'> &
  Common &
  Outputs & { Type: 'Wait'; Seconds?: number | string; Timestamp?: string };

export type SucceedState = Omit<Asl.Succeed, 'Type'> &
  Common &
  Outputs & { Type: 'Succeed'; InputPath?: string | null; OutputPath?: string | null };

export type FailState = Omit<Asl.Fail, 'Type'> &
  Common & { Type: 'Fail'; ErrorPath?: string; CausePath?: string };

export type ParallelState = Omit<Asl.Parallel, 'Type' | 'Branches' | 'Retry' | 'Catch'> &
  Common &
  Outputs &
  Recovers & {
    Type: 'Parallel';
    Branches: StateMachineDefinition[];
    Parameters?: Record<string, unknown>;
    Arguments?: unknown;
  };

/** An inline Map's processor: ProcessorConfig.Mode INLINE (DISTRIBUTED is not emulated). */
export interface ItemProcessor extends StateMachineDefinition {
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

export type MapState = Omit<Asl.Map, 'Type' | 'Iterator' | 'Retry' | 'Catch' | 'MaxConcurrency'> &
  Common &
  Outputs &
  Recovers & {
    Type: 'Map';
    ItemProcessor?: ItemProcessor;
    /** The older name of ItemProcessor. */
    Iterator?: StateMachineDefinition;
    ItemSelector?: Record<string, unknown>;
    /** JSONata: the items (an array, or an expression giving one). */
    Items?: unknown;
    MaxConcurrency?: number | string;
    MaxConcurrencyPath?: string;
    ToleratedFailurePercentage?: number | string;
    ToleratedFailurePercentagePath?: string;
    ToleratedFailureCount?: number | string;
    ToleratedFailureCountPath?: string;
    ItemReader?: unknown;
    ItemBatcher?: unknown;
    ResultWriter?: unknown;
    Label?: string;
  };

export type State =
  | PassState
  | TaskState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;

export type StateType = State['Type'];

export interface StateMachineDefinition extends Omit<Asl.StateMachine, 'States'> {
  QueryLanguage?: QueryLanguage;
  States: Record<string, State>;
}

/** Visits every state, including those inside Parallel branches and Map processors. */
export function forEachState(
  definition: StateMachineDefinition,
  visit: (name: string, state: State) => void,
): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    if (state.Type === 'Parallel') for (const branch of state.Branches) forEachState(branch, visit);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) forEachState(processor, visit);
    }
  }
}
