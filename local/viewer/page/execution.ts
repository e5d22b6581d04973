/**
 * The execution page, modelled on the Step Functions console's execution details: a summary with an error
 * banner, the graph coloured by what happened to each state with a details panel for the selected one,
 * input and output, the event history, and the events the execution put on the bus. Stop execution and
 * Redrive act on it as the console's buttons do; the live polling then shows what they did.
 *
 * A task waiting for its token (`.waitForTaskToken`) shows in progress with the time left to its
 * deadline, and its details offer to send SendTaskSuccess or SendTaskFailure for it: a convenience of
 * the local runtime (the console has no such form; in AWS the system that got the token sends them).
 */
import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { type LaidOutGraph, layoutStateMachine } from '../graph';
import { failedState, type StateRun, stateRuns } from '../state-runs';
import { timeLeft, type WaitingTask, waitingTasks } from '../waiting-tasks';
import * as api from './api';
import { CallbackForm } from './callback';
import { busEventsTable, copyButton, errorBanner, jsonBlock, statusBadge, toggleOnClick } from './components';
import { definitionPanel, findState, parseDefinition } from './definition-view';
import { EventsView } from './events-view';
import { dragToPan, exportPng, exportSvg, toggleFullScreen, wheelToZoom } from './graph-controls';
import {
  drawingSize,
  graphSvg,
  legend,
  nearestDeadline,
  READABLE_ZOOM,
  STATUS_LABELS,
  WAITING_LABEL,
  type Zoom,
} from './graph-view';
import {
  arnName,
  formatDuration,
  type Html,
  html,
  parseJson,
  prettyJson,
  raw,
  setHtml,
  timeElement,
} from './html';
import { newExecutionHref } from './new-execution';
import { stateDetailsTabs } from './state-details';
import { statesTable } from './states-table';

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** The state details' tabs, as the console names them. */
type DetailsTab = 'io' | 'details' | 'definition' | 'retries' | 'events';
const DETAILS_TABS: readonly [DetailsTab, string][] = [
  ['io', 'Input and output'],
  ['details', 'Details'],
  ['definition', 'Definition'],
  ['retries', 'Retries'],
  ['events', 'Events'],
];

type Action = 'stop' | 'redrive';

/** What each button calls itself while its call is on its way, and what a refused call failed to do. */
const ACTIONS: Record<Action, { busy: string; failed: string; done: string }> = {
  stop: { busy: 'Stopping...', failed: 'The execution could not be stopped', done: 'stopped' },
  redrive: { busy: 'Redriving...', failed: 'The execution could not be redriven', done: 'redriven' },
};

/**
 * When the history read is final: the execution had ended, and (a redrive makes an ended execution run
 * again) had been redriven no more times than when it was read.
 */
const historyKey = (e: DescribeExecutionOutput) => `${e.status}/${e.redriveCount ?? 0}`;

/** DescribeExecution's answers for an execution the runtime does not have (InvalidArn: not even an ARN). */
const MISSING = new Set(['ExecutionDoesNotExist', 'InvalidArn']);

export class ExecutionPage {
  private execution?: DescribeExecutionOutput;
  private history: HistoryEvent[] = [];
  /** The `historyKey` the history was read at: while the execution keeps it and has ended, it is final. */
  private historyReadAt?: string;
  /** Counts the reads `refresh` starts: a read that a later one overtook drops its answer. */
  private reads = 0;
  /** The Stop or Redrive call on its way (both buttons are disabled meanwhile). */
  private pending?: Action;
  /** What the last Stop or Redrive could not do, shown under the title until the next one. */
  private problem?: { title: string; error: Error };
  private runs = new Map<string, StateRun>();
  /** The tasks waiting for their token now (see waiting-tasks.ts). */
  private waiting: WaitingTask[] = [];
  /**
   * The send-a-callback form of each waiting task, by its TaskScheduled id. Each is one element kept across
   * re-renders (the details panel's markup has a slot it is put back into), so what the user typed in it
   * survives the live updates; it is dropped once its task no longer waits.
   */
  private readonly callbacks = new Map<number, CallbackForm>();
  /**
   * What the last callback sent from a form could not do, shown in its state's details (also once its
   * task has stopped waiting, which is often why: TaskDoesNotExist after a timeout) until the next send.
   */
  private callbackProblem?: { state: string; title: string; error: Error };
  /** The state machine's definition (ASL JSON): where the waiting tasks' tokens are in their parameters. */
  private definition?: string;
  private graph?: LaidOutGraph | Error;
  private runsError?: Error;
  private busRecords: api.BusRecord[] = [];
  /** The state a run that did not succeed ended in (see failedState): the error banner links to it. */
  private failed?: string;
  /**
   * What the user chose, kept across the live re-renders: the selected state and the expanded rows. Until
   * the user selects a state (or clears the selection), the selected state is the failed one.
   */
  private selected?: string;
  /** Whether the user has selected (or cleared) a state: the failed one is no longer selected for them. */
  private chosen = false;
  /** 'readable' until the user zooms: fit to the pane's width, but no smaller than READABLE_ZOOM. */
  private zoom: Zoom | 'readable' = 'readable';
  /** Whether the graph has been drawn and scrolled to its focus once: later redraws keep the user's scroll. */
  private opened = false;
  private readonly expanded = new Set<string>();
  private readonly events: EventsView;
  /** The graph or the table view of the states. */
  private view: 'graph' | 'table' = 'graph';
  /** The state details' tab, kept as the user moves from state to state (as the console does). */
  private detailsTab: DetailsTab = 'io';
  /**
   * Why the page needs no more polling, once it does not (app.ts then stops polling and shows this): the
   * execution does not exist, or it has ended and the page shows its end.
   */
  settled?: string;
  private readonly part: Record<
    | 'header'
    | 'banner'
    | 'summary'
    | 'io'
    | 'zoom'
    | 'graph'
    | 'table'
    | 'details'
    | 'history'
    | 'bus'
    | 'definition',
    HTMLElement
  >;

  constructor(
    private readonly root: HTMLElement,
    private readonly arn: string,
    /** Asks app.ts to poll again: a redrive makes an ended execution, no longer polled, run again. */
    private readonly resume: () => void,
  ) {
    root.innerHTML = `
      <div data-part="header"></div>
      <div data-part="banner"></div>
      <section class="panel"><h2>Details</h2><div data-part="summary"></div></section>
      <section class="panel">
        <div class="view-tabs" role="tablist">
          <button type="button" role="tab" data-view="graph" aria-selected="true">Graph view</button>
          <button type="button" role="tab" data-view="table" aria-selected="false">Table view</button>
        </div>
        <div class="graph-layout">
          <div class="graph-pane">
            <div class="graph-toolbar">
              <button type="button" data-zoom="fit">Fit</button>
              <button type="button" data-zoom="out" aria-label="Zoom out">&minus;</button>
              <button type="button" data-zoom="in" aria-label="Zoom in">+</button>
              <button type="button" data-zoom="1">100%</button>
              <span class="muted" data-part="zoom"></span>
              <button type="button" data-graph="fullscreen" title="Full screen (Esc leaves it)">Full screen</button>
              <button type="button" data-graph="svg" title="Download the graph as SVG">SVG</button>
              <button type="button" data-graph="png" title="Download the graph as PNG">PNG</button>
              ${legend().text}
            </div>
            <div class="graph-scroll" data-part="graph"></div>
            <div class="states-table-scroll" data-part="table" hidden></div>
          </div>
          <aside class="state-details" data-part="details"></aside>
        </div>
      </section>
      <section class="panel">
        <details class="definition" data-part="definition-panel">
          <summary><h2>State machine definition</h2></summary>
          <div data-part="definition"></div>
        </details>
      </section>
      <section class="panel"><h2>Execution input and output</h2><div data-part="io"></div></section>
      <section class="panel"><h2>Events</h2><div data-part="history"></div></section>
      <section class="panel"><h2>Events put on the bus</h2><div data-part="bus"></div></section>`;
    const part = (name: string) => root.querySelector(`[data-part="${name}"]`) as HTMLElement;
    this.part = {
      header: part('header'),
      banner: part('banner'),
      summary: part('summary'),
      io: part('io'),
      zoom: part('zoom'),
      graph: part('graph'),
      table: part('table'),
      details: part('details'),
      definition: part('definition'),
      history: part('history'),
      bus: part('bus'),
    };
    this.part.header.innerHTML = html`<p class="muted">Loading ${arn}...</p>`.text;
    this.events = new EventsView(this.part.history);
    root.querySelector('.view-tabs')?.addEventListener('click', (event) => {
      const view = (event.target as Element).closest('[data-view]')?.getAttribute('data-view');
      if (view === 'graph' || view === 'table') this.showView(view);
    });
    // A state's name in the table view selects it, as a click on its box does.
    this.part.table.addEventListener('click', (event) => {
      const name = (event.target as Element)
        .closest('[data-select-state]')
        ?.getAttribute('data-select-state');
      if (!name) return;
      this.selected = name === this.selected ? undefined : name;
      this.chosen = true;
      this.render();
    });
    this.part.details.addEventListener('click', (event) => {
      const target = event.target as Element;
      const tab = target.closest('[data-details-tab]')?.getAttribute('data-details-tab');
      if (tab) {
        this.detailsTab = tab as DetailsTab;
        this.render();
      }
      const state = target.closest('[data-events-of]')?.getAttribute('data-events-of');
      if (state) {
        this.events.showState(state);
        this.part.history.closest('section')?.scrollIntoView();
      }
    });
    this.part.header.addEventListener('click', (event) => {
      const action = (event.target as Element).closest('[data-action]')?.getAttribute('data-action');
      if (action === 'stop' || action === 'redrive') void this.act(action);
    });
    // The time left to each waiting task's deadline counts down between polls too (which a slow runtime
    // may space out); this stops once the page is left.
    const ticker = setInterval(() => {
      if (root.isConnected) this.tick();
      else clearInterval(ticker);
    }, 1000);
    this.part.banner.addEventListener('click', (event) => {
      const name = (event.target as Element).closest('[data-show-state]')?.getAttribute('data-show-state');
      if (name) this.show(name);
    });
    toggleOnClick(root, this.expanded, () => this.render());
    // Selecting a state: click a box in the graph (or press Enter on it); clicking it again deselects.
    const select = (target: EventTarget | null) => {
      // A link's chip stands for the handler it names: it selects that state, and brings it into view.
      const goto = (target as Element | null)?.closest('[data-goto]')?.getAttribute('data-goto');
      if (goto) return this.show(goto);
      const name = (target as Element | null)?.closest('[data-state]')?.getAttribute('data-state');
      if (!name) return;
      this.selected = name === this.selected ? undefined : name;
      this.chosen = true;
      this.render();
    };
    this.part.graph.addEventListener('click', (event) => select(event.target));
    this.part.graph.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') select(event.target);
    });
    root.querySelector('.graph-toolbar')?.addEventListener('click', (event) => {
      const action = (event.target as Element).closest('[data-zoom]')?.getAttribute('data-zoom');
      if (action) this.setZoom(action);
      const graphAction = (event.target as Element).closest('[data-graph]')?.getAttribute('data-graph');
      if (graphAction) void this.graphAction(graphAction);
    });
    dragToPan(this.part.graph);
    wheelToZoom(this.part.graph, (factor, x, y) => this.zoomAt(factor, x, y));
  }

  /** Shows the graph or the table view of the states. */
  private showView(view: 'graph' | 'table'): void {
    this.view = view;
    for (const tab of this.root.querySelectorAll('.view-tabs [data-view]'))
      tab.setAttribute('aria-selected', String(tab.getAttribute('data-view') === view));
    this.part.graph.hidden = view !== 'graph';
    (this.root.querySelector('.graph-toolbar') as HTMLElement).hidden = view !== 'graph';
    this.part.table.hidden = view !== 'table';
    this.render();
  }

  private statesTable(e: DescribeExecutionOutput): Html {
    const start = e.startDate?.getTime() ?? 0;
    return statesTable({
      history: this.history,
      runs: this.runs,
      definition: parseDefinition(this.definition),
      start,
      end: e.stopDate?.getTime() ?? Date.now(),
      ...(this.selected ? { selected: this.selected } : {}),
    });
  }

  /** The zoom the graph is drawn at now: in 'readable' mode it depends on the pane's width. */
  private currentZoom(): Zoom {
    if (this.zoom !== 'readable') return this.zoom;
    if (!this.graph || this.graph instanceof Error) return 'fit';
    const fit = this.part.graph.clientWidth / drawingSize(this.graph).width;
    return fit >= READABLE_ZOOM ? 'fit' : READABLE_ZOOM;
  }

  /**
   * Fit, 100%, or a step in or out from the current scale (from fit: the scale fit gave). The selected
   * state, or else whatever was in the middle of the pane, stays in the middle.
   */
  private setZoom(action: string): void {
    const pane = this.part.graph;
    const svg = pane.querySelector('svg');
    if (!svg) return;
    const before = svg.getBoundingClientRect();
    const current = before.width / (svg.viewBox.baseVal.width || 1);
    // Fit is the opening zoom again: the pane's width, but never below readable.
    const steps: Record<string, Zoom | 'readable'> = {
      fit: 'readable',
      '1': 1,
      in: Math.min(current * 1.25, 3),
      out: Math.max(current / 1.25, 0.1),
    };
    // The middle of the pane as a fraction of the drawing, to restore it at the new size.
    const middle = {
      x: (pane.scrollLeft + pane.clientWidth / 2) / before.width,
      y: (pane.scrollTop + pane.clientHeight / 2) / before.height,
    };
    this.zoom = steps[action] ?? this.zoom;
    this.render();
    const after = (pane.querySelector('svg') as SVGSVGElement).getBoundingClientRect();
    pane.scrollLeft = middle.x * after.width - pane.clientWidth / 2;
    pane.scrollTop = middle.y * after.height - pane.clientHeight / 2;
    const selected = this.selected && this.stateElement(this.selected);
    if (selected) this.scrollToMiddle(selected);
  }

  /**
   * Zooms by `factor` around a point of the pane (the wheel's pointer): the point of the drawing under it
   * stays under it.
   */
  private zoomAt(factor: number, clientX: number, clientY: number): void {
    const pane = this.part.graph;
    const svg = pane.querySelector('svg');
    if (!svg) return;
    const before = svg.getBoundingClientRect();
    const current = before.width / (svg.viewBox.baseVal.width || 1);
    const at = { x: (clientX - before.left) / before.width, y: (clientY - before.top) / before.height };
    this.zoom = Math.min(Math.max(current * factor, 0.1), 3);
    this.render();
    const after = (pane.querySelector('svg') as SVGSVGElement).getBoundingClientRect();
    pane.scrollLeft += after.left + at.x * after.width - clientX;
    pane.scrollTop += after.top + at.y * after.height - clientY;
  }

  /** Full screen, or a download of the drawing as SVG or PNG, named after the execution. */
  private async graphAction(action: string): Promise<void> {
    const svg = this.part.graph.querySelector('svg');
    const name = `${this.execution?.name ?? 'execution'}-graph`;
    if (action === 'fullscreen') toggleFullScreen(this.part.graph.closest('.graph-pane') as HTMLElement);
    else if (svg && action === 'svg') exportSvg(svg, name);
    else if (svg && action === 'png') await exportPng(svg, name);
  }

  /** The banner's link to the failed state: selects it, and brings the graph, and it in the graph, into view. */
  private show(name: string): void {
    this.selected = name;
    this.chosen = true;
    this.render();
    this.part.graph.closest('section')?.scrollIntoView();
    const element = this.stateElement(name);
    if (element) this.scrollToMiddle(element);
  }

  private stateElement(name: string): Element | null {
    return this.part.graph.querySelector(`[data-state="${CSS.escape(name)}"]`);
  }

  /**
   * What the graph opens on, as the console does: the selected state (a task waiting for its token, when
   * the user has not chosen), else the one in progress, else the last that failed (not one cut short by
   * it), else the Start marker.
   */
  private focusOf(): Element | null {
    const runs = [...this.runs.values()];
    const name =
      this.selected ??
      runs.findLast((r) => r.status === 'in-progress')?.name ??
      runs.findLast((r) => r.status === 'failed' && !r.aborted)?.name ??
      runs.findLast((r) => r.status === 'failed')?.name;
    return (
      (name !== undefined ? this.stateElement(name) : null) ??
      this.part.graph.querySelector('[data-marker="Start"]')
    );
  }

  /**
   * Scrolls the graph's pane to `element` when it opens: down to the middle of the pane, and sideways
   * only as far as it takes to show it, so the main path on the left stays in view where it can.
   */
  private scrollToFocus(element: Element): void {
    const pane = this.part.graph;
    const box = element.getBoundingClientRect();
    const view = pane.getBoundingClientRect();
    const margin = 24;
    const right = view.left + pane.clientWidth - margin;
    if (box.right > right) pane.scrollLeft += Math.min(box.right - right, box.left - (view.left + margin));
    pane.scrollTop += box.top + box.height / 2 - (view.top + pane.clientHeight / 2);
  }

  /** Scrolls the graph's pane so `element` is in its middle, or as near as the drawing's edges allow. */
  private scrollToMiddle(element: Element): void {
    const pane = this.part.graph;
    const box = element.getBoundingClientRect();
    const view = pane.getBoundingClientRect();
    pane.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
    pane.scrollTop += box.top + box.height / 2 - (view.top + view.height / 2);
  }

  /**
   * Stop execution (after the console's confirmation) or Redrive, then a read of what it did at once,
   * not at the next poll: after a redrive, RUNNING again. A refused call is shown, with the AWS error.
   */
  private async act(action: Action): Promise<void> {
    const e = this.execution;
    if (!e || this.pending) return;
    if (
      action === 'stop' &&
      !window.confirm(
        `Stop execution ${e.name}?\n\nIt ends ABORTED where it is: the state in progress is cut short ` +
          'and no later state runs. A stopped execution can be redriven.',
      )
    )
      return;
    this.pending = action;
    this.problem = undefined;
    this.render();
    try {
      await (action === 'stop' ? api.stopExecution(this.arn) : api.redriveExecution(this.arn));
    } catch (error) {
      this.problem = { title: ACTIONS[action].failed, error: asError(error) };
      this.pending = undefined;
      this.render();
      return;
    }
    try {
      await this.refresh();
    } catch (error) {
      this.problem = {
        title: `The execution was ${ACTIONS[action].done}, but could not be read again`,
        error: asError(error),
      };
    } finally {
      this.pending = undefined;
      this.render();
      this.resume();
    }
  }

  async refresh(): Promise<void> {
    const read = ++this.reads;
    let execution: DescribeExecutionOutput;
    try {
      execution = await api.describeExecution(this.arn);
    } catch (error) {
      if (error instanceof api.ApiError && MISSING.has(error.type)) return this.missing(error);
      throw error;
    }
    if (!this.graph) {
      // The definition never changes under an execution; lay it out once.
      const machine = await api.describeStateMachine(execution.stateMachineArn as string);
      this.definition = machine.definition;
      try {
        this.graph = layoutStateMachine(JSON.parse(machine.definition ?? '{}'));
      } catch (error) {
        this.graph = asError(error);
      }
    }
    // An ended execution's history is final: read it once after the end, then not again unless it is
    // redriven (which also makes its status RUNNING again).
    const key = historyKey(execution);
    const final = this.historyReadAt === key && ENDED.has(execution.status ?? '');
    const history = final ? undefined : await api.getExecutionHistory(this.arn);
    // Deliveries of the events it put go on after the execution ends, so these are always re-read.
    const busRecords = await api.busEvents({ execution: this.arn, limit: 1000 });
    // A poll under way when Stop or Redrive read the execution again must not put back the older answer.
    if (read !== this.reads) return;
    if (history) {
      this.history = history;
      this.historyReadAt = key;
      try {
        this.runs = stateRuns(this.history);
        this.failed = failedState(this.history, this.runs);
        this.waiting = waitingTasks(this.history, this.definition, this.runs);
        this.runsError = undefined;
      } catch (error) {
        this.runsError = asError(error);
      }
      if (!this.chosen) this.selected = this.failed ?? this.waiting[0]?.stateName ?? this.selected;
    }
    this.busRecords = busRecords;
    this.execution = execution;
    // The history was already final before this read, which gave the deliveries of the events the
    // execution put (they go on a moment after its end) one more poll: nothing changes any more, unless
    // it is redriven, and the page's Redrive resumes polling.
    this.settled = final ? 'Up to date: the execution has ended' : undefined;
    this.render();
  }

  /** An execution the runtime does not have: said once, in place of the page, and not asked for again. */
  private missing(error: api.ApiError): void {
    this.execution = undefined;
    this.settled = 'Not polling: the execution does not exist';
    setHtml(
      this.root,
      html`
        <nav class="breadcrumb"><a href="#/">Executions</a></nav>
        <div class="banner banner-error" role="alert" data-missing>
          <strong>Execution ${this.arn} does not exist</strong>
          <p>
            The runtime has no execution with this ARN. Executions live in the runtime's data directory
            (none with --in-memory), and closed ones are removed after the retention period.
            <a href="#/">See the executions it has.</a>
          </p>
          <div class="muted"><code>${error.name}</code>: ${error.message}</div>
        </div>`,
    );
  }

  private render(): void {
    const e = this.execution;
    if (!e) return;
    setHtml(this.part.header, this.header(e));
    setHtml(this.part.banner, this.banner(e));
    setHtml(this.part.summary, this.summary(e));
    setHtml(this.part.io, this.io(e));
    const zoom = this.currentZoom();
    setHtml(this.part.zoom, html`${zoom === 'fit' ? 'fit to width' : `${Math.round(zoom * 100)}%`}`);
    setHtml(this.part.graph, this.graphPane(zoom));
    if (!this.opened && this.part.graph.querySelector('svg')) {
      this.opened = true;
      const focus = this.focusOf();
      if (focus) this.scrollToFocus(focus);
    }
    // The selection is a class, not part of the drawing: selecting a state does not redraw the graph.
    for (const node of this.part.graph.querySelectorAll('[data-state]'))
      node.classList.toggle('selected', node.getAttribute('data-state') === this.selected);
    // Re-rendering the panel takes a callback form out of the page for a moment, which loses its focus:
    // whoever is typing in it goes on typing where they were.
    const typing = document.activeElement;
    const caret =
      typing instanceof HTMLInputElement || typing instanceof HTMLTextAreaElement
        ? ([typing.selectionStart, typing.selectionEnd] as const)
        : undefined;
    setHtml(this.part.details, this.stateDetails());
    this.placeCallbackForms();
    if (typing instanceof HTMLElement && typing !== document.activeElement && typing.isConnected) {
      typing.focus();
      if (caret && (typing instanceof HTMLInputElement || typing instanceof HTMLTextAreaElement))
        typing.setSelectionRange(caret[0], caret[1]);
    }
    this.events.render({
      history: this.history,
      runs: this.runs,
      start: e.startDate?.getTime() ?? this.history[0]?.timestamp?.getTime() ?? 0,
      expanded: this.expanded,
      ...(this.selected ? { selected: this.selected } : {}),
    });
    if (this.view === 'table') setHtml(this.part.table, this.statesTable(e));
    setHtml(this.part.definition, definitionPanel(this.definition));
    setHtml(
      this.part.bus,
      busEventsTable(this.busRecords, this.expanded, 'This execution has put no events on a bus.'),
    );
    this.tick();
  }

  /**
   * Puts each waiting task's form into its slot in the details panel (a re-render of the panel empties
   * the slots, not the forms), and forgets the forms of tasks that no longer wait.
   */
  private placeCallbackForms(): void {
    const waiting = new Set(this.waiting.map((t) => t.scheduledEventId));
    for (const id of this.callbacks.keys()) if (!waiting.has(id)) this.callbacks.delete(id);
    for (const slot of this.part.details.querySelectorAll('[data-callback-slot]')) {
      const id = Number(slot.getAttribute('data-callback-slot'));
      const task = this.waiting.find((t) => t.scheduledEventId === id);
      if (!task) continue;
      let form = this.callbacks.get(id);
      if (!form) {
        form = new CallbackForm(task, {
          sending: () => {
            this.callbackProblem = undefined;
            this.render();
          },
          refused: (title, error) => {
            this.callbackProblem = { state: task.stateName, title, error };
            this.render();
          },
          sent: () => this.afterCallback(),
        });
        this.callbacks.set(id, form);
      }
      if (form.element.parentElement !== slot) slot.replaceChildren(form.element);
    }
  }

  /** A callback was sent: read the execution again at once, and poll on to show it moving on. */
  private async afterCallback(): Promise<void> {
    try {
      await this.refresh();
    } catch {
      // Not read again now: the polling resumed below reads it, and says so if the runtime does not answer.
    } finally {
      this.resume();
    }
  }

  /**
   * Writes the time left into every element with a deadline (the graph's waiting boxes, the details of a
   * waiting task): their markup names the deadline, not the time left, so it stays the same each second.
   */
  private tick(): void {
    const now = Date.now();
    for (const element of this.root.querySelectorAll('[data-deadline]')) {
      const deadline = new Date(Number(element.getAttribute('data-deadline')));
      const kind = element.getAttribute('data-deadline-kind');
      const left = timeLeft(deadline, now);
      const text =
        kind === 'short'
          ? left
            ? `waiting · ${left} left`
            : 'waiting · deadline passed'
          : left
            ? `${left} left`
            : kind === 'heartbeat'
              ? 'passed: a heartbeat was sent since, or the task is timing out now'
              : 'passed: the task is timing out now';
      if (element.textContent !== text) element.textContent = text;
    }
  }

  private header(e: DescribeExecutionOutput): Html {
    const machine = arnName(e.stateMachineArn ?? '');
    return html`
      <nav class="breadcrumb"><a href="#/">Executions</a> › ${machine} › ${e.name}</nav>
      <div class="page-title">
        <h1>${e.name} ${statusBadge(e.status)}</h1>
        <div class="page-actions">${this.actions(e)}</div>
      </div>
      ${this.problem && errorBanner(this.problem.title, this.problem.error)}`;
  }

  /**
   * The console's Stop execution and Redrive buttons. Stop is enabled while the execution runs; Redrive
   * when DescribeExecution says REDRIVABLE, and otherwise its title gives the reason it said.
   */
  private actions(e: DescribeExecutionOutput): Html {
    const button = (action: Action, label: string, enabled: boolean, title: string) => html`
      <button type="button" data-action="${action}" title="${title}" ${!enabled && 'disabled'}>
        ${this.pending === action ? ACTIONS[action].busy : label}
      </button>`;
    const running = e.status === 'RUNNING';
    const redrivable = e.redriveStatus === 'REDRIVABLE';
    return html`
      <a class="button-link" href="${newExecutionHref(e.stateMachineArn ?? '', e.executionArn)}" data-new-execution
        title="Start another execution of this state machine, with this execution's input to edit">New execution</a>
      ${button(
        'stop',
        'Stop execution',
        running && !this.pending,
        running
          ? 'Stop the execution where it is: it ends ABORTED.'
          : `Only a running execution can be stopped; this one is ${e.status}.`,
      )}
      ${button(
        'redrive',
        'Redrive',
        redrivable && !this.pending,
        redrivable
          ? 'Go on from the state that did not succeed, with the input it had.'
          : (e.redriveStatusReason ??
              `This execution cannot be redriven (${e.redriveStatus ?? 'no redrive status'}).`),
      )}`;
  }

  /**
   * The console's red banner for a run that did not succeed, with the error and its cause; while it runs,
   * a note of the tasks waiting for their token, each linking to its state.
   */
  private banner(e: DescribeExecutionOutput): Html {
    if (e.status === 'RUNNING' && this.waiting.length > 0)
      return html`
        <div class="banner banner-info" data-waiting-banner>
          <strong>Waiting for a callback</strong>
          ${this.waiting.map((t) => {
            const deadline = nearestDeadline(t);
            return html`<div>
              <button type="button" class="link" data-show-state="${t.stateName}">${t.stateName}</button>
              waits for SendTaskSuccess or SendTaskFailure${
                deadline
                  ? html`: <span data-deadline="${deadline.getTime()}"></span>`
                  : html` (no deadline: the state has no TimeoutSeconds)`
              }
            </div>`;
          })}
        </div>`;
    if (e.status === 'SUCCEEDED' || e.status === 'RUNNING') return html``;
    const title = {
      FAILED: 'Execution failed',
      ABORTED: 'Execution aborted',
      TIMED_OUT: 'Execution timed out',
    };
    const where = { FAILED: 'Failed in', ABORTED: 'Stopped in', TIMED_OUT: 'Timed out in' };
    return html`
      <div class="banner banner-error" data-banner role="alert">
        <strong>${title[e.status as keyof typeof title] ?? e.status}</strong>
        ${
          this.failed &&
          html`<div>${where[e.status as keyof typeof where]} state:
            <button type="button" class="link" data-show-state="${this.failed}">${this.failed}</button></div>`
        }
        ${e.error && html`<div>Error: <code data-error>${e.error}</code></div>`}
        ${e.cause && html`<div>Cause:</div><pre class="json cause">${prettyJson(e.cause)}</pre>`}
      </div>`;
  }

  private summary(e: DescribeExecutionOutput): Html {
    const start = e.startDate?.getTime() ?? 0;
    const end = e.stopDate?.getTime() ?? Date.now();
    const input = parseJson(e.input) as { detail?: { userId?: unknown } } | undefined;
    const transitions = this.history.filter((h) => h.type?.endsWith('StateEntered')).length;
    const item = (label: string, value: unknown) =>
      html`<div data-item="${label}"><dt>${label}</dt><dd>${value}</dd></div>`;
    return html`
      <dl class="summary">
        ${item('Status', statusBadge(e.status))}
        ${item('Execution ARN', html`<code>${e.executionArn}</code> ${copyButton(e.executionArn ?? '', 'Copy ARN')}`)}
        ${item('State machine', html`<a href="#/?machine=${encodeURIComponent(e.stateMachineArn ?? '')}">${arnName(e.stateMachineArn ?? '')}</a> ${copyButton(e.stateMachineArn ?? '', 'Copy ARN')}`)}
        ${item('User', input?.detail?.userId === undefined ? '-' : String(input.detail.userId))}
        ${item('Start', timeElement(e.startDate))}
        ${item('End', e.stopDate ? timeElement(e.stopDate) : '-')}
        ${item('Duration', formatDuration(end - start))}
        ${item('State transitions', transitions)}
        ${(e.redriveCount ?? 0) > 0 && item('Redrive count', e.redriveCount)}
        ${(e.redriveCount ?? 0) > 0 && item('Last redrive', timeElement(e.redriveDate))}
      </dl>`;
  }

  private io(e: DescribeExecutionOutput): Html {
    const output =
      e.status === 'RUNNING' ? 'The execution is running.' : 'No output: the execution did not succeed.';
    return html`
      <div class="side-by-side">
        <div><h3>Input</h3>${jsonBlock(e.input)}</div>
        <div><h3>Output</h3>${jsonBlock(e.output, output)}</div>
      </div>`;
  }

  private graphPane(zoom: Zoom): Html {
    if (!this.graph) return html`<p class="muted">Loading the definition...</p>`;
    if (this.graph instanceof Error)
      return html`<p class="error-text">The graph could not be drawn: ${this.graph.message}</p>`;
    return html`
      ${this.runsError && html`<p class="error-text">The states could not be coloured: ${this.runsError.message}</p>`}
      ${graphSvg(this.graph, this.runs, zoom, new Map(this.waiting.map((t) => [t.stateName, t])))}`;
  }

  /** The console's step details panel: input, output, error and cause, and every attempt of the state. */
  private stateDetails(): Html {
    const name = this.selected;
    if (!name)
      return html`<p class="muted">Select a state in the graph to see its input, output and errors.</p>`;
    const graph = this.graph instanceof Error ? undefined : this.graph;
    const type = graph?.nodes.find((n) => n.id === name)?.type;
    const run = this.runs.get(name);
    const status = run?.status ?? 'not-reached';
    const waiting = this.waiting.filter((t) => t.stateName === name);
    return html`
      <div data-details="${name}">
        <h3>${name}</h3>
        <p>
          <span class="tag state-${status}" data-status="${status}">${STATUS_LABELS[status]}</span>
          ${waiting.length > 0 && html`<span class="tag state-waiting" data-waiting>Waiting for a callback</span>`}
          ${run?.aborted && html`<span class="muted">cut short (the execution stopped or a sibling branch failed)</span>`}
          ${type && html`<span class="muted">${type} state</span>`}
        </p>
        ${!run && html`<p class="muted">This execution did not reach this state.</p>`}
        ${this.callbackProblem?.state === name && errorBanner(this.callbackProblem.title, this.callbackProblem.error)}
        ${waiting.map((t) => this.waitingTask(t, waiting.length > 1))}
        ${
          run?.error &&
          html`<div class="banner ${status === 'caught' ? 'banner-warning' : 'banner-error'}">
            <div>Error: <code data-state-error>${run.error}</code></div>
            ${run.cause && html`<div>Cause:</div><pre class="json cause" data-state-cause>${prettyJson(run.cause)}</pre>`}
          </div>`
        }
        ${stateDetailsTabs({
          tab: this.detailsTab,
          tabs: DETAILS_TABS,
          name,
          run,
          state: findState(parseDefinition(this.definition), name),
          history: this.history,
          definition: this.definition,
          executionArn: this.execution?.executionArn,
          start: this.execution?.startDate?.getTime() ?? 0,
          now: this.execution?.stopDate?.getTime() ?? Date.now(),
          attempts: run && run.attempts.length > 0 ? this.attempts(run) : undefined,
        })}
      </div>`;
  }

  /**
   * A task waiting for its token: since when, its deadlines with the time left (filled in by `tick`), and
   * a slot for its send-a-callback form (`placeCallbackForms`). `several`: one of several (Map iterations).
   */
  private waitingTask(t: WaitingTask, several: boolean): Html {
    const deadline = (label: string, seconds: number, at: Date, kind: string, note?: string) => html`
      <div data-item="${label}"><dt>${label}</dt>
        <dd><strong data-deadline="${at.getTime()}" data-deadline-kind="${kind}"></strong>
          <div class="muted">${seconds} s, until ${timeElement(at)}${note && html`<br>${note}`}</div></dd></div>`;
    return html`
      <section class="waiting-task" data-waiting-task="${t.scheduledEventId}">
        <h4>${WAITING_LABEL}${several && ` (task of event ${t.scheduledEventId})`}</h4>
        <dl class="deadlines">
          <div data-item="Resource"><dt>Resource</dt><dd><code>${t.resource}</code></dd></div>
          ${
            t.submittedAt
              ? html`<div data-item="Waiting since"><dt>Waiting since</dt><dd>${timeElement(t.submittedAt)}</dd></div>`
              : html`<div><dt>Call</dt><dd>in flight: the task waits for its token once the call returns</dd></div>`
          }
          ${
            t.deadline && t.timeoutSeconds !== undefined
              ? deadline('TimeoutSeconds', t.timeoutSeconds, t.deadline, 'timeout')
              : html`<div data-item="TimeoutSeconds"><dt>TimeoutSeconds</dt><dd>none: it waits as long as the execution runs</dd></div>`
          }
          ${
            t.heartbeatDeadline &&
            t.heartbeatSeconds !== undefined &&
            deadline(
              'HeartbeatSeconds',
              t.heartbeatSeconds,
              t.heartbeatDeadline,
              'heartbeat',
              'counted from the start of the wait: SendTaskHeartbeat restarts it, and the history does not record heartbeats',
            )
          }
        </dl>
        ${t.submittedAt && html`<div data-callback-slot="${t.scheduledEventId}"></div>`}
      </section>`;
  }

  /** Each attempt (a retried Task has several) with its history events; a failed one expands to its cause. */
  private attempts(run: StateRun): Html {
    const rows = run.attempts.map((a, i) => {
      const key = `attempt:${run.name}:${i}`;
      const open = a.cause !== undefined && this.expanded.has(key);
      const result = a.error
        ? html`<span class="error-text">${a.error}</span>`
        : a.endedEventId === undefined
          ? html`<span class="muted">${this.waiting.some((t) => t.scheduledEventId === a.startedEventId && t.submittedAt) ? 'in progress: waiting for a callback' : 'in progress'}</span>`
          : 'succeeded';
      return html`
        <tr class="${a.cause === undefined ? '' : 'expandable'}${open ? ' open' : ''}"
            ${a.cause !== undefined && html`data-toggle="${key}"`}>
          <td>${a.cause !== undefined && html`<span class="caret"></span>`}${i + 1}</td>
          <td>${a.startedEventId}${a.endedEventId !== undefined && raw(' &ndash; ')}${a.endedEventId}</td>
          <td>${result}</td>
        </tr>
        ${open && html`<tr class="details-row"><td colspan="3"><pre class="json small">${prettyJson(a.cause)}</pre></td></tr>`}`;
    });
    return html`
      <h4>Attempts (${run.attempts.length})</h4>
      <table class="table compact" data-attempts>
        <thead><tr><th>#</th><th>Events</th><th>Result</th></tr></thead>
        <tbody>${rows}</tbody>
      </table>`;
  }
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
