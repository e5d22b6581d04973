/**
 * The execution's events (GetExecutionHistory) as the console's event view: a page at a time, sorted by
 * id either way, filtered by event type and by state, failures in red; a row expands to its details. The
 * controls are drawn once and kept, so choosing in them is never interrupted by the live re-render.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateRun } from '../state-runs';
import { formatDuration, type Html, html, parseJson, setHtml, timeElement } from './html';

/** Event types shown as failures (TaskFailed, ExecutionAborted, MapIterationFailed...). */
export const FAILURE_TYPE = /(Failed|TimedOut|Aborted)$/;

/** The `*EventDetails` members whose string values are JSON documents, shown parsed. */
const JSON_FIELDS = new Set(['input', 'output', 'parameters', 'cause']);

/** Rows per page: a whole ordinary run fits on one; a long loop pages. */
export const EVENTS_PAGE_SIZE = 200;

export interface EventsInput {
  readonly history: readonly HistoryEvent[];
  readonly runs: ReadonlyMap<string, StateRun>;
  /** Epoch ms the times since start count from. */
  readonly start: number;
  readonly expanded: ReadonlySet<string>;
  /** The selected state: its events are highlighted. */
  readonly selected?: string;
}

export class EventsView {
  private descending = false;
  private type = '';
  private state = '';
  private page = 0;
  private last?: EventsInput;
  private readonly typeSelect: HTMLSelectElement;
  private readonly stateSelect: HTMLSelectElement;
  private readonly table: HTMLElement;
  private readonly pager: HTMLElement;

  constructor(root: HTMLElement) {
    root.innerHTML = html`
      <div class="filters">
        <label>Event type <select data-events-filter="type"><option value="">All</option></select></label>
        <label>State <select data-events-filter="state"><option value="">All</option></select></label>
      </div>
      <div data-events-table></div>
      <div class="pager" data-events-pager></div>`.text;
    this.typeSelect = root.querySelector('[data-events-filter="type"]') as HTMLSelectElement;
    this.stateSelect = root.querySelector('[data-events-filter="state"]') as HTMLSelectElement;
    this.table = root.querySelector('[data-events-table]') as HTMLElement;
    this.pager = root.querySelector('[data-events-pager]') as HTMLElement;
    this.typeSelect.addEventListener('input', () => {
      this.type = this.typeSelect.value;
      this.page = 0;
      this.redraw();
    });
    this.stateSelect.addEventListener('input', () => {
      this.state = this.stateSelect.value;
      this.page = 0;
      this.redraw();
    });
    root.addEventListener('click', (event) => {
      const target = event.target as Element;
      if (target.closest('[data-events-sort]')) {
        this.descending = !this.descending;
        this.page = 0;
        this.redraw();
      }
      const step = target.closest<HTMLButtonElement>('[data-events-page]')?.dataset.eventsPage;
      if (step) {
        this.page = Math.max(0, this.page + (step === 'next' ? 1 : -1));
        this.redraw();
      }
    });
  }

  /** Shows only the events of `state` (the state details' Events tab links here). */
  showState(state: string): void {
    this.state = state;
    this.stateSelect.value = state;
    this.page = 0;
    this.redraw();
  }

  render(input: EventsInput): void {
    this.last = input;
    this.redraw();
  }

  private redraw(): void {
    const input = this.last;
    if (!input) return;
    const stepOf = stepsOf(input);
    fillOptions(this.typeSelect, [...new Set(input.history.map((h) => h.type ?? ''))].sort(), this.type);
    fillOptions(this.stateSelect, [...input.runs.keys()].sort(), this.state);
    const shown = input.history.filter(
      (h) => (!this.type || h.type === this.type) && (!this.state || stepOf.get(h.id ?? 0) === this.state),
    );
    if (this.descending) shown.reverse();
    const pages = Math.max(1, Math.ceil(shown.length / EVENTS_PAGE_SIZE));
    this.page = Math.min(this.page, pages - 1);
    const rows = shown.slice(this.page * EVENTS_PAGE_SIZE, (this.page + 1) * EVENTS_PAGE_SIZE);
    setHtml(this.table, this.tableOf(rows, input, stepOf, shown.length));
    setHtml(
      this.pager,
      pages === 1
        ? html``
        : html`
          <button type="button" data-events-page="previous" ${this.page === 0 && 'disabled'}>‹ Previous</button>
          <span class="muted">Page ${this.page + 1} of ${pages}</span>
          <button type="button" data-events-page="next" ${this.page === pages - 1 && 'disabled'}>Next ›</button>`,
    );
  }

  private tableOf(
    rows: readonly HistoryEvent[],
    input: EventsInput,
    stepOf: ReadonlyMap<number, string>,
    matching: number,
  ): Html {
    const highlighted = new Set(input.selected ? (input.runs.get(input.selected)?.eventIds ?? []) : []);
    const body = rows.map((h) => {
      const id = h.id ?? 0;
      const key = `history:${id}`;
      const open = input.expanded.has(key);
      const type = h.type ?? '';
      const failure = FAILURE_TYPE.test(type);
      const tone = failure ? 'error-text' : type === 'ExecutionSucceeded' ? 'ok-text' : '';
      return html`
        <tr class="expandable${open ? ' open' : ''}${highlighted.has(id) ? ' highlighted' : ''}${failure ? ' failure' : ''}"
            data-toggle="${key}" data-history-id="${id}" data-type="${type}">
          <td><span class="caret"></span>${id}</td>
          <td class="${tone}">${type}</td>
          <td>${stepOf.get(id) ?? ''}</td>
          <td class="num">${formatDuration((h.timestamp?.getTime() ?? input.start) - input.start)}</td>
          <td class="nowrap">${timeElement(h.timestamp)}</td>
        </tr>
        ${open && html`<tr class="details-row"><td colspan="5"><pre class="json">${eventDetails(h)}</pre></td></tr>`}`;
    });
    return html`
      <p class="muted" data-events-count>${matching} of ${input.history.length} events</p>
      <table class="table">
        <thead><tr>
          <th><button type="button" class="link" data-events-sort title="Sort the other way">ID ${this.descending ? '▼' : '▲'}</button></th>
          <th>Type</th><th>Step</th><th class="num">Time since start</th><th>Timestamp</th>
        </tr></thead>
        <tbody>${body}</tbody>
      </table>`;
  }
}

/** The state each event belongs to, by event id. */
function stepsOf(input: EventsInput): Map<number, string> {
  const stepOf = new Map<number, string>();
  for (const run of input.runs.values()) for (const id of run.eventIds) stepOf.set(id, run.name);
  for (const h of input.history) {
    const name = h.stateEnteredEventDetails?.name ?? h.stateExitedEventDetails?.name;
    if (name && !stepOf.has(h.id ?? 0)) stepOf.set(h.id ?? 0, name);
  }
  return stepOf;
}

/** Sets a select's options when they changed (so an open select is not redrawn under the user). */
function fillOptions(select: HTMLSelectElement, values: readonly string[], chosen: string): void {
  const markup = html`<option value="">All</option>${values.map((v) => html`<option value="${v}">${v}</option>`)}`;
  setHtml(select, markup);
  select.value = chosen;
}

/** An event's `*EventDetails`, with its JSON-string members (input, output, cause...) parsed for reading. */
export function eventDetails(h: HistoryEvent): string {
  const details: Record<string, unknown> = { previousEventId: h.previousEventId };
  for (const [key, value] of Object.entries(h)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    details[key] = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        JSON_FIELDS.has(k) && typeof v === 'string' ? (parseJson(v) ?? v) : v,
      ]),
    );
  }
  return JSON.stringify(details, null, 2);
}
