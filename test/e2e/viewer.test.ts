import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { stateRuns } from '../../local/viewer/state-runs';
import { BUS } from '../support/local';
import { clients, startRuntime } from '../support/runtime';

/*
 * The execution viewer in a real browser: Debian's Chromium (installed by .ci/run) driven by playwright-core,
 * against the runtime in-process. Screenshots of each step go to test-artifacts/; with UPDATE_SCREENSHOTS=1
 * the execution page of the approved run is also written to docs/execution-view.png for the README.
 */

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const README_SCREENSHOT = join(ROOT, 'docs', 'execution-view.png');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Without the background-networking flags Chromium's own connections fail on a closed network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const KYC = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-kyc`;
const WAIT = { timeout: 10_000 };

describe('the execution viewer in Chromium', () => {
  let runtime: LocalRuntime;
  let c: ReturnType<typeof clients>;
  let browser: Browser;
  let page: Page;
  /** Uncaught errors in the page: any makes the test fail. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    runtime = await startRuntime();
    c = clients(runtime.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });
  afterEach(async () => {
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

  function screenshot(name: string, fullPage = true): Promise<Buffer> {
    return page.screenshot({ path: join(ARTIFACTS, `viewer-${name}.png`), fullPage });
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
    // The KYC graph is wider than its pane at a readable size: it opens at the least readable zoom
    // (not shrunk to fit), with the Start marker and the main path in view.
    expect(await graphZoom()).toBeCloseTo(0.65, 2);
    expect(await inGraphView('[data-marker="Start"]')).toBe(true);
    expect(await inGraphView('[data-state="Decide"]')).toBe(true);

    // A state selected (as the README's screenshot shows it), then zoomed in around it.
    await page.locator('[data-state="Assess risk"]').click();
    await page.locator('[data-details="Assess risk"]').waitFor(WAIT);
    expect(await page.locator('[data-details="Assess risk"]').textContent()).toContain('riskScore');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true });
      await page.setViewportSize({ width: 1400, height: 1300 });
      await page.screenshot({ path: README_SCREENSHOT });
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
    const fitWidth = (await page.locator('svg.graph').boundingBox())?.width ?? 0;
    for (let i = 0; i < 3; i++) await page.locator('[data-zoom="in"]').click();
    expect((await page.locator('svg.graph').boundingBox())?.width).toBeGreaterThan(fitWidth * 1.9);
    expect(await inGraphView('[data-state="Assess risk"]')).toBe(true);
    await screenshot('approved-execution-zoomed', false);
    // Fit shows the whole width, however small that makes it.
    await page.locator('[data-zoom="fit"]').click();
    expect(await graphZoom()).toBeLessThan(0.65);
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

    // Assess: the banner, the caught emit with each attempt, and the Fail state it led to.
    expect(await page.locator('[data-banner] [data-error]').textContent()).toBe('EventUndelivered');
    expect(colours['Emit User Blocked']).toBe('caught');
    expect(colours['Event not delivered']).toBe('failed');

    await page.locator('[data-state="Emit User Blocked"]').click();
    const emit = page.locator('[data-details="Emit User Blocked"]');
    await emit.waitFor(WAIT);
    expect(await emit.locator('[data-state-error]').textContent()).toBe('EventBridge.FailedEntry');
    expect(await emit.locator('[data-state-cause]').textContent()).toContain('InternalFailure');
    const failedAttempts = events.filter((e) => e.type === 'TaskFailed').length;
    expect(failedAttempts).toBeGreaterThan(1);
    expect(await emit.locator('[data-attempts] tbody tr').count()).toBe(failedAttempts);
    await screenshot('failed-execution-emit');

    await page.locator('[data-state="Event not delivered"]').click();
    const fail = page.locator('[data-details="Event not delivered"]');
    await fail.waitFor(WAIT);
    expect(await fail.locator('[data-state-error]').textContent()).toBe('EventUndelivered');
    await screenshot('failed-execution-fail-state');

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
    await openExecution(user, KYC, 'FAILED');
    const colours = await graphStatuses();

    // Assess: at the least readable zoom, scrolled down to the Fail state, which is not near Start.
    expect(colours['Event not delivered']).toBe('failed');
    expect(await graphZoom()).toBeCloseTo(0.65, 2);
    expect(await inGraphView('[data-state="Event not delivered"]')).toBe(true);
    expect(await inGraphView('[data-marker="Start"]')).toBe(false);
    await screenshot('failed-kyc-execution');
  });
});
