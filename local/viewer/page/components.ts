/** Pieces of markup more than one page uses: status badges, JSON blocks, the bus events table. */
import type { BusRecord } from './api';
import { arnName, type Html, html, prettyJson, timeElement } from './html';

/** An execution status as the console shows it: a coloured word (RUNNING, SUCCEEDED, FAILED, ...). */
export function statusBadge(status: string | undefined): Html {
  const value = status ?? 'UNKNOWN';
  return html`<span class="badge status-${value.toLowerCase()}">${value.replace('_', ' ')}</span>`;
}

/**
 * A red banner for a call that the runtime refused or did not answer: what was being done, and the AWS
 * error's name and message (an ApiError's name is its `__type`).
 */
export function errorBanner(title: string, error: Error): Html {
  return html`
    <div class="banner banner-error" role="alert" data-problem>
      <strong>${title}</strong>
      <div><code data-problem-type>${error.name}</code>: ${error.message}</div>
    </div>`;
}

/** A `<pre>` with a JSON string pretty-printed; `empty` when there is nothing to show. */
export function jsonBlock(text: string | undefined, empty = 'None'): Html {
  if (text === undefined || text === '') return html`<p class="muted">${empty}</p>`;
  return html`<pre class="json">${prettyJson(text)}</pre>`;
}

export const executionHref = (arn: string) => `#/execution/${encodeURIComponent(arn)}`;

/** The execution ARN among an event's resources (Step Functions adds it to every entry it puts). */
export const executionOf = (record: BusRecord) =>
  record.event.resources.find((r) => r.includes(':execution:'));

/**
 * A table of bus events: time, source and detail-type, the detail's userId and version, the rules it
 * matched and each delivery (target, attempts, error, dead-lettered). A row expands to the whole event;
 * `expanded` holds the open rows' keys (`event:<id>`), which the page keeps across re-renders.
 */
export function busEventsTable(records: readonly BusRecord[], expanded: ReadonlySet<string>, empty: string) {
  if (records.length === 0) return html`<p class="muted">${empty}</p>`;
  const rows = records.map((r) => {
    const key = `event:${r.event.id}`;
    const open = expanded.has(key);
    const { userId, version } = r.event.detail;
    const producer = executionOf(r);
    return html`
      <tr class="expandable${open ? ' open' : ''}" data-toggle="${key}" data-event-id="${r.event.id}">
        <td class="nowrap"><span class="caret"></span>${timeElement(r.receivedAt, true)}</td>
        <td><strong>${r.event['detail-type']}</strong><div class="muted">${r.event.source}</div></td>
        <td class="nowrap">${userId === undefined ? '' : String(userId)}</td>
        <td class="num">${version === undefined ? '' : String(version)}</td>
        <td>${
          producer
            ? html`<a href="${executionHref(producer)}" title="${producer}">${producerName(producer)}</a>`
            : html`<span class="muted">a client</span>`
        }</td>
        <td>${r.matchedRules.length === 0 ? html`<span class="muted">none</span>` : r.matchedRules.map((rule) => html`<div>${rule}</div>`)}</td>
        <td>${r.deliveries.map(delivery)}</td>
      </tr>
      ${open && html`<tr class="details-row"><td colspan="7"><pre class="json">${JSON.stringify(r.event, null, 2)}</pre></td></tr>`}`;
  });
  return html`
    <table class="table small-text">
      <thead><tr>
        <th>Received</th><th>Detail type and source</th><th>User</th><th class="num">Version</th><th>Put by</th>
        <th>Matched rules</th><th>Deliveries</th>
      </tr></thead>
      <tbody>${rows}</tbody>
    </table>`;
}

/** Which execution put an event: its state machine, and the start of its name (the link's title is the ARN). */
function producerName(executionArn: string): Html {
  // arn:aws:states:<region>:<account>:execution:<state machine>:<name>
  const [machine = '', name = ''] = executionArn.split(':').slice(6);
  return html`${machine}<div class="muted">${name.slice(0, 8)}</div>`;
}

function delivery(d: BusRecord['deliveries'][number]): Html {
  const failed = d.error !== undefined;
  return html`
    <div class="delivery${failed ? ' failed' : ''}" title="${d.rule} -> ${d.target}">
      ${arnName(d.target)}
      <span class="muted nowrap">· ${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}</span>
      ${failed && html`<span class="error-text">· ${d.error}</span>`}
      ${d.deadLettered && html`<span class="tag tag-failed">dead-lettered</span>`}
    </div>`;
}

/**
 * Makes `[data-toggle="<key>"]` elements inside `root` open and close, keeping the open keys in `expanded`
 * (which outlives re-renders), then re-renders. Clicks on links inside a row do not toggle it.
 */
export function toggleOnClick(root: HTMLElement, expanded: Set<string>, render: () => void): void {
  root.addEventListener('click', (event) => {
    const target = event.target as Element;
    if (target.closest('a, button, input, select')) return;
    const toggle = target.closest('[data-toggle]');
    const key = toggle?.getAttribute('data-toggle');
    if (!key) return;
    if (!expanded.delete(key)) expanded.add(key);
    render();
  });
}

/**
 * A button that copies `text` to the clipboard (app.ts handles every `[data-copy]` click), as the console
 * offers beside each ARN.
 */
export function copyButton(text: string, label = 'Copy'): Html {
  return html`<button type="button" class="copy" data-copy="${text}" title="Copy to the clipboard">${label}</button>`;
}
