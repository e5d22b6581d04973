/**
 * The bus page: recent events on each bus with the rules they matched and where they were delivered, and
 * the queues where the app parks what it could not process (trigger dead-letter queue, rejected events,
 * undelivered events) with their contents, read without receiving them.
 */
import * as api from './api';
import { busEventsTable, executionHref, toggleOnClick } from './components';
import { type Html, html, parseJson, setHtml, timeElement } from './html';

/** How many events per bus the page shows. */
const RECENT = 50;

/** What each queue holds, by the end of its name (the template names them `<prefix>-<role>`). */
const QUEUE_ROLES: readonly [suffix: string, description: string][] = [
  ['-trigger-dlq', 'Dead-letter queue: trigger events a rule could not deliver to its state machine.'],
  ['-rejected-events', 'Malformed trigger events, and inputs a handler rejected (InvalidInput).'],
  ['-undelivered-events', 'Events a workflow could not put on the bus after its retries (FailedEntry).'],
];

export class BusPage {
  private buses: { name: string; records: api.BusRecord[] }[] = [];
  private queues: api.QueueContents[] = [];
  private readonly expanded = new Set<string>();
  private readonly busPart: HTMLElement;
  private readonly queuePart: HTMLElement;

  constructor(root: HTMLElement) {
    // The queues first: they are short, and anything in them needs someone's attention.
    root.innerHTML = `
      <h1>Event bus</h1>
      <section class="panel"><h2>Queues</h2><div data-part="queues"></div></section>
      <div data-part="buses"></div>`;
    this.busPart = root.querySelector('[data-part="buses"]') as HTMLElement;
    this.queuePart = root.querySelector('[data-part="queues"]') as HTMLElement;
    toggleOnClick(root, this.expanded, () => this.render());
  }

  async refresh(): Promise<void> {
    const buses = await api.listEventBuses();
    this.buses = await Promise.all(
      buses.map(async (b) => ({
        name: b.Name,
        records: await api.busEvents({ bus: b.Name, limit: RECENT }),
      })),
    );
    this.queues = await api.queues();
    this.render();
  }

  private render(): void {
    setHtml(
      this.busPart,
      html`${this.buses.map(
        (b) => html`
          <section class="panel" data-bus="${b.name}">
            <h2>Bus ${b.name} <span class="muted">(latest ${RECENT}, newest first)</span></h2>
            ${busEventsTable(b.records, this.expanded, 'No events on this bus yet.')}
          </section>`,
      )}`,
    );
    setHtml(this.queuePart, html`<div class="queues">${this.queues.map((q) => this.queue(q))}</div>`);
  }

  private queue(q: api.QueueContents): Html {
    const role = QUEUE_ROLES.find(([suffix]) => q.name.endsWith(suffix))?.[1] ?? '';
    const total = q.counts.visible + q.counts.inFlight + q.counts.delayed;
    return html`
      <div class="queue${total > 0 ? ' not-empty' : ''}" data-queue="${q.name}">
        <h3>${q.name}</h3>
        <p class="muted">${role}</p>
        <p class="counts">
          <span><strong data-count="visible">${q.counts.visible}</strong> available</span>
          <span><strong data-count="inFlight">${q.counts.inFlight}</strong> in flight</span>
          <span><strong data-count="delayed">${q.counts.delayed}</strong> delayed</span>
        </p>
        ${q.messages.length === 0 ? html`<p class="muted">Empty.</p>` : q.messages.map((m) => this.message(m))}
      </div>`;
  }

  private message(m: api.QueueContents['messages'][number]): Html {
    const key = `message:${m.messageId}`;
    const open = this.expanded.has(key);
    const body = parseJson(m.body) as Record<string, unknown> | undefined;
    // Parked entries name the execution and the error; show them without opening the message.
    const execution = typeof body?.executionArn === 'string' ? body.executionArn : undefined;
    const error = typeof body?.error === 'string' ? body.error : undefined;
    return html`
      <div class="message${open ? ' open' : ''}" data-message="${m.messageId}">
        <div class="expandable" data-toggle="${key}">
          <span class="caret"></span>${timeElement(m.sentAt, true)}
          ${error && html`<span class="error-text">${error}</span>`}
          ${execution && html`<a href="${executionHref(execution)}">execution</a>`}
          ${m.receiveCount > 0 && html`<span class="muted">received ${m.receiveCount}×</span>`}
        </div>
        ${open && html`<pre class="json">${body === undefined ? m.body : JSON.stringify(body, null, 2)}</pre>`}
      </div>`;
  }
}
