/**
 * The bus page: each bus's rules (the CDK app's, and those a downstream team added at run time, marked as
 * local additions) and recent events with the rules they matched and where they were delivered; and the
 * queues, where the app parks what it could not process (trigger dead-letter queue, rejected events,
 * undelivered events) and where a team's own queues receive, with their contents, read without receiving them.
 *
 * `#/bus?event=<id>` opens that event's row and scrolls to it (the catalogue links its occurrences here).
 */
import * as api from './api';
import { busEventsTable, executionHref, toggleOnClick } from './components';
import { arnName, type Html, html, parseJson, setHtml, timeElement } from './html';

/** How many events per bus the page shows. */
const RECENT = 50;

/** The mark of what a team created at run time, on rules and queues alike. */
export function localAdditionBadge(what: string): Html {
  return html`<span class="tag tag-local" data-local-addition
    title="Created at run time with ${what}: a team's own, kept in the data directory. The CDK app does not have it.">Local addition</span>`;
}

/** A rule's state, as the API names it: only an enabled rule matches events. */
export function ruleStateBadge(state: api.CatalogueRule['state']): Html {
  return html`<span class="badge rule-${state.toLowerCase()}" data-rule-state>${state}</span>`;
}

/** Where a rule sends what it matches: each target's service and name, its dead-letter queue, its input. */
export function ruleTargets(rule: api.CatalogueRule): Html {
  if (rule.targets.length === 0) return html`<span class="muted">No targets</span>`;
  return html`${rule.targets.map(
    (t) => html`
      <div class="rule-target" data-target="${t.id}" title="${t.arn}">
        <span class="muted">${t.kind}</span>
        ${t.kind === 'state machine' ? html`<a href="#/?machine=${encodeURIComponent(t.arn)}">${arnName(t.arn)}</a>` : arnName(t.arn)}
        ${t.inputChanged && html`<span class="muted">· input changed</span>`}
        ${t.deadLetterArn && html`<div class="muted">dead-letter queue ${arnName(t.deadLetterArn)}</div>`}
      </div>`,
  )}`;
}

/** What each queue holds, by the end of its name (the template names them `<prefix>-<role>`). */
const QUEUE_ROLES: readonly [suffix: string, description: string][] = [
  ['-trigger-dlq', 'Dead-letter queue: trigger events a rule could not deliver to its state machine.'],
  ['-rejected-events', 'Malformed trigger events, and inputs a handler rejected (InvalidInput).'],
  ['-undelivered-events', 'Events a workflow could not put on the bus after its retries (FailedEntry).'],
];

export class BusPage {
  private buses: { name: string; rules: readonly api.CatalogueRule[]; records: api.BusRecord[] }[] = [];
  private queues: api.QueueContents[] = [];
  private readonly expanded = new Set<string>();
  private readonly busPart: HTMLElement;
  private readonly queuePart: HTMLElement;
  private readonly focusPart: HTMLElement;
  /** The event `#/bus?event=<id>` asked for, until the page has scrolled to it (or said it is not here). */
  private focus?: string;

  constructor(root: HTMLElement, focusEvent?: string) {
    // The queues first: they are short, and anything in them needs someone's attention.
    root.innerHTML = `
      <h1>Event bus</h1>
      <div data-part="focus"></div>
      <section class="panel"><h2>Queues</h2><div data-part="queues"></div></section>
      <div data-part="buses"></div>`;
    this.busPart = root.querySelector('[data-part="buses"]') as HTMLElement;
    this.queuePart = root.querySelector('[data-part="queues"]') as HTMLElement;
    this.focusPart = root.querySelector('[data-part="focus"]') as HTMLElement;
    if (focusEvent) {
      this.focus = focusEvent;
      this.expanded.add(`event:${focusEvent}`);
    }
    toggleOnClick(root, this.expanded, () => this.render());
  }

  async refresh(): Promise<void> {
    // The rules come with the catalogue: AWS's ListRules cannot tell a team's rules from the template's.
    const { buses } = await api.catalogue();
    this.buses = await Promise.all(
      buses.map(async (b) => ({
        name: b.name,
        rules: b.rules,
        records: await api.busEvents({ bus: b.name, limit: RECENT }),
      })),
    );
    this.queues = await api.queues();
    this.render();
    this.scrollToFocus();
  }

  private render(): void {
    setHtml(
      this.busPart,
      html`${this.buses.map(
        (b) => html`
          <section class="panel" data-bus="${b.name}">
            <h2>Bus ${b.name}</h2>
            <h3>Rules <span class="muted">(${b.rules.length})</span></h3>
            ${this.rulesTable(b.rules)}
            <h3>Events <span class="muted">(latest ${RECENT}, newest first)</span></h3>
            ${busEventsTable(b.records, this.expanded, 'No events on this bus yet.')}
          </section>`,
      )}`,
    );
    setHtml(this.queuePart, html`<div class="queues">${this.queues.map((q) => this.queue(q))}</div>`);
  }

  /** Once the asked-for event is on the page, scroll to it; if it is not, say why, once. */
  private scrollToFocus(): void {
    if (this.focus === undefined) return;
    const row = this.busPart.querySelector(`[data-event-id="${CSS.escape(this.focus)}"]`);
    if (row) row.scrollIntoView({ block: 'center' });
    else
      setHtml(
        this.focusPart,
        html`<div class="banner banner-info" data-focus-missing>Event <code>${this.focus}</code> is not among the
          latest ${RECENT} events of any bus.</div>`,
      );
    this.focus = undefined;
  }

  private rulesTable(rules: readonly api.CatalogueRule[]): Html {
    if (rules.length === 0) return html`<p class="muted">No rules on this bus.</p>`;
    return html`
      <table class="table small-text rules" data-rules>
        <thead><tr><th>Name</th><th>State</th><th>Event pattern</th><th>Targets</th></tr></thead>
        <tbody>${rules.map(
          (r) => html`
            <tr data-rule="${r.name}" data-origin="${r.origin}">
              <td>
                <strong>${r.name}</strong>
                ${r.origin === 'local' ? localAdditionBadge('PutRule') : html`<div class="muted">CDK app</div>`}
                ${r.description && html`<div class="muted">${r.description}</div>`}
              </td>
              <td>${ruleStateBadge(r.state)}</td>
              <td><code class="pattern" data-pattern>${JSON.stringify(r.pattern)}</code></td>
              <td>${ruleTargets(r)}</td>
            </tr>`,
        )}</tbody>
      </table>`;
  }

  private queue(q: api.QueueContents): Html {
    const role =
      q.origin === 'local' ? '' : (QUEUE_ROLES.find(([suffix]) => q.name.endsWith(suffix))?.[1] ?? '');
    // A parking queue with messages needs someone; a team's own queue with messages is doing its job.
    const total = q.counts.visible + q.counts.inFlight + q.counts.delayed;
    return html`
      <div class="queue${total > 0 && q.origin !== 'local' ? ' not-empty' : ''}" data-queue="${q.name}" data-origin="${q.origin}">
        <h3>${q.name}</h3>
        ${q.origin === 'local' && localAdditionBadge('CreateQueue')}
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
