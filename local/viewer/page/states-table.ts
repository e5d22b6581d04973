/**
 * The console's table view of an execution's states: name, type, status, resource, duration, when it
 * started after the execution did, and a timeline bar per state on one time axis, in which each attempt
 * of a retried task is a segment of its own and the backoff waits between attempts are hatched gaps.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateRun } from '../state-runs';
import { type AslMachine, findState } from './definition-view';
import { STATUS_LABELS } from './graph-view';
import { formatDuration, type Html, html } from './html';

export interface StatesTableInput {
  readonly history: readonly HistoryEvent[];
  readonly runs: ReadonlyMap<string, StateRun>;
  readonly definition?: AslMachine;
  /** Epoch ms: the execution's start, and its end (or now, while it runs). */
  readonly start: number;
  readonly end: number;
  readonly selected?: string;
}

/** One segment of a state's timeline, in epoch ms. */
export interface TimelineSegment {
  readonly kind: 'attempt' | 'backoff' | 'run';
  readonly from: number;
  readonly to: number;
  readonly failed?: boolean;
}

/**
 * A state's timeline: each attempt from its first event to its last, the backoff wait between one
 * attempt's end and the next one's start; a state with no attempts (Pass, Choice, Wait...) is one run from
 * its first event to its last.
 */
export function timelineOf(run: StateRun, timeOf: (id: number) => number | undefined, now: number) {
  const segments: TimelineSegment[] = [];
  let previousEnd: number | undefined;
  for (const attempt of run.attempts) {
    const from = timeOf(attempt.startedEventId);
    if (from === undefined) continue;
    const to = (attempt.endedEventId === undefined ? undefined : timeOf(attempt.endedEventId)) ?? now;
    if (previousEnd !== undefined && from > previousEnd)
      segments.push({ kind: 'backoff', from: previousEnd, to: from });
    segments.push({ kind: 'attempt', from, to, ...(attempt.error ? { failed: true } : {}) });
    previousEnd = to;
  }
  const first = run.eventIds[0] === undefined ? undefined : timeOf(run.eventIds[0]);
  const last = run.eventIds.at(-1) === undefined ? undefined : timeOf(run.eventIds.at(-1) as number);
  if (segments.length === 0 && first !== undefined)
    segments.push({
      kind: 'run',
      from: first,
      to: run.status === 'in-progress' ? now : (last ?? first),
      ...(run.status === 'failed' ? { failed: true } : {}),
    });
  return { first, last: run.status === 'in-progress' ? now : last, segments };
}

/** The states in the order the execution first entered them. */
export function statesTable(input: StatesTableInput): Html {
  const times = new Map<number, number>();
  for (const h of input.history) if (h.timestamp) times.set(h.id ?? 0, h.timestamp.getTime());
  const timeOf = (id: number) => times.get(id);
  const span = Math.max(1, input.end - input.start);
  const runs = [...input.runs.values()].sort((a, b) => (a.eventIds[0] ?? 0) - (b.eventIds[0] ?? 0));
  if (runs.length === 0) return html`<p class="muted">No state has been entered yet.</p>`;
  const percent = (ms: number) => `${(((ms - input.start) / span) * 100).toFixed(2)}%`;
  const width = (from: number, to: number) => `${Math.max(0.3, ((to - from) / span) * 100).toFixed(2)}%`;
  const rows = runs.map((run) => {
    const state = findState(input.definition, run.name);
    const { first, last, segments } = timelineOf(run, timeOf, input.end);
    const attempts = run.attempts.length;
    return html`
      <tr data-state-row="${run.name}" class="${input.selected === run.name ? 'highlighted' : ''}">
        <td><button type="button" class="link" data-select-state="${run.name}">${run.name}</button></td>
        <td>${state?.Type ?? ''}</td>
        <td><span class="tag state-${run.status}">${STATUS_LABELS[run.status]}</span></td>
        <td class="resource">${state?.Resource ? html`<code>${shortResource(state.Resource)}</code>` : ''}</td>
        <td class="num">${first !== undefined && last !== undefined ? formatDuration(last - first) : ''}</td>
        <td class="num">${first !== undefined ? formatDuration(first - input.start) : ''}</td>
        <td class="timeline-cell">
          <div class="timeline" title="${attempts > 1 ? `${attempts} attempts` : ''}">${segments.map(
            (s) => html`<span class="segment segment-${s.kind}${s.failed ? ' segment-failed' : ''}"
              data-segment="${s.kind}" style="left: ${percent(s.from)}; width: ${width(s.from, s.to)}"
              title="${segmentTitle(s)}"></span>`,
          )}</div>
        </td>
      </tr>`;
  });
  return html`
    <table class="table states-table" data-states-table>
      <thead><tr>
        <th>Name</th><th>Type</th><th>Status</th><th>Resource</th><th class="num">Duration</th>
        <th class="num">Started after</th><th class="timeline-cell">Timeline</th>
      </tr></thead>
      <tbody>${rows}</tbody>
    </table>`;
}

function segmentTitle(s: TimelineSegment): string {
  const length = formatDuration(s.to - s.from);
  if (s.kind === 'backoff') return `Retry backoff: ${length}`;
  if (s.kind === 'attempt') return `Attempt${s.failed ? ' (failed)' : ''}: ${length}`;
  return length;
}

/** A resource ARN without its `arn:aws:states:::` prefix, the way the console's table shortens it. */
function shortResource(resource: string): string {
  return resource.replace(/^arn:aws:states:::/, '');
}
