import { loadTemplate } from '../../local/template';
import { readTemplate, stackName } from './synth';

export interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[]; JitterStrategy?: string; MaxAttempts?: number; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Choices?: { Next: string }[];
  Default?: string;
  Branches?: Definition[];
  [field: string]: unknown;
}
export interface Definition {
  StartAt: string;
  States: Record<string, State>;
  [field: string]: unknown;
}

/** Every state machine's definition as the template would deploy it, resolved to local names. */
export function synthesizedDefinitions(): Map<string, Definition> {
  const resources = loadTemplate(readTemplate(), {
    account: '000000000000',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4010',
    stackName,
  });
  const definitions = new Map<string, Definition>();
  for (const r of resources.values()) {
    if (r.type !== 'AWS::StepFunctions::StateMachine') continue;
    definitions.set(
      String(r.attributes.Name),
      JSON.parse(String(r.properties.DefinitionString)) as Definition,
    );
  }
  return definitions;
}

/** Every state of a definition, including those inside Parallel branches, by name. */
export function allStates(definition: Definition): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.Branches ?? []).flatMap(allStates),
  ]);
}
