/**
 * The state machine's definition (its ASL) as the console shows it beside the graph: pretty-printed and
 * highlighted, the whole definition or one state's. The highlighting is a few classes on the JSON's tokens,
 * with no editor library: the page only reads it.
 */
import { escapeHtml, type Html, html, raw } from './html';

/** A state of a definition, as far as the viewer reads it. */
export interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly HeartbeatSecondsPath?: string;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly { readonly ErrorEquals?: readonly string[]; readonly Next?: string }[];
  readonly InputPath?: string | null;
  readonly Parameters?: unknown;
  readonly ResultSelector?: unknown;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string | null;
  readonly Arguments?: unknown;
  readonly Output?: unknown;
  readonly Branches?: readonly AslMachine[];
  readonly Iterator?: AslMachine;
  readonly ItemProcessor?: AslMachine;
}

export interface AslRetrier {
  readonly ErrorEquals?: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

export interface AslMachine {
  readonly StartAt?: string;
  readonly States?: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: string;
}

/** The definition text parsed, or undefined when it is not a JSON object. */
export function parseDefinition(definition: string | undefined): AslMachine | undefined {
  try {
    const parsed: unknown = JSON.parse(definition ?? '');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A state by name, wherever it is: at the top level, in a Parallel's branch or a Map's processor. */
export function findState(machine: AslMachine | undefined, name: string): AslState | undefined {
  if (!machine?.States) return undefined;
  if (Object.hasOwn(machine.States, name)) return machine.States[name];
  for (const state of Object.values(machine.States)) {
    const inner = [...(state.Branches ?? []), state.ItemProcessor, state.Iterator];
    for (const child of inner) {
      const found = findState(child, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * One JSON token of a pretty-printed document: a string (then whether a key, by the colon after it), a
 * number, a literal; punctuation and spaces are what lies between tokens.
 */
const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

/** A JSON value pretty-printed, its keys, strings, numbers and literals each in a class of its own. */
export function highlightedJson(value: unknown): Html {
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const [whole, string, colon, number, literal] = match;
    out += escapeHtml(text.slice(last, match.index));
    if (string !== undefined)
      out += colon
        ? `<span class="json-key">${escapeHtml(string)}</span>${escapeHtml(colon)}`
        : `<span class="json-string">${escapeHtml(string)}</span>`;
    else if (number !== undefined) out += `<span class="json-number">${number}</span>`;
    else out += `<span class="json-literal">${literal}</span>`;
    last = (match.index ?? 0) + whole.length;
  }
  out += escapeHtml(text.slice(last));
  return raw(out);
}

/** The definition panel: the whole ASL, highlighted, with a button to copy it. */
export function definitionPanel(definition: string | undefined): Html {
  const machine = parseDefinition(definition);
  if (!machine) return html`<p class="muted">The definition is not available.</p>`;
  return html`
    <div class="copy-row"><button type="button" class="copy" data-copy="${JSON.stringify(machine, null, 2)}">Copy definition</button></div>
    <pre class="json asl" data-definition>${highlightedJson(machine)}</pre>`;
}
