/**
 * The home page: the state machines and their executions, newest first, as the console's executions list:
 * search by name, filter by state machine, status, user and start date, a page at a time.
 *
 * However many executions the runtime keeps, a refresh is two requests: ListStateMachines, and one page of
 * rows from `/_local/executions`, which filters on the journal's indexes and sends only the fields shown
 * (with the user and the outcome, which ListExecutions does not have) and each state machine's counts.
 */
import * as api from './api';
import { executionHref, statusBadge } from './components';
import { arnName, formatDuration, type Html, html, setHtml, timeElement } from './html';
import { newExecutionHref } from './new-execution';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** Rows per page: a screenful or two, as the console shows. */
export const PAGE_SIZE = 50;

/** How often the list is read again: a list is glanced at, not watched; an execution's page polls faster. */
const POLL_MS = 5000;

/** Typing in a search box waits this long for the next key before asking the runtime. */
const TYPING_MS = 250;

/** The filters, kept while the viewer is open so that coming back from an execution restores them. */
export const filters = { machine: '', status: '', name: '', user: '', from: '', to: '' };

export class HomePage {
  readonly pollMs = POLL_MS;
  private machines: api.ListedStateMachine[] = [];
  private page?: api.ExecutionsPage;
  /** The tokens of the pages before the shown one (the first page has none): "Newer" goes back one. */
  private tokens: (string | undefined)[] = [];
  private token: string | undefined;
  /** Bumped by every read: an answer to an older one (filters since changed) is dropped. */
  private reads = 0;
  private typing: ReturnType<typeof setTimeout> | undefined;
  private readonly machineList: HTMLElement;
  private readonly table: HTMLElement;
  private readonly pager: HTMLElement;
  private readonly machineSelect: HTMLSelectElement;

  constructor(root: HTMLElement) {
    // The filter controls are rendered once and never replaced, so typing in them is never interrupted.
    root.innerHTML = html`
      <h1>Executions</h1>
      <section class="panel"><h2>State machines</h2><div data-part="machines"></div></section>
      <section class="panel">
        <div class="filters">
          <label>Search <input data-filter="name" type="search" placeholder="Execution name"></label>
          <label>State machine <select data-filter="machine"><option value="">All</option></select></label>
          <label>Status
            <select data-filter="status">
              <option value="">All</option>
              ${STATUSES.map((s) => html`<option value="${s}">${s.replace('_', ' ')}</option>`)}
            </select>
          </label>
          <label>User <input data-filter="user" type="search" placeholder="Filter by user id"></label>
          <label>Started from <input data-filter="from" type="datetime-local" step="1"></label>
          <label>to <input data-filter="to" type="datetime-local" step="1"></label>
        </div>
        <div data-part="executions"></div>
        <div class="pager" data-part="pager"></div>
      </section>`.text;
    this.machineList = root.querySelector('[data-part="machines"]') as HTMLElement;
    this.table = root.querySelector('[data-part="executions"]') as HTMLElement;
    this.pager = root.querySelector('[data-part="pager"]') as HTMLElement;
    this.machineSelect = root.querySelector('[data-filter="machine"]') as HTMLSelectElement;
    for (const control of root.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-filter]')) {
      const key = control.dataset.filter as keyof typeof filters;
      control.value = filters[key];
      control.addEventListener('input', () => {
        filters[key] = control.value;
        clearTimeout(this.typing);
        if (control instanceof HTMLSelectElement) void this.firstPage();
        else this.typing = setTimeout(() => void this.firstPage(), TYPING_MS);
      });
    }
    // Clicking a state machine's name filters the executions to it.
    this.machineList.addEventListener('click', (event) => {
      const arn = (event.target as Element).closest('[data-machine]')?.getAttribute('data-machine');
      if (arn === null || arn === undefined) return;
      event.preventDefault();
      filters.machine = filters.machine === arn ? '' : arn;
      this.machineSelect.value = filters.machine;
      void this.firstPage();
    });
    this.pager.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-page]');
      if (!button || button.disabled) return;
      if (button.dataset.page === 'older' && this.page?.nextToken) {
        this.tokens.push(this.token);
        this.token = this.page.nextToken;
      } else if (button.dataset.page === 'newer' && this.tokens.length > 0) {
        this.token = this.tokens.pop();
      } else return;
      void this.readPage();
    });
  }

  async refresh(): Promise<void> {
    this.machines = await api.listStateMachines();
    await this.readPage();
  }

  /** Back to the newest executions, e.g. when a filter changes (the old tokens page another list). */
  private firstPage(): Promise<void> {
    this.tokens = [];
    this.token = undefined;
    return this.readPage().catch((error: unknown) => this.showProblem(error));
  }

  private async readPage(): Promise<void> {
    const read = ++this.reads;
    const page = await api.executionsPage({ ...query(), maxResults: PAGE_SIZE, nextToken: this.token });
    if (read !== this.reads) return;
    this.page = page;
    this.render();
  }

  private showProblem(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    setHtml(this.table, html`<div class="banner banner-error" role="alert">${message}</div>`);
  }

  private render(): void {
    // Options appear once the machines are known; the chosen one stays selected.
    if (this.machineSelect.options.length !== this.machines.length + 1) {
      this.machineSelect.innerHTML = html`<option value="">All</option>${this.machines.map(
        (m) => html`<option value="${m.stateMachineArn}">${m.name}</option>`,
      )}`.text;
      this.machineSelect.value = filters.machine;
    }
    setHtml(this.machineList, this.machineTable());
    setHtml(this.table, this.executionsTable());
    setHtml(this.pager, this.pagerButtons());
  }

  private machineTable(): Html {
    const counts = this.page?.counts ?? {};
    const count = (arn: string | undefined, status?: string) => {
      const byStatus = counts[arn ?? ''] ?? {};
      return status ? (byStatus[status] ?? 0) : Object.values(byStatus).reduce((sum, n) => sum + n, 0);
    };
    return html`
      <table class="table">
        <thead><tr>
          <th>Name</th><th>Type</th><th class="num">Running</th><th class="num">Succeeded</th>
          <th class="num">Failed</th><th class="num">Total</th><th></th>
        </tr></thead>
        <tbody>${this.machines.map(
          (m) => html`
            <tr class="${filters.machine === m.stateMachineArn ? 'highlighted' : ''}">
              <td><a href="#/" data-machine="${m.stateMachineArn}" title="Show only its executions">${m.name}</a>${
                m.origin === 'local'
                  ? html` <span class="badge" title="Created at run time through the API, not by the CDK app">local</span>`
                  : ''
              }</td>
              <td>${m.type}</td>
              <td class="num">${count(m.stateMachineArn, 'RUNNING')}</td>
              <td class="num">${count(m.stateMachineArn, 'SUCCEEDED')}</td>
              <td class="num">${count(m.stateMachineArn, 'FAILED')}</td>
              <td class="num" data-total>${count(m.stateMachineArn)}</td>
              <td><a href="${newExecutionHref(m.stateMachineArn ?? '')}" data-new-execution="${m.stateMachineArn}"
                title="Start an execution, with the input of its newest one to edit">New execution</a></td>
            </tr>`,
        )}</tbody>
      </table>`;
  }

  private executionsTable(): Html {
    const rows = this.page?.executions ?? [];
    if (rows.length === 0)
      return html`<p class="muted">${
        filtered() || this.tokens.length > 0
          ? 'No executions match the filters.'
          : 'No executions yet. Put an event on the bus, e.g. aws events put-events --endpoint-url ' +
            `${location.origin} --entries file://events/samples/account-requested-approved.json`
      }</p>`;
    const first = this.tokens.length * PAGE_SIZE + 1;
    return html`
      <p class="muted" data-part="range">Executions ${first} to ${first + rows.length - 1}, newest first</p>
      <table class="table" data-executions>
        <thead><tr>
          <th>Name</th><th>State machine</th><th>Status</th><th>Outcome</th><th>User</th><th>Started</th>
          <th class="num">Duration</th>
        </tr></thead>
        <tbody>${rows.map((r) => row(r))}</tbody>
      </table>`;
  }

  private pagerButtons(): Html {
    const newer = this.tokens.length === 0;
    const older = !this.page?.nextToken;
    if (newer && older) return html``;
    return html`
      <button type="button" data-page="newer" ${newer ? 'disabled' : ''}>‹ Newer</button>
      <span class="muted">Page ${this.tokens.length + 1}</span>
      <button type="button" data-page="older" ${older ? 'disabled' : ''}>Older ›</button>`;
  }
}

function row(e: api.ExecutionRow): Html {
  const duration = (e.stopDate?.getTime() ?? Date.now()) - e.startDate.getTime();
  return html`
    <tr data-execution="${e.executionArn}" data-status="${e.status}" data-user="${e.user}">
      <td><a href="${executionHref(e.executionArn)}">${e.name}</a></td>
      <td>${arnName(e.stateMachineArn)}</td>
      <td>${statusBadge(e.status)}</td>
      <td class="${e.status === 'SUCCEEDED' ? '' : 'error-text'}">${e.outcome}</td>
      <td>${e.user}</td>
      <td class="nowrap">${timeElement(e.startDate)}</td>
      <td class="num">${formatDuration(duration)}</td>
    </tr>`;
}

/** Whether any filter is set. */
function filtered(): boolean {
  return Object.values(filters).some((value) => value.trim() !== '');
}

/** The filters as the runtime's query; a date-time input's value is in the browser's time zone. */
function query(): api.ExecutionsQuery {
  const at = (value: string) => (value ? new Date(value) : undefined);
  const startedAfter = at(filters.from);
  const startedBefore = at(filters.to);
  return {
    ...(filters.machine ? { stateMachineArn: filters.machine } : {}),
    ...(filters.status ? { statusFilter: filters.status } : {}),
    ...(filters.name.trim() ? { nameContains: filters.name.trim() } : {}),
    ...(filters.user.trim() ? { userContains: filters.user.trim() } : {}),
    ...(startedAfter && !Number.isNaN(startedAfter.getTime()) ? { startedAfter } : {}),
    ...(startedBefore && !Number.isNaN(startedBefore.getTime()) ? { startedBefore } : {}),
  };
}
