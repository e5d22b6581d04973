/**
 * The selected state's details under the console's tabs: input and output (with the advanced view: what
 * the state's InputPath, Parameters, ResultSelector, ResultPath and OutputPath were, beside what each
 * stage of the history recorded), details (type, duration, resource, timeouts), definition (the state's
 * ASL), retries (its Retry and Catch, and each attempt), events. Every tab is in the markup and the
 * inactive ones are hidden, so switching tabs is a class change and what a panel holds is always there.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateRun } from '../state-runs';
import { jsonBlock } from './components';
import { type AslState, highlightedJson } from './definition-view';
import { formatDuration, type Html, html } from './html';
import { timelineOf } from './states-table';

export interface StateDetailsInput<Tab extends string> {
  readonly tab: Tab;
  readonly tabs: readonly (readonly [Tab, string])[];
  readonly name: string;
  readonly run?: StateRun;
  readonly state?: AslState;
  readonly history: readonly HistoryEvent[];
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

function inputOutput({ run, state, history }: StateDetailsInput<string>): Html {
  if (!run) return html`<p class="muted">No input or output: the state was not reached.</p>`;
  const mine = new Set(run.eventIds);
  const own = history.filter((h) => mine.has(h.id ?? 0));
  const scheduled = own.findLast((h) => h.taskScheduledEventDetails)?.taskScheduledEventDetails?.parameters;
  const result =
    own.findLast((h) => h.taskSucceededEventDetails)?.taskSucceededEventDetails?.output ??
    own.findLast((h) => h.lambdaFunctionSucceededEventDetails)?.lambdaFunctionSucceededEventDetails?.output;
  const field = (label: string, value: unknown) =>
    value === undefined
      ? html`<div><dt>${label}</dt><dd class="muted">not set</dd></div>`
      : html`<div data-processing="${label}"><dt>${label}</dt><dd><code>${
          typeof value === 'string' || value === null ? String(value) : JSON.stringify(value)
        }</code></dd></div>`;
  return html`
    <h4>Input</h4>${jsonBlock(run.input)}
    <h4>Output</h4>${jsonBlock(run.output, 'No output')}
    <details class="advanced" data-advanced>
      <summary>Advanced view: input and output processing, step by step</summary>
      <ol class="processing">
        <li><strong>State input</strong>${jsonBlock(run.input)}</li>
        <li><strong>InputPath, then ${state?.Arguments !== undefined ? 'Arguments' : 'Parameters'}</strong>
          <dl class="deadlines">${field('InputPath', state?.InputPath)}${field(
            state?.Arguments !== undefined ? 'Arguments' : 'Parameters',
            state?.Arguments ?? state?.Parameters,
          )}</dl>
          ${scheduled === undefined ? html`<p class="muted">No task was scheduled.</p>` : html`<p class="muted">What the task was called with:</p>${jsonBlock(scheduled)}`}</li>
        <li><strong>Task result</strong>${result === undefined ? html`<p class="muted">No result.</p>` : jsonBlock(result)}</li>
        <li><strong>ResultSelector, ResultPath, then OutputPath</strong>
          <dl class="deadlines">${field('ResultSelector', state?.ResultSelector)}${field(
            'ResultPath',
            state?.ResultPath,
          )}${field('OutputPath', state?.OutputPath)}</dl></li>
        <li><strong>State output</strong>${jsonBlock(run.output, 'No output')}</li>
      </ol>
    </details>`;
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
        timeline?.first !== undefined && timeline.last !== undefined
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
