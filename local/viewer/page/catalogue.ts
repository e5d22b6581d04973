/**
 * The catalogue page: every event the app defines, as a downstream team browses it before subscribing:
 * its source and detail-type, who emits it (the state machines whose putEvents states put it, and the
 * producer events/ declares), who receives it (the rules whose pattern matches its sample, the CDK app's and
 * those a team added at run time, with their targets), its schema as the registry serves it, a sample, and
 * its latest occurrences on the bus, each linked to the bus page and the execution that put it.
 *
 * `#/catalogue?event=<schema name>` opens one event (`app.kyc@AccountApproved`).
 */
import * as api from './api';
import { localAdditionBadge, ruleStateBadge, ruleTargets } from './bus';
import { executionHref, toggleOnClick } from './components';
import { highlightedJson } from './definition-view';
import { arnName, type Html, html, setHtml, timeElement } from './html';

/** The events opened, kept across navigations: back from an execution, the catalogue is as it was left. */
const expanded = new Set<string>();

export class CataloguePage {
  private catalogue?: api.Catalogue;
  private readonly expanded = expanded;
  private readonly listPart: HTMLElement;
  private readonly search: HTMLInputElement;
  /** The event `?event=` asked for, until the page has scrolled to it. */
  private focus?: string;

  constructor(root: HTMLElement, focusEvent?: string) {
    root.innerHTML = `
      <h1>Event catalogue</h1>
      <p class="muted intro">Every event the app defines (events/), with the schema its registry serves. Consumers
        are the rules, the CDK app's and those added at run time, whose pattern matches the event's sample.</p>
      <div class="filters">
        <label>Search <input type="search" data-filter placeholder="Source or detail type"></label>
      </div>
      <section class="panel" data-part="list"></section>`;
    this.listPart = root.querySelector('[data-part="list"]') as HTMLElement;
    this.search = root.querySelector('[data-filter]') as HTMLInputElement;
    this.search.addEventListener('input', () => this.render());
    if (focusEvent) {
      this.focus = focusEvent;
      this.expanded.add(focusEvent);
    }
    toggleOnClick(root, this.expanded, () => this.render());
  }

  async refresh(): Promise<void> {
    this.catalogue = await api.catalogue();
    this.render();
    if (this.focus !== undefined) {
      this.listPart
        .querySelector(`[data-event="${CSS.escape(this.focus)}"]`)
        ?.scrollIntoView({ block: 'start' });
      this.focus = undefined;
    }
  }

  private render(): void {
    const catalogue = this.catalogue;
    if (!catalogue) return;
    const rules = new Map(catalogue.buses.flatMap((b) => b.rules.map((r) => [r.arn, r] as const)));
    const text = this.search.value.trim().toLowerCase();
    const events = catalogue.events.filter(
      (e) => text === '' || `${e.source} ${e.detailType}`.toLowerCase().includes(text),
    );
    setHtml(
      this.listPart,
      events.length === 0
        ? html`<p class="muted">No event matches the search.</p>`
        : html`
          <table class="table catalogue" data-catalogue>
            <thead><tr>
              <th>Event</th><th>Emitted by</th><th>Received by</th><th class="num">On the bus</th><th>Last seen</th>
            </tr></thead>
            <tbody>${events.map((e) => this.row(e, rules))}</tbody>
          </table>`,
    );
  }

  private row(e: api.CatalogueEvent, rules: ReadonlyMap<string, api.CatalogueRule>): Html {
    const key = e.schema.name;
    const open = this.expanded.has(key);
    const consumers = e.consumers.flatMap((arn) => rules.get(arn) ?? []);
    return html`
      <tr class="expandable${open ? ' open' : ''}" data-toggle="${key}" data-event="${key}">
        <td><span class="caret"></span><strong data-detail-type>${e.detailType}</strong>
          <div class="muted" data-source>${e.source}</div></td>
        <td>${
          e.producers.length > 0
            ? e.producers.map((p) => html`<div>${p.stateMachineName}</div>`)
            : html`<span class="muted">${e.declared.producer ?? 'not emitted by the app'}</span>`
        }</td>
        <td>${
          consumers.length === 0
            ? html`<span class="muted">no rule</span>`
            : consumers.map(
                (r) =>
                  html`<div class="nowrap">${r.targets.map((t) => arnName(t.arn)).join(', ') || r.name}${
                    r.origin === 'local' ? html` <span class="tag tag-local">local</span>` : ''
                  }${r.state === 'DISABLED' && html` <span class="muted">(disabled)</span>`}</div>`,
              )
        }</td>
        <td class="num" data-seen>${e.seen}</td>
        <td class="nowrap">${e.recent[0] ? timeElement(e.recent[0].receivedAt, true) : html`<span class="muted">never</span>`}</td>
      </tr>
      ${open && html`<tr class="details-row"><td colspan="5">${this.details(e, consumers)}</td></tr>`}`;
  }

  private details(e: api.CatalogueEvent, consumers: readonly api.CatalogueRule[]): Html {
    return html`
      <div class="catalogue-details" data-details="${e.schema.name}">
        ${e.description && html`<p>${e.description}</p>`}
        <div class="side-by-side">
          <div data-part="producers">
            <h4>Emitted by</h4>
            ${
              e.producers.length === 0
                ? html`<p class="muted">No state machine of the app puts it.</p>`
                : e.producers.map(
                    (p) => html`
                      <div data-producer="${p.stateMachineName}">
                        <a href="#/?machine=${encodeURIComponent(p.stateMachineArn)}" title="Its executions">${p.stateMachineName}</a>
                        ${p.origin === 'local' && localAdditionBadge('CreateStateMachine')}
                        <span class="muted">on ${p.buses.join(', ')}, from the states</span>
                        ${p.states.map((s) => html`<code class="state-name">${s}</code>`)}
                      </div>`,
                  )
            }
            ${e.declared.producer && html`<p class="muted">events/ declares the producer: ${e.declared.producer}</p>`}
          </div>
          <div data-part="declared">
            <h4>Schema</h4>
            <p class="muted"><code>${e.schema.name}</code> in the registry <code>${e.schema.registryName}</code>,
              ${e.schema.type}, version ${e.schema.version}</p>
            <p class="muted">${
              e.declared.consumers.length > 0 &&
              `events/ declares the consumers: ${e.declared.consumers.join(', ')}`
            }</p>
          </div>
        </div>
        <h4>Received by <span class="muted">(rules whose pattern matches the sample)</span></h4>
        ${this.consumersTable(consumers)}
        <div class="side-by-side">
          <div>
            <h4>Schema of the detail</h4>
            <pre class="json asl" data-schema>${highlightedJson(e.schema.content)}</pre>
          </div>
          <div>
            <h4>Sample detail</h4>
            ${this.sample(e)}
          </div>
        </div>
        <h4>Latest on the bus <span class="muted">(${e.seen} in all)</span></h4>
        ${this.recent(e)}
      </div>`;
  }

  private consumersTable(consumers: readonly api.CatalogueRule[]): Html {
    if (consumers.length === 0) return html`<p class="muted">No rule matches it: nothing receives it.</p>`;
    return html`
      <table class="table small-text" data-consumers>
        <thead><tr><th>Rule</th><th>Bus</th><th>State</th><th>Targets</th></tr></thead>
        <tbody>${consumers.map(
          (r) => html`
            <tr data-consumer="${r.name}" data-origin="${r.origin}">
              <td><strong>${r.name}</strong>
                ${r.origin === 'local' ? localAdditionBadge('PutRule') : html`<div class="muted">CDK app</div>`}</td>
              <td><a href="#/bus">${r.busName}</a></td>
              <td>${ruleStateBadge(r.state)}</td>
              <td>${ruleTargets(r)}</td>
            </tr>`,
        )}</tbody>
      </table>`;
  }

  private sample(e: api.CatalogueEvent): Html {
    const sample = e.sample;
    if (!sample) return html`<p class="muted">No sample.</p>`;
    const where =
      sample.from === 'file'
        ? html`<p class="muted" data-sample-file>From <code>${sample.file}</code>; put it on the bus with
            <code>aws events put-events --endpoint-url ${location.origin} --entries file://${sample.file}</code></p>`
        : html`<p class="muted">No sample ships for it: this one is made up from the schema.</p>`;
    return html`${where}<pre class="json asl" data-sample>${highlightedJson(sample.detail)}</pre>`;
  }

  private recent(e: api.CatalogueEvent): Html {
    if (e.recent.length === 0) return html`<p class="muted">Not on the bus yet.</p>`;
    return html`
      <table class="table small-text" data-recent>
        <thead><tr><th>Received</th><th>User</th><th class="num">Version</th><th>Put by</th><th>Bus</th></tr></thead>
        <tbody>${e.recent.map(
          (o) => html`
            <tr data-occurrence="${o.id}">
              <td class="nowrap">${timeElement(o.receivedAt)}</td>
              <td>${o.userId ?? ''}</td>
              <td class="num">${o.version === undefined ? '' : String(o.version)}</td>
              <td>${
                o.executionArn
                  ? html`<a href="${executionHref(o.executionArn)}" data-execution-link title="${o.executionArn}">${arnName(o.executionArn).slice(0, 8)}</a>
                      <span class="muted">${o.executionArn.split(':')[6]}</span>`
                  : html`<span class="muted">a client</span>`
              }${o.replayName && html` <span class="muted">replay ${o.replayName}</span>`}</td>
              <td><a href="#/bus?event=${encodeURIComponent(o.id)}" data-bus-link>${o.busName}</a></td>
            </tr>`,
        )}</tbody>
      </table>`;
  }
}
