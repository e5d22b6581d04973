/**
 * The selected state's details under the console's tabs: input and output (with the advanced view: the
 * state's InputPath, Parameters, ResultSelector, ResultPath and OutputPath applied step by step, each
 * with the JSON after it, from data-flow.ts), details (type, duration, resource, timeouts), definition
 * (the state's ASL), retries (its Retry and Catch, and each attempt), events. Every tab is in the markup
 * and the inactive ones are hidden, so switching tabs is a class change and what a panel holds is always
 * there.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type DataFlow, dataFlow, type FlowMachine, type Stage, type StageStatus } from '../data-flow';
import type { StateRun } from '../state-runs';
import { jsonBlock } from './components';
import { type AslState, highlightedJson, parseDefinition } from './definition-view';
import { formatDuration, type Html, html } from './html';
import { timelineOf } from './states-table';

export interface StateDetailsInput<Tab extends string> {
  readonly tab: Tab;
  readonly tabs: readonly (readonly [Tab, string])[];
  readonly name: string;
  readonly run?: StateRun;
  readonly state?: AslState;
  readonly history: readonly HistoryEvent[];
  /** The state machine's definition (ASL JSON), for the advanced view's query language and branches. */
  readonly definition?: string;
  /** The execution's ARN: the advanced view's `$$.Execution.Id`, which the history does not carry. */
  readonly executionArn?: string;
  /** Epoch ms: the execution's start, and its end (or now). */
  readonly start: number;
  readonly now: number;
  /** The attempts table (the page draws it: its rows expand). */
  readonly attempts?: Html;
}

export function stateDetailsTabs<Tab extends string>(input: StateDetailsInput<Tab>): Html {
  const panels: Record<string, Html> = {
    io: inputOutput(input),
    details: details(input),
    definition: input.state
      ? html`<pre class="json asl" data-state-definition>${highlightedJson(input.state)}</pre>`
      : html`<p class="muted">The definition has no state named ${input.name}.</p>`,
    retries: retries(input),
    events: events(input),
  };
  return html`
    <div class="details-tabs" role="tablist">${input.tabs.map(
      ([tab, label]) => html`<button type="button" role="tab" data-details-tab="${tab}"
        aria-selected="${tab === input.tab}">${label}</button>`,
    )}</div>
    ${input.tabs.map(
      ([tab]) =>
        html`<div class="details-panel" data-details-panel="${tab}" ${tab !== input.tab && 'hidden'}>${panels[tab]}</div>`,
    )}`;
}

function inputOutput(input: StateDetailsInput<string>): Html {
  const { run } = input;
  if (!run) return html`<p class="muted">No input or output: the state was not reached.</p>`;
  return html`
    <h4>Input</h4>${jsonBlock(run.input)}
    <h4>Output</h4>${jsonBlock(run.output, 'No output')}
    <details class="advanced" data-advanced ${advancedOpen && 'open'}>
      <summary>Advanced view: input and output processing, step by step</summary>
      ${advancedView(input)}
    </details>`;
}

/**
 * Whether the reader has opened the advanced view: the live re-render rebuilds the panel whenever the
 * history grows, and the view stays open across it (and from state to state, as the tab does).
 */
let advancedOpen = false;
if (typeof document !== 'undefined')
  document.addEventListener(
    'toggle',
    (event) => {
      const target = event.target;
      if (target instanceof HTMLDetailsElement && target.hasAttribute('data-advanced'))
        advancedOpen = target.open;
    },
    true, // toggle does not bubble
  );

/**
 * Each state's data flow, worked out once per history read, by the key `flowKey` gives. A pending one (a
 * JSONata state's) renders as a placeholder that `dataFlow`'s answer fills in.
 */
const flows = new Map<string, DataFlow | undefined | Error | 'pending'>();
const MAX_FLOWS = 50;

/** The state, and how far the history and the definition had been read: a new read is worked out again. */
function flowKey({ executionArn, name, history, definition }: StateDetailsInput<string>): string {
  const last = history.reduce((most, e) => Math.max(most, e.id ?? 0), 0);
  return `${executionArn ?? ''}|${name}|${last}|${definition === undefined ? 'no definition yet' : 'definition'}`;
}

function advancedView(input: StateDetailsInput<string>): Html {
  const key = flowKey(input);
  if (!flows.has(key)) {
    if (flows.size >= MAX_FLOWS) flows.clear();
    const asError = (thrown: unknown) => (thrown instanceof Error ? thrown : new Error(String(thrown)));
    try {
      const flow = dataFlow({
        history: input.history,
        name: input.name,
        definition: parseDefinition(input.definition) as FlowMachine | undefined,
        ...(input.executionArn ? { executionArn: input.executionArn } : {}),
      });
      // A JSONPath state's flow is here now, so this render draws it and the next leaves the panel (and
      // a callback form being typed into) alone; a JSONata state's fills its placeholder when it comes.
      if (flow instanceof Promise) {
        flows.set(key, 'pending');
        flow.then(
          (done) => fill(key, done),
          (thrown: unknown) => fill(key, asError(thrown)),
        );
      } else flows.set(key, flow);
    } catch (thrown) {
      flows.set(key, asError(thrown));
    }
  }
  const flow = flows.get(key);
  return html`<div data-data-flow="${key}">${flow === 'pending' ? html`<p class="muted">Working out each stage...</p>` : flowView(flow)}</div>`;
}

/** Puts an answer that came after the panel was drawn into the placeholder (the next render keeps it). */
function fill(key: string, flow: DataFlow | undefined | Error): void {
  flows.set(key, flow);
  if (typeof document === 'undefined') return;
  for (const element of document.querySelectorAll('[data-data-flow]'))
    if (element.getAttribute('data-data-flow') === key) element.innerHTML = flowView(flow).text;
}

const STATUS_WORDS: Readonly<Record<StageStatus, string>> = {
  recorded: 'from the history',
  computed: 'recomputed',
  unchanged: 'not set: passed on unchanged',
  unavailable: 'cannot be recomputed',
  failed: 'fails',
};

function flowView(flow: DataFlow | undefined | Error): Html {
  if (flow instanceof Error)
    return html`<p class="error-text">The stages could not be worked out: ${flow.message}</p>`;
  if (!flow)
    return html`<p class="muted">No stages to show: the definition has no such state, or the history has not entered it.</p>`;
  return html`
    <p class="muted">${flow.language} state: entered at event ${flow.enteredEventId}${
      flow.exitedEventId !== undefined ? `, exited at event ${flow.exitedEventId}` : ', not exited'
    }. Each stage is worked out from the one before it with the engine's own functions; what the history
      records is read from it.</p>
    <ol class="processing stages" data-stages>${flow.stages.map(stageView)}</ol>
    ${verdictView(flow)}`;
}

function stageView(stage: Stage): Html {
  const f = stage.field;
  return html`
    <li class="stage stage-${stage.status}" data-stage="${stage.label}" data-stage-status="${stage.status}">
      <div class="stage-head"><strong>${stage.label}</strong>
        <span class="tag stage-tag">${STATUS_WORDS[stage.status]}</span></div>
      ${
        f &&
        html`<div class="stage-field" data-processing="${f.name}"><code>${f.name}</code>${
          !f.set
            ? html` <span class="muted">not set</span>`
            : typeof f.value === 'string' || f.value === null
              ? html` <code class="stage-setting">${String(f.value)}</code>`
              : html`<pre class="json small">${highlightedJson(f.value)}</pre>`
        }</div>`
      }
      ${stage.note && html`<p class="${stage.recorded !== undefined || stage.status === 'failed' ? 'error-text' : 'muted'}" data-stage-note>${stage.note}</p>`}
      ${'value' in stage && html`<pre class="json" data-stage-value>${highlightedJson(stage.value)}</pre>`}
      ${
        stage.recorded !== undefined &&
        html`<p class="muted">What the history recorded:</p><pre class="json" data-stage-recorded>${highlightedJson(stage.recorded)}</pre>`
      }
    </li>`;
}

function verdictView(flow: DataFlow): Html {
  if (flow.verdict === 'equal')
    return html`<p class="stage-verdict" data-verdict="equal">The recomputed output equals the output the history recorded.</p>`;
  if (flow.verdict === 'differs')
    return html`
      <div class="banner ${flow.note ? 'banner-warning' : 'banner-error'}" data-verdict="differs">
        <strong>The recomputed output differs from the output the history recorded.</strong>
        ${flow.note ? html`<div>${flow.note}</div>` : html`<div>That is a bug in the engine or in this view worth reporting.</div>`}
        <div class="side-by-side">
          <div><h4>Recorded</h4><pre class="json">${highlightedJson(flow.recordedOutput)}</pre></div>
          <div><h4>Recomputed</h4><pre class="json">${highlightedJson(flow.computedOutput)}</pre></div>
        </div>
      </div>`;
  return html`<p class="muted" data-verdict="unknown">${
    flow.exitedEventId === undefined
      ? 'The state has not exited: there is no recorded output to compare with.'
      : 'The output could not be recomputed from the history (see the stages above), so it is not compared.'
  }</p>`;
}

function details({ run, state, history, start, now }: StateDetailsInput<string>): Html {
  const times = new Map(history.map((h) => [h.id ?? 0, h.timestamp?.getTime() ?? 0]));
  const timeline = run && timelineOf(run, (id) => times.get(id), now);
  const item = (label: string, value: unknown) =>
    html`<div data-detail="${label}"><dt>${label}</dt><dd>${value}</dd></div>`;
  const seconds = (value: number | undefined, path: string | undefined) =>
    value !== undefined ? `${value} s` : path !== undefined ? html`from <code>${path}</code>` : 'none';
  return html`
    <dl class="deadlines">
      ${item('Type', state?.Type ?? '-')}
      ${item('Resource', state?.Resource ? html`<code>${state.Resource}</code>` : '-')}
      ${item(
        'Duration',
        // A running state's duration would change at every poll, and rebuilding the panel each second
        // takes the focus from a callback form being typed into: it is shown once the state has ended.
        run?.status === 'in-progress'
          ? 'in progress'
          : timeline?.first !== undefined && timeline.last !== undefined
            ? formatDuration(timeline.last - timeline.first)
            : '-',
      )}
      ${item('Started after', timeline?.first !== undefined ? formatDuration(timeline.first - start) : '-')}
      ${item('Attempts', run?.attempts.length ?? 0)}
      ${state?.Type === 'Task' && item('TimeoutSeconds', seconds(state.TimeoutSeconds, state.TimeoutSecondsPath))}
      ${state?.Type === 'Task' && item('HeartbeatSeconds', seconds(state.HeartbeatSeconds, state.HeartbeatSecondsPath))}
      ${state?.Comment && item('Comment', state.Comment)}
    </dl>`;
}

function retries({ state, attempts }: StateDetailsInput<string>): Html {
  const retriers = state?.Retry ?? [];
  const catchers = state?.Catch ?? [];
  return html`
    <h4>Retry</h4>
    ${
      retriers.length === 0
        ? html`<p class="muted">The state has no Retry: an error is not retried.</p>`
        : html`<table class="table compact" data-retriers>
          <thead><tr><th>Errors</th><th class="num">Interval</th><th class="num">Max attempts</th><th class="num">Backoff</th><th class="num">Max delay</th><th>Jitter</th></tr></thead>
          <tbody>${retriers.map(
            (r) => html`<tr>
              <td>${(r.ErrorEquals ?? []).join(', ')}</td>
              <td class="num">${r.IntervalSeconds ?? 1} s</td>
              <td class="num">${r.MaxAttempts ?? 3}</td>
              <td class="num">× ${r.BackoffRate ?? 2}</td>
              <td class="num">${r.MaxDelaySeconds === undefined ? '-' : `${r.MaxDelaySeconds} s`}</td>
              <td>${r.JitterStrategy ?? 'NONE'}</td>
            </tr>`,
          )}</tbody></table>`
    }
    ${
      catchers.length > 0 &&
      html`<h4>Catch</h4><table class="table compact" data-catchers>
        <thead><tr><th>Errors</th><th>Next</th></tr></thead>
        <tbody>${catchers.map((c) => html`<tr><td>${(c.ErrorEquals ?? []).join(', ')}</td><td>${c.Next}</td></tr>`)}</tbody>
      </table>`
    }
    ${attempts ?? html`<p class="muted">No attempt: the state calls no task, or was not reached.</p>`}`;
}

function events({ run, history, name }: StateDetailsInput<string>): Html {
  if (!run) return html`<p class="muted">No events: the state was not reached.</p>`;
  const mine = new Set(run.eventIds);
  return html`
    <table class="table compact" data-state-events>
      <thead><tr><th>ID</th><th>Type</th></tr></thead>
      <tbody>${history
        .filter((h) => mine.has(h.id ?? 0))
        .map(
          (h) =>
            html`<tr><td>${h.id}</td><td class="${/(Failed|TimedOut|Aborted)$/.test(h.type ?? '') ? 'error-text' : ''}">${h.type}</td></tr>`,
        )}</tbody>
    </table>
    <button type="button" class="link" data-events-of="${name}">Show them in the events view</button>`;
}
