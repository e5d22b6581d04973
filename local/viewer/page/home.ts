/**
 * The home page: the state machines and their executions, newest first, filterable by state machine,
 * status and user, as the console's executions list. ListExecutions has neither the outcome nor the user,
 * so each execution is described too; an ended execution never changes, so it is described only once.
 */
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import * as api from './api';
import { executionHref, statusBadge } from './components';
import { arnName, formatDuration, type Html, html, parseJson, setHtml, timeElement } from './html';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The filters, kept while the viewer is open so that coming back from an execution restores them. */
export const filters = { machine: '', status: '', user: '' };

/** Described executions that have ended (their description is final), by ARN. */
const ended = new Map<string, DescribeExecutionOutput>();

interface Row {
  readonly execution: DescribeExecutionOutput;
  readonly user: string;
  readonly outcome: string;
}

export class HomePage {
  private machines: api.ListedStateMachine[] = [];
  private rows: Row[] = [];
  private readonly machineList: HTMLElement;
  private readonly table: HTMLElement;
  private readonly machineSelect: HTMLSelectElement;

  constructor(root: HTMLElement) {
    // The filter controls are rendered once and never replaced, so typing in them is never interrupted.
    root.innerHTML = html`
      <h1>Executions</h1>
      <section class="panel"><h2>State machines</h2><div data-part="machines"></div></section>
      <section class="panel">
        <div class="filters">
          <label>State machine <select data-filter="machine"><option value="">All</option></select></label>
          <label>Status
            <select data-filter="status">
              <option value="">All</option>
              ${STATUSES.map((s) => html`<option value="${s}">${s.replace('_', ' ')}</option>`)}
            </select>
          </label>
          <label>User <input data-filter="user" type="search" placeholder="Filter by user id"></label>
        </div>
        <div data-part="executions"></div>
      </section>`.text;
    this.machineList = root.querySelector('[data-part="machines"]') as HTMLElement;
    this.table = root.querySelector('[data-part="executions"]') as HTMLElement;
    this.machineSelect = root.querySelector('[data-filter="machine"]') as HTMLSelectElement;
    for (const control of root.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-filter]')) {
      const key = control.dataset.filter as keyof typeof filters;
      control.value = filters[key];
      control.addEventListener('input', () => {
        filters[key] = control.value;
        this.render();
      });
    }
    // Clicking a state machine's name filters the executions to it.
    this.machineList.addEventListener('click', (event) => {
      const arn = (event.target as Element).closest('[data-machine]')?.getAttribute('data-machine');
      if (arn === null || arn === undefined) return;
      event.preventDefault();
      filters.machine = filters.machine === arn ? '' : arn;
      this.machineSelect.value = filters.machine;
      this.render();
    });
  }

  async refresh(): Promise<void> {
    this.machines = await api.listStateMachines();
    const listed = (await Promise.all(this.machines.map((m) => api.listExecutions(m.stateMachineArn ?? ''))))
      .flat()
      .sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
    const described = await Promise.all(
      listed.map(async (item) => {
        const arn = item.executionArn ?? '';
        const known = ended.get(arn);
        if (known) return known;
        const execution = await api.describeExecution(arn);
        if (execution.status !== 'RUNNING') ended.set(arn, execution);
        return execution;
      }),
    );
    this.rows = described.map((execution) => ({
      execution,
      user: userOf(execution),
      outcome: outcomeOf(execution),
    }));
    this.render();
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
  }

  private machineTable(): Html {
    const count = (arn: string | undefined, status?: string) =>
      this.rows.filter(
        (r) => r.execution.stateMachineArn === arn && (!status || r.execution.status === status),
      ).length;
    return html`
      <table class="table">
        <thead><tr>
          <th>Name</th><th>Type</th><th class="num">Running</th><th class="num">Succeeded</th>
          <th class="num">Failed</th><th class="num">Total</th>
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
              <td class="num">${count(m.stateMachineArn)}</td>
            </tr>`,
        )}</tbody>
      </table>`;
  }

  private executionsTable(): Html {
    const user = filters.user.trim().toLowerCase();
    const shown = this.rows.filter(
      (r) =>
        (!filters.machine || r.execution.stateMachineArn === filters.machine) &&
        (!filters.status || r.execution.status === filters.status) &&
        (!user || r.user.toLowerCase().includes(user)),
    );
    if (shown.length === 0)
      return html`<p class="muted">${
        this.rows.length === 0
          ? 'No executions yet. Put an event on the bus, e.g. aws events put-events --endpoint-url ' +
            `${location.origin} --entries file://events/samples/account-requested-approved.json`
          : 'No executions match the filters.'
      }</p>`;
    return html`
      <p class="muted">${shown.length} of ${this.rows.length} executions</p>
      <table class="table" data-executions>
        <thead><tr>
          <th>Name</th><th>State machine</th><th>Status</th><th>Outcome</th><th>User</th><th>Started</th>
          <th class="num">Duration</th>
        </tr></thead>
        <tbody>${shown.map((r) => this.row(r))}</tbody>
      </table>`;
  }

  private row({ execution: e, user, outcome }: Row): Html {
    const start = e.startDate?.getTime() ?? 0;
    const duration = (e.stopDate?.getTime() ?? Date.now()) - start;
    return html`
      <tr data-execution="${e.executionArn}" data-status="${e.status}" data-user="${user}">
        <td><a href="${executionHref(e.executionArn ?? '')}">${e.name}</a></td>
        <td>${arnName(e.stateMachineArn ?? '')}</td>
        <td>${statusBadge(e.status)}</td>
        <td class="${e.status === 'SUCCEEDED' ? '' : 'error-text'}">${outcome}</td>
        <td>${user}</td>
        <td class="nowrap">${timeElement(e.startDate)}</td>
        <td class="num">${formatDuration(duration)}</td>
      </tr>`;
  }
}

/** The trigger's user: every workflow's input is the whole EventBridge event, with `detail.userId`. */
function userOf(e: DescribeExecutionOutput): string {
  const input = parseJson(e.input) as { detail?: { userId?: unknown } } | undefined;
  const userId = input?.detail?.userId;
  return typeof userId === 'string' ? userId : '';
}

/**
 * What the run came to: the output's `outcome`, with the workflow's result (`decision` for KYC, `access`
 * for an access change) when it has one; the error for a run that did not succeed.
 */
function outcomeOf(e: DescribeExecutionOutput): string {
  if (e.status === 'RUNNING') return '';
  if (e.status !== 'SUCCEEDED') return e.error ?? '';
  const output = parseJson(e.output) as Record<string, unknown> | undefined;
  const parts = [output?.outcome, output?.decision ?? output?.access].filter((p) => typeof p === 'string');
  return parts.join(': ');
}
