import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Browser, Page, Request } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import type { BeforeTask } from '../../local/stepfunctions/service';
import { READABLE_ZOOM } from '../../local/viewer/graph';
import { failedState, stateRuns } from '../../local/viewer/state-runs';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { BUS } from '../support/local';
import { clients, startRuntime } from '../support/runtime';

/*
 * The execution viewer in a real browser: Debian's Chromium (installed by .ci/run) driven by playwright-core,
 * against the runtime in-process. Screenshots of each step go to test-artifacts/; with UPDATE_SCREENSHOTS=1
 * the execution page of the approved run is also written to docs/execution-view.png for the README.
 */

const ROOT = join(__dirname, '..', '..');
const README_SCREENSHOT = join(ROOT, 'docs', 'execution-view.png');
const KYC = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-kyc`;
const WAIT = { timeout: 10_000 };
/** What the connection indicator says once an ended execution's page has stopped polling. */
const ENDED_STATUS = 'Up to date: the execution has ended';
/** Long enough for a page polling every second to ask again, several times over. */
const QUIET_MS = 3000;
/** A role for the state machines the tests create (the runtime does not check roles). */
const ROLE = 'arn:aws:iam::000000000000:role/viewer-tests';

/**
 * A machine that asks a reviewer by putting an event with its task token (as the design's manual review
 * does) and waits up to an hour for SendTaskSuccess or SendTaskFailure, then passes the answer on.
 */
const REVIEW_MACHINE = JSON.stringify({
  StartAt: 'Wait for review',
  States: {
    'Wait for review': {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      Parameters: {
        Entries: [
          {
            EventBusName: BUS,
            Source: 'test.viewer',
            DetailType: 'Review Requested',
            Detail: { 'userId.$': '$.userId', 'taskToken.$': '$$.Task.Token' },
          },
        ],
      },
      TimeoutSeconds: 3600,
      Next: 'Reviewed',
    },
    Reviewed: { Type: 'Pass', End: true },
  },
});

/**
 * The text the viewer shows for the instant `iso` in a zone `offsetMinutes` east of UTC that it labels
 * `zone`: 2026-12-01 22:41:07.123 UTC+05:30.
 */
function shownAt(iso: string, offsetMinutes: number, zone: string): string {
  const shifted = new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 23)} ${zone}`;
}

describe('the execution viewer in Chromium', () => {
  let runtime: LocalRuntime;
  let c: ReturnType<typeof clients>;
  let browser: Browser;
  let page: Page;
  /** Uncaught errors in the page: any makes the test fail. */
  const pageErrors: string[] = [];
  /** What a test does before each Task runs (hold it, or fail it); nothing when unset. */
  let beforeTask: BeforeTask | undefined;

  beforeAll(async () => {
    runtime = await startRuntime({ beforeTask: async (task) => beforeTask?.(task) });
    c = clients(runtime.url);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });
  afterEach(async () => {
    beforeTask = undefined;
    await fetch(`${runtime.url}/_local/faults`, { method: 'DELETE' });
    expect(pageErrors).toEqual([]);
  });

  async function put(...entries: PutEventsRequestEntry[]): Promise<void> {
    const response = await c.events.send(new PutEventsCommand({ Entries: entries }));
    expect(response.FailedEntryCount).toBe(0);
  }

  async function history(executionArn: string): Promise<HistoryEvent[]> {
    const { events = [] } = await c.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
    );
    return events;
  }

  /** Every state box in the graph, by name, with the status it is coloured with. */
  async function graphStatuses(): Promise<Record<string, string>> {
    await page.locator('svg.graph [data-state]').first().waitFor(WAIT);
    const nodes = await page
      .locator('svg.graph [data-state]')
      .evaluateAll((elements) =>
        elements.map((e) => [e.getAttribute('data-state'), e.getAttribute('data-status')] as const),
      );
    return Object.fromEntries(nodes);
  }

  /**
   * Filters the home page to a user (and a state machine, or all), waits until that user's execution is
   * listed with `status`, and opens it; returns its ARN.
   */
  async function openExecution(user: string, machine: string | undefined, status: string): Promise<string> {
    await page.goto(`${runtime.url}/#/`);
    await page.locator('[data-filter="user"]').fill(user);
    await page.locator('[data-filter="machine"]').selectOption(machine ?? { label: 'All' });
    const row = page.locator(`tr[data-user="${user}"][data-status="${status}"]`);
    await row.waitFor(WAIT);
    const arn = (await row.getAttribute('data-execution')) as string;
    await screenshot(`${user}-home`);
    await row.locator('a').click();
    await page.locator(`[data-history-id]`).first().waitFor(WAIT);
    return arn;
  }

  /** The scale the graph is drawn at (1 = 100%). */
  async function graphZoom(): Promise<number> {
    const svg = page.locator('svg.graph');
    const [, , width] = ((await svg.getAttribute('viewBox')) ?? '').split(' ').map(Number);
    return ((await svg.boundingBox())?.width ?? 0) / (width ?? 1);
  }

  /** Whether the element of the graph `selector` finds is wholly inside what its pane shows. */
  function inGraphView(selector: string): Promise<boolean> {
    return page.locator('[data-part="graph"]').evaluate((pane, target) => {
      const box = pane.querySelector(target)?.getBoundingClientRect();
      const view = pane.getBoundingClientRect();
      return (
        box !== undefined &&
        box.left >= view.left &&
        box.right <= view.left + pane.clientWidth &&
        box.top >= view.top &&
        box.bottom <= view.top + pane.clientHeight
      );
    }, selector);
  }

  /** A promise a test resolves when it lets held Tasks go on. */
  function gate(): { held: Promise<void>; release: () => void } {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    return { held, release };
  }

  /** Access-change's trigger for a user (version 1, blocked). */
  function blockUser(user: string): Promise<void> {
    return put({
      Source: 'app.identity',
      DetailType: 'User Access Changed',
      Detail: JSON.stringify({ userId: user, version: 1, blocked: true }),
      EventBusName: BUS,
    });
  }

  /** The execution page's status badge in its title, once it shows `status`. */
  function titleStatus(status: string) {
    return page.locator(`h1 .badge.status-${status.toLowerCase()}`);
  }

  function screenshot(name: string, fullPage = true, on = page): Promise<Buffer> {
    return on.screenshot({ path: join(ARTIFACTS, `viewer-${name}.png`), fullPage });
  }

  /** The connection indicator in the top bar, once it says `text`. */
  function connection(text: string) {
    return page.locator('[data-connection]', { hasText: text });
  }

  /** How many requests the page makes to the runtime while `during` runs. */
  async function requestsDuring(during: () => Promise<unknown>): Promise<string[]> {
    const made: string[] = [];
    const count = (request: Request) => {
      if (request.url().startsWith(runtime.url))
        made.push(request.headers()['x-amz-target'] ?? new URL(request.url()).pathname);
    };
    page.on('request', count);
    try {
      await during();
    } finally {
      page.off('request', count);
    }
    return made;
  }

  /** Each `<time>` under `selector`: the instant it stands for and the text it shows. */
  function times(on: Page, selector: string): Promise<{ datetime: string; text: string }[]> {
    return on
      .locator(`${selector} time`)
      .evaluateAll((elements) =>
        elements.map((e) => ({ datetime: e.getAttribute('datetime') ?? '', text: e.textContent ?? '' })),
      );
  }

  /** The review machine (created once), started for `user`: its execution's ARN. */
  let reviewMachine: string | undefined;
  async function startReview(user: string): Promise<string> {
    reviewMachine ??= (
      await c.sfn.send(
        new CreateStateMachineCommand({ name: 'viewer-review', definition: REVIEW_MACHINE, roleArn: ROLE }),
      )
    ).stateMachineArn as string;
    const { executionArn } = await c.sfn.send(
      new StartExecutionCommand({ stateMachineArn: reviewMachine, input: JSON.stringify({ userId: user }) }),
    );
    return executionArn as string;
  }

  /** The token the review task sent (in its event's detail), once the history says the task waits for it. */
  async function waitingToken(executionArn: string): Promise<string> {
    for (const deadline = Date.now() + 60_000; ; await page.waitForTimeout(100)) {
      const events = await history(executionArn);
      const scheduled = events.find((e) => e.type === 'TaskScheduled');
      if (scheduled && events.some((e) => e.type === 'TaskSubmitted')) {
        const parameters = JSON.parse(scheduled.taskScheduledEventDetails?.parameters ?? '{}');
        return parameters.Entries[0].Detail.taskToken as string;
      }
      if (Date.now() > deadline) throw new Error('The review task did not start waiting for its token.');
    }
  }

  /** Opens an execution's page by its ARN, once its history is shown. */
  async function openArn(executionArn: string): Promise<void> {
    await page.goto(`${runtime.url}/#/execution/${encodeURIComponent(executionArn)}`);
    await page.locator('[data-history-id]').first().waitFor(WAIT);
  }

  it('shows a new execution live and colours the states its history entered', async () => {
    // Prepare
    await page.goto(`${runtime.url}/#/`);
    await page.locator('[data-part="machines"] table').waitFor(WAIT);
    const sample = readFileSync(join(ROOT, 'events', 'samples', 'account-requested-approved.json'), 'utf8');

    // Act
    await put(...(JSON.parse(sample) as PutEventsRequestEntry[]));
    const arn = await openExecution('user-1001', KYC, 'SUCCEEDED');
    const events = await history(arn);
    const colours = await graphStatuses();

    // Assess
    const entered = events.filter((e) => e.type?.endsWith('StateEntered'));
    expect(entered.length).toBeGreaterThan(5);
    for (const e of entered) expect(colours[e.stateEnteredEventDetails?.name as string]).toBe('succeeded');
    // Every other state too: exactly what the history says happened to it.
    const runs = stateRuns(events);
    for (const [name, status] of Object.entries(colours))
      expect([name, status]).toEqual([name, runs.get(name)?.status ?? 'not-reached']);
    expect(Object.values(colours)).toContain('not-reached');
    expect(await page.locator('[data-history-id]').count()).toBe(events.length);
    expect(await page.locator('[data-item="State transitions"] dd').textContent()).toBe(`${entered.length}`);

    await screenshot('approved-execution');
    // The KYC graph opens fitted to its pane's width with names still readable (viewer-graph.test.ts
    // measures every workflow), with the Start marker and the first state in view.
    const opened = await graphZoom();
    expect(opened).toBeGreaterThanOrEqual(READABLE_ZOOM - 0.001);
    expect(await inGraphView('[data-marker="Start"]')).toBe(true);
    expect(await inGraphView('[data-state="Claim version"]')).toBe(true);

    // A state selected (as the README's screenshot shows it), then zoomed in around it.
    await page.locator('[data-state="Assess risk"]').click();
    await page.locator('[data-details="Assess risk"]').waitFor(WAIT);
    expect(await page.locator('[data-details="Assess risk"]').textContent()).toContain('riskScore');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      // The whole graph, as a 1440 px window opens it: the window tall enough for the pane (at most 80% of
      // it) to hold all of the drawing, the picture cut under the graph's panel.
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true });
      await page.setViewportSize({ width: 1440, height: 2400 });
      await page.evaluate('window.scrollTo(0, 0)');
      expect(await inGraphView('[data-marker="Start"]')).toBe(true);
      expect(await inGraphView('[data-marker="End"]')).toBe(true);
      const panel = (await page.locator('.graph-layout').boundingBox()) ?? { y: 0, height: 0 };
      const height = Math.ceil(panel.y + panel.height + 24);
      await page.screenshot({ path: README_SCREENSHOT, clip: { x: 0, y: 0, width: 1440, height } });
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
    const fitWidth = (await page.locator('svg.graph').boundingBox())?.width ?? 0;
    for (let i = 0; i < 3; i++) await page.locator('[data-zoom="in"]').click();
    expect((await page.locator('svg.graph').boundingBox())?.width).toBeGreaterThan(fitWidth * 1.9);
    expect(await inGraphView('[data-state="Assess risk"]')).toBe(true);
    await screenshot('approved-execution-zoomed', false);
    // Fit: back to the whole width, never below readable.
    await page.locator('[data-zoom="fit"]').click();
    expect(await graphZoom()).toBeCloseTo(opened, 3);
    expect(await inGraphView('[data-state="Superseded"]')).toBe(true);
  });

  it('shows why an emit that failed on every attempt failed the run, and the parked entry', async () => {
    // Prepare: every User Blocked entry fails, so the emit retries, is caught, parks the entry and fails.
    const fault = await fetch(`${runtime.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorCode: 'InternalFailure', detailType: 'User Blocked' }),
    });
    expect(fault.status).toBe(200);
    const user = 'user-viewer-blocked';

    // Act
    await put({
      Source: 'app.identity',
      DetailType: 'User Access Changed',
      Detail: JSON.stringify({ userId: user, version: 1, blocked: true }),
      EventBusName: BUS,
    });
    const arn = await openExecution(user, undefined, 'FAILED');
    const events = await history(arn);
    const colours = await graphStatuses();

    // Assess: the page opens on the state the run failed in, which the banner links to.
    const failed = failedState(events, stateRuns(events)) as string;
    expect(colours[failed]).toBe('failed');
    await page.locator(`[data-details="${failed}"]`).waitFor(WAIT);
    expect(await page.locator('svg.graph .selected').getAttribute('data-state')).toBe(failed);
    expect(await page.locator('[data-banner] [data-show-state]').textContent()).toBe(failed);

    // Assess: the banner, the caught emit with each attempt, and the second put it led to, which failed.
    expect(await page.locator('[data-banner] [data-error]').textContent()).toBe('EventBridge.FailedEntry');
    expect(colours['Emit User Blocked']).toBe('caught');
    expect(colours['Emit User Blocked again']).toBe('failed');

    await page.locator('[data-state="Emit User Blocked"]').click();
    const emit = page.locator('[data-details="Emit User Blocked"]');
    await emit.waitFor(WAIT);
    expect(await emit.locator('[data-state-error]').textContent()).toBe('EventBridge.FailedEntry');
    expect(await emit.locator('[data-state-cause]').textContent()).toContain('InternalFailure');
    // Both puts made the same number of attempts: half of the history's TaskFailed events each.
    const failedAttempts = events.filter((e) => e.type === 'TaskFailed').length / 2;
    expect(failedAttempts).toBeGreaterThan(1);
    expect(await emit.locator('[data-attempts] tbody tr').count()).toBe(failedAttempts);
    await screenshot('failed-execution-emit');

    await page.locator('[data-state="Emit User Blocked again"]').click();
    const again = page.locator('[data-details="Emit User Blocked again"]');
    await again.waitFor(WAIT);
    expect(await again.locator('[data-state-error]').textContent()).toBe('EventBridge.FailedEntry');
    await screenshot('failed-execution-second-put');

    // The bus page: the entry the emit could not deliver is in the undelivered-events queue.
    await page.locator('nav.top a[data-route="bus"]').click();
    const queue = page.locator(`[data-queue="${BUS}-undelivered-events"]`);
    await queue.locator('[data-message]').first().waitFor(WAIT);
    expect(await queue.locator('[data-count="visible"]').textContent()).toBe('1');
    await queue.locator('[data-toggle]').first().click();
    const message = await queue.locator('[data-message] pre').textContent();
    expect(message).toContain(user);
    expect(message).toContain('EventBridge.FailedEntry');
    await screenshot('bus');
  });

  it('opens a failed run of a long graph on the state that failed', async () => {
    // Prepare: every Account Approved entry fails, so an approved KYC run parks it and fails at the
    // bottom of its graph.
    const fault = await fetch(`${runtime.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorCode: 'InternalFailure', detailType: 'Account Approved' }),
    });
    expect(fault.status).toBe(200);
    const user = 'user-viewer-undelivered';
    const [sample] = JSON.parse(
      readFileSync(join(ROOT, 'events', 'samples', 'account-requested-approved.json'), 'utf8'),
    ) as PutEventsRequestEntry[];

    // Act
    await put({ ...sample, Detail: JSON.stringify({ ...JSON.parse(sample?.Detail ?? '{}'), userId: user }) });
    const arn = await openExecution(user, KYC, 'FAILED');
    const events = await history(arn);
    const colours = await graphStatuses();

    // Assess: opened on the state it failed in, selected, its details shown, and scrolled to.
    const failed = failedState(events, stateRuns(events)) as string;
    expect(colours[failed]).toBe('failed');
    await page.locator(`[data-details="${failed}"]`).waitFor(WAIT);
    expect(await page.locator('svg.graph .selected').getAttribute('data-state')).toBe(failed);
    expect(await inGraphView(`[data-state="${failed}"]`)).toBe(true);

    // Assess: fitted, names readable, scrolled down to the second put, which is not near Start.
    expect(colours['Emit Account Approved again']).toBe('failed');
    expect(await graphZoom()).toBeGreaterThanOrEqual(READABLE_ZOOM - 0.001);
    expect(await inGraphView('[data-state="Emit Account Approved again"]')).toBe(true);
    expect(await inGraphView('[data-marker="Start"]')).toBe(false);
    await screenshot('failed-kyc-execution');
  });

  it('redrives a failed execution from its page, which shows it running again and then succeeding', async () => {
    // Prepare: the versions table is unavailable when the run records the user blocked, so that Task
    // (which catches only ConditionalCheckFailed) fails the execution there; the redrive will be held at
    // that Task until the page has shown it RUNNING.
    const user = 'user-viewer-redrive';
    let outage = true;
    const redriven = gate();
    beforeTask = async ({ stateName, input }) => {
      if (stateName !== 'Record access blocked' || !JSON.stringify(input).includes(user)) return;
      if (outage)
        throw Object.assign(new Error('The versions table is unavailable (injected by the test).'), {
          name: 'DynamoDB.InternalServerError',
        });
      await redriven.held;
    };
    const redrive = page.locator('[data-action="redrive"]');
    const stop = page.locator('[data-action="stop"]');

    try {
      // Act: the failed run's page.
      await blockUser(user);
      const arn = await openExecution(user, undefined, 'FAILED');

      // Assess: it opens on the state it failed in, selected in the graph with its details shown, and
      // the banner links to it.
      const failed = page.locator('[data-details="Record access blocked"]');
      await failed.waitFor(WAIT);
      expect(await failed.locator('[data-state-error]').textContent()).toBe('DynamoDB.InternalServerError');
      expect(await page.locator('svg.graph .selected').getAttribute('data-state')).toBe(
        'Record access blocked',
      );
      expect(await page.locator('svg.graph .selected').getAttribute('data-status')).toBe('failed');
      const link = page.locator('[data-banner] [data-show-state]');
      expect(await link.textContent()).toBe('Record access blocked');
      expect(await page.locator('[data-banner]').textContent()).toContain('Failed in state');
      // The link brings the failed state back after another was selected.
      await page.locator('[data-state="Emit User Blocked"]').click();
      await page.locator('[data-details="Emit User Blocked"]').waitFor(WAIT);
      await link.click();
      await failed.waitFor(WAIT);
      expect(await inGraphView('[data-state="Record access blocked"]')).toBe(true);

      // Assess: Redrive is offered, Stop is not, and no redrive has happened yet.
      expect(await page.locator('[data-banner] [data-error]').textContent()).toBe(
        'DynamoDB.InternalServerError',
      );
      expect(await redrive.isEnabled()).toBe(true);
      expect(await stop.isDisabled()).toBe(true);
      expect(await page.locator('[data-item="Redrive count"]').count()).toBe(0);
      await screenshot('redrive-failed');

      // A refused call is shown in the page: the runtime's own answer for an execution it does not know.
      await page.route(
        (url) => url.pathname === '/',
        (route) => {
          const request = route.request();
          if (request.headers()['x-amz-target'] !== 'AWSStepFunctions.RedriveExecution')
            return route.fallback();
          return route.continue({ postData: JSON.stringify({ executionArn: `${arn}-missing` }) });
        },
      );
      await redrive.click();
      const problem = page.locator('[data-problem]');
      await problem.waitFor(WAIT);
      expect(await problem.locator('[data-problem-type]').textContent()).toBe('ExecutionDoesNotExist');
      expect(await problem.textContent()).toContain('could not be redriven');
      await screenshot('redrive-refused');
      await page.unrouteAll();

      // Act: the table is back; Redrive, on a page that has stopped polling the ended execution.
      await connection(ENDED_STATUS).waitFor(WAIT);
      outage = false;
      await redrive.click();

      // Assess: RUNNING again (Stop offered, Redrive not, saying why), and the refusal is gone.
      await titleStatus('RUNNING').waitFor(WAIT);
      await page.locator('[data-action="stop"]:enabled').waitFor(WAIT);
      expect(await redrive.isDisabled()).toBe(true);
      expect(await redrive.getAttribute('title')).toContain('RUNNING');
      expect(await problem.count()).toBe(0);
      expect(await page.locator('[data-banner]').count()).toBe(0);
      await screenshot('redrive-running');

      // Act: the held Task goes on.
      redriven.release();

      // Assess: the new end, live: SUCCEEDED with one redrive, the history with its ExecutionRedriven, and
      // the graph coloured as that whole history says.
      await titleStatus('SUCCEEDED').waitFor(WAIT);
      await page.locator('[data-item="Redrive count"]').waitFor(WAIT);
      expect(await page.locator('[data-item="Redrive count"] dd').textContent()).toBe('1');
      const described = await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      expect([described.status, described.redriveCount]).toEqual(['SUCCEEDED', 1]);
      const events = await history(arn);
      await page.locator(`[data-history-id="${events.length}"]`).waitFor(WAIT);
      expect(await page.locator('[data-history-id]').count()).toBe(events.length);
      expect(events.map((e) => e.type)).toContain('ExecutionRedriven');
      const colours = await graphStatuses();
      expect(colours['Record access blocked']).toBe('succeeded');
      expect(colours['User blocked']).toBe('succeeded');
      const runs = stateRuns(events);
      for (const [name, status] of Object.entries(colours))
        expect([name, status]).toEqual([name, runs.get(name)?.status ?? 'not-reached']);
      expect(await page.locator('[data-banner]').count()).toBe(0);
      expect(await redrive.isDisabled()).toBe(true);
      expect(await stop.isDisabled()).toBe(true);
      await screenshot('redrive-succeeded');
    } finally {
      redriven.release();
      await page.unrouteAll();
    }
  });

  it('stops a running execution from its page once the user confirms', async () => {
    // Prepare: the run is held at its first Task until the test ends.
    const user = 'user-viewer-stop';
    const running = gate();
    beforeTask = async ({ input }) => {
      if (JSON.stringify(input).includes(user)) await running.held;
    };
    const stop = page.locator('[data-action="stop"]');
    const redrive = page.locator('[data-action="redrive"]');
    const dialogs: string[] = [];

    try {
      await blockUser(user);
      const arn = await openExecution(user, undefined, 'RUNNING');
      await connection('Live').waitFor(WAIT);
      expect(await stop.isEnabled()).toBe(true);
      expect(await redrive.isDisabled()).toBe(true);
      expect(await redrive.getAttribute('title')).toContain('RUNNING');
      await screenshot('stop-running');

      // Act: Stop, and cancel the confirmation.
      page.once('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await stop.click();

      // Assess: nothing was stopped.
      expect(dialogs).toHaveLength(1);
      expect(dialogs[0]).toContain('Stop execution');
      expect((await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
      expect(await stop.isEnabled()).toBe(true);

      // Act: Stop, and confirm.
      page.once('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });
      await stop.click();

      // Assess: ABORTED, with the console's banner; the stopped run can be redriven, not stopped again.
      await titleStatus('ABORTED').waitFor(WAIT);
      expect(dialogs).toHaveLength(2);
      expect((await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('ABORTED');
      expect(await page.locator('[data-banner] strong').textContent()).toBe('Execution aborted');
      await page.locator('[data-action="redrive"]:enabled').waitFor(WAIT);
      expect(await stop.isDisabled()).toBe(true);
      const events = await history(arn);
      expect(events.at(-1)?.type).toBe('ExecutionAborted');
      await page.locator(`[data-history-id="${events.length}"]`).waitFor(WAIT);
      await connection(ENDED_STATUS).waitFor(WAIT);
      await screenshot('stop-aborted');
    } finally {
      running.release();
    }
  });

  it('stops polling an ended execution once its end is shown', async () => {
    // Prepare
    const user = 'user-viewer-ended';
    await blockUser(user);
    const arn = await openExecution(user, undefined, 'SUCCEEDED');
    const events = await history(arn);

    // Act
    await connection(ENDED_STATUS).waitFor(WAIT);
    const asked = await requestsDuring(() => page.waitForTimeout(QUIET_MS));

    // Assess: the whole history is shown, and nothing more is asked for.
    expect(await page.locator('[data-history-id]').count()).toBe(events.length);
    expect(asked).toEqual([]);
  });

  it('says once that an execution does not exist, and stops asking for it', async () => {
    // Prepare: the name of no execution, and a hash that is not even an ARN.
    const missing = `arn:aws:states:us-east-1:000000000000:execution:${BUS}-kyc:no-such-execution`;

    for (const arn of [missing, 'not-an-arn']) {
      // Act
      await page.goto(`${runtime.url}/#/execution/${encodeURIComponent(arn)}`);
      const message = page.locator('[data-missing]');
      await message.waitFor(WAIT);
      await connection('the execution does not exist').waitFor(WAIT);
      const asked = await requestsDuring(() => page.waitForTimeout(QUIET_MS));

      // Assess: one message, no other alert, no more requests.
      expect(await message.locator('strong').textContent()).toBe(`Execution ${arn} does not exist`);
      expect((await page.locator('main').textContent())?.match(/does not exist/g)).toHaveLength(1);
      expect(await page.locator('[role="alert"]').count()).toBe(1);
      expect(asked).toEqual([]);
    }
    await screenshot('missing-execution');
  });

  it('shows every time with the offset of the browser time zone: list, summary and history', async () => {
    // Prepare: an execution, and browsers in zones with no offset, a half-hour one, and one west of UTC
    // (none of them with daylight saving time).
    const user = 'user-viewer-time-zone';
    await blockUser(user);
    const zones = [
      { timezoneId: 'UTC', offset: 0, label: 'UTC' },
      { timezoneId: 'Asia/Kolkata', offset: 330, label: 'UTC+05:30' },
      { timezoneId: 'America/Phoenix', offset: -420, label: 'UTC-07:00' },
    ];

    for (const zone of zones) {
      const context = await browser.newContext({
        timezoneId: zone.timezoneId,
        viewport: { width: 1400, height: 1000 },
      });
      try {
        const zoned = await context.newPage();
        zoned.on('pageerror', (error) => pageErrors.push(error.message));

        // Act: the home page's row, then the execution's page.
        await zoned.goto(`${runtime.url}/#/`);
        await zoned.locator('[data-filter="user"]').fill(user);
        const row = zoned.locator(`tr[data-user="${user}"][data-status="SUCCEEDED"]`);
        await row.waitFor(WAIT);
        const arn = (await row.getAttribute('data-execution')) as string;
        const listed = await times(zoned, `tr[data-user="${user}"]`);
        await row.locator('a').click();
        const events = await history(arn);
        await zoned.locator(`[data-history-id="${events.length}"]`).waitFor(WAIT);
        const summary = await times(zoned, '[data-part="summary"]');
        const historyTimes = await times(zoned, '[data-part="history"]');
        const all = await times(zoned, 'main');
        await screenshot(`time-zone-${zone.offset}`, true, zoned);

        // Assess: each time is the instant the API gave, in the browser's zone, labelled with its offset.
        const described = await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
        const start = described.startDate?.toISOString() as string;
        expect(listed).toEqual([{ datetime: start, text: shownAt(start, zone.offset, zone.label) }]);
        expect(summary.map((t) => t.datetime)).toEqual([start, described.stopDate?.toISOString()]);
        expect(historyTimes.map((t) => t.datetime)).toEqual(events.map((e) => e.timestamp?.toISOString()));
        for (const { datetime, text } of [...summary, ...historyTimes])
          expect(text).toBe(shownAt(datetime, zone.offset, zone.label));
        // The bus table shows the time of day: the same, without the date.
        for (const { datetime, text } of all)
          expect(shownAt(datetime, zone.offset, zone.label).endsWith(text)).toBe(true);
      } finally {
        await context.close();
      }
    }
  });
  it('shows a task waiting for its token with the time left, and sends its success from the page', async () => {
    // Prepare: a review that waits up to an hour for its token.
    const arn = await startReview('user-viewer-callback');
    const token = await waitingToken(arn);

    // Act: its page.
    await openArn(arn);

    // Assess: in progress, drawn waiting, counting down from an hour; the page opens on it.
    const box = page.locator('svg.graph [data-state="Wait for review"]');
    await page.locator('svg.graph [data-state="Wait for review"][data-waiting]').waitFor(WAIT);
    expect(await box.getAttribute('data-status')).toBe('in-progress');
    const label = box.locator('.waiting-label');
    expect(await label.textContent()).toMatch(/^waiting · (59 min \d+ s|1 h 0 min 0 s) left$/);
    const details = page.locator('[data-details="Wait for review"]');
    await details.waitFor(WAIT);
    expect(await details.locator('[data-status]').textContent()).toBe('In progress');
    expect(await details.locator('[data-waiting]').textContent()).toBe('Waiting for a callback');
    const left = details.locator('[data-item="TimeoutSeconds"] [data-deadline]');
    const first = (await left.textContent()) as string;
    expect(first).toMatch(/^(59 min \d+ s|1 h 0 min 0 s) left$/);
    expect(await details.locator('[data-item="TimeoutSeconds"]').textContent()).toContain('3600 s');
    expect(await page.locator('[data-waiting-banner] [data-show-state]').textContent()).toBe(
      'Wait for review',
    );
    // Live: the time left goes down while the page is open.
    await left.filter({ hasNotText: first }).waitFor({ timeout: 30_000 });

    // Assess: the form says it is the local runtime's, and holds the token the task sent.
    const form = details.locator('[data-callback]');
    expect(await form.locator('[data-local-only]').textContent()).toContain('Local runtime only');
    expect(await form.locator('[data-local-only]').textContent()).toContain('SendTaskSuccess');
    expect(await form.locator('[data-field="token"]').inputValue()).toBe(token);
    expect(await form.locator('[data-field="output"]').inputValue()).toBe('{}');
    await screenshot('callback-waiting');

    // Act: an output that is not JSON.
    const output = form.locator('[data-field="output"]');
    await output.fill('{"approved": tru');
    await form.locator('[data-send="success"] button').click();

    // Assess: not sent; the page says why, and the task still waits.
    await form.locator('[data-invalid]:visible').waitFor(WAIT);
    expect(await form.locator('[data-invalid]').textContent()).toContain('not JSON');
    expect((await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');

    // Act: a JSON output, typed across a few live updates of the page.
    await output.fill('{"approved": true,');
    await page.waitForTimeout(QUIET_MS);
    await output.press('End');
    await output.pressSequentially(' "reviewer": "viewer-test"}');
    expect(await output.inputValue()).toBe('{"approved": true, "reviewer": "viewer-test"}');
    await form.locator('[data-send="success"] button').click();

    // Assess: the execution moves on to its end, live, with that output.
    await titleStatus('SUCCEEDED').waitFor({ timeout: 30_000 });
    const described = await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toEqual({ approved: true, reviewer: 'viewer-test' });
    const colours = await graphStatuses();
    expect(colours).toEqual({ 'Wait for review': 'succeeded', Reviewed: 'succeeded' });
    expect(await page.locator('[data-waiting]').count()).toBe(0);
    expect(await page.locator('[data-callback]').count()).toBe(0);
    expect(await page.locator('[data-waiting-banner]').count()).toBe(0);
    await screenshot('callback-succeeded');
  });

  it('sends a task failure from the page, and shows a token the runtime refuses', async () => {
    // Prepare
    const arn = await startReview('user-viewer-callback-failure');
    const token = await waitingToken(arn);
    await openArn(arn);
    const details = page.locator('[data-details="Wait for review"]');
    const form = details.locator('[data-callback]');
    await form.waitFor(WAIT);

    // Act: a token no task waits for.
    await form.locator('[data-field="token"]').fill('no-such-token');
    await form.locator('[data-send="failure"] button').click();

    // Assess: the runtime's answer, in the state's details; the task still waits.
    const problem = details.locator('[data-problem]');
    await problem.waitFor(WAIT);
    expect(await problem.locator('[data-problem-type]').textContent()).toBe('TaskDoesNotExist');
    expect(await problem.textContent()).toContain('could not be sent');
    expect((await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    await screenshot('callback-refused');

    // Act: the task's own token, an error and a cause.
    await form.locator('[data-field="token"]').fill(token);
    await form.locator('[data-field="error"]').fill('Review.Declined');
    await form.locator('[data-field="cause"]').fill('The documents do not match.');
    await form.locator('[data-send="failure"] button').click();

    // Assess: the task failed with them, and so did the execution (no Catch), live.
    await titleStatus('FAILED').waitFor({ timeout: 30_000 });
    const described = await c.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect([described.status, described.error, described.cause]).toEqual([
      'FAILED',
      'Review.Declined',
      'The documents do not match.',
    ]);
    expect(await page.locator('[data-banner] [data-error]').textContent()).toBe('Review.Declined');
    await details.locator('[data-state-error]').waitFor(WAIT);
    expect(await details.locator('[data-state-error]').textContent()).toBe('Review.Declined');
    expect(await problem.count()).toBe(0);
    expect(await page.locator('[data-callback]').count()).toBe(0);
    const events = await history(arn);
    expect(events.map((e) => e.type)).toContain('TaskFailed');
    await screenshot('callback-failed');
  });
});
