import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { ExecutionJournal } from '../../local/stepfunctions/journal/store';
import { type FixtureExecution, journalExecution } from '../local/viewer/journal-fixture';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { BUS } from '../support/local';
import { startRuntime } from '../support/runtime';

/*
 * The executions list at scale: a data directory holding 100,000 executions (written through the journal,
 * not run), and the home page in Chromium. What must hold is counted, never timed: the requests the page
 * makes, and the rows each answer carries. Screenshots go to test-artifacts/ (ignored by git).
 */

const WAIT = { timeout: 30_000 };
const machineArn = (workflow: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-${workflow}`;
const KYC = machineArn('kyc');
const ONBOARDING = machineArn('onboarding');

const COUNT = 100_000;
/** One execution a second, the newest a minute ago (well inside the 90 days the journal keeps). */
const NEWEST_START = Date.now() - 60_000;
const startOf = (i: number) => NEWEST_START - (COUNT - 1 - i) * 1000;
/** Ended executions only: a running one would be resumed by the runtime, and these have no states to run. */
function fixture(i: number): FixtureExecution {
  return {
    stateMachineArn: i % 4 === 0 ? ONBOARDING : KYC,
    name: `run-${String(i).padStart(6, '0')}`,
    userId: `user-${i % 5000}`,
    startMs: startOf(i),
    status: i % 10 === 0 ? 'FAILED' : 'SUCCEEDED',
  };
}
/** The page size the home page asks for. */
const PAGE_SIZE = 50;

describe('the executions list with 100,000 executions in the data directory', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every request the page made to the runtime: its X-Amz-Target or path. */
  const requests: string[] = [];
  /** The number of rows in each answer of `/_local/executions`. */
  const rowsPerAnswer: number[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'viewer-scale-'));
    const journal = new ExecutionJournal(dataDir);
    try {
      // One transaction per 10,000: a commit each would take minutes on a loaded machine.
      for (let from = 0; from < COUNT; from += 10_000)
        journal.batch(() => {
          for (let i = from; i < from + 10_000; i++) journalExecution(journal, fixture(i));
        });
    } finally {
      journal.close();
    }
    runtime = await startRuntime({ dataDir });
    browser = await launchChromium();
    context = await browser.newContext({ timezoneId: 'UTC', viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (request.url().startsWith(runtime.url))
        requests.push(request.headers()['x-amz-target'] ?? new URL(request.url()).pathname);
    });
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname !== '/_local/executions' || !response.ok()) return;
      const body = (await response.json()) as { executions: unknown[] };
      rowsPerAnswer.push(body.executions.length);
    });
  });
  afterAll(async () => {
    console.log(`Screenshots of the viewer are in ${ARTIFACTS}`);
    await browser?.close();
    await runtime?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  /** A fresh load of the home page (no filter kept from the previous test), once its newest row shows. */
  async function openHome(): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${runtime.url}/#/`);
    await firstRowIs(fixture(COUNT - 1).name);
  }

  /** The names of the rows the list shows, top to bottom. */
  function shownNames(): Promise<string[]> {
    return page.locator('[data-executions] tbody tr td:first-child').allTextContents();
  }

  /** Waits until the list's first row is `name` (the answer to the latest filter or page has been drawn). */
  async function firstRowIs(name: string): Promise<void> {
    await page
      .locator('[data-executions] tbody tr:first-child td:first-child', { hasText: name })
      .waitFor(WAIT);
  }

  async function screenshots(name: string): Promise<void> {
    for (const [width, height] of [
      [1440, 900],
      [1024, 768],
    ] as const) {
      await page.setViewportSize({ width, height });
      const path = join(ARTIFACTS, `viewer-${name}-${width}x${height}.png`);
      await page.screenshot({ path, fullPage: false });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  it('loads one page of the newest executions in one request per refresh, never describing any', async () => {
    // Act: the home page, then a few polls of it.
    await openHome();
    const isApiCall = (r: string) => r.startsWith('AWSStepFunctions.') || r.startsWith('/_local/');
    const firstLoad = requests.filter(isApiCall);
    // Three more refreshes (two requests each), however long the machine takes to get there.
    const polls = requests.length + 3 * 2;
    while (requests.length < polls) await page.waitForTimeout(250);
    await screenshots('executions-100k');

    // Assess: the first load is the state machines and one page of rows; each poll asks the same again.
    expect(firstLoad).toEqual(['AWSStepFunctions.ListStateMachines', '/_local/executions']);
    const apiCalls = requests.filter(isApiCall);
    expect(new Set(apiCalls)).toEqual(new Set(['AWSStepFunctions.ListStateMachines', '/_local/executions']));
    expect(apiCalls.filter((r) => r === '/_local/executions').length).toBe(
      apiCalls.filter((r) => r === 'AWSStepFunctions.ListStateMachines').length,
    );
    expect(rowsPerAnswer.every((rows) => rows === PAGE_SIZE)).toBe(true);
    expect(await shownNames()).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, k) => fixture(COUNT - 1 - k).name),
    );
    // The state machines' counts are of all 100,000, not of the page.
    const totals = await page.locator('[data-part="machines"] tbody [data-total]').allTextContents();
    expect(totals.map(Number).reduce((sum, n) => sum + n, 0)).toBe(COUNT);
  });

  it('pages to older executions and back, one request a page', async () => {
    // Prepare
    await openHome();

    // Act
    await page.locator('button[data-page="older"]').click();
    await firstRowIs(fixture(COUNT - 1 - PAGE_SIZE).name);
    const second = await shownNames();
    await page.locator('button[data-page="older"]').click();
    await firstRowIs(fixture(COUNT - 1 - 2 * PAGE_SIZE).name);
    await screenshots('executions-page-3');
    await page.locator('button[data-page="newer"]').click();
    await firstRowIs(fixture(COUNT - 1 - PAGE_SIZE).name);

    // Assess
    expect(second).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, k) => fixture(COUNT - 1 - PAGE_SIZE - k).name),
    );
    expect(await page.locator('[data-part="range"]').textContent()).toContain(
      `${PAGE_SIZE + 1} to ${2 * PAGE_SIZE}`,
    );
  });

  it('finds an execution by a part of its name among 100,000', async () => {
    // Prepare
    await openHome();
    const wanted = fixture(12_345);

    // Act
    await page.locator('[data-filter="name"]').fill('RUN-012345');
    await page.locator(`tr[data-execution$=":${wanted.name}"]`).waitFor(WAIT);
    await screenshots('executions-search');

    // Assess
    expect(await shownNames()).toEqual([wanted.name]);
    expect(await page.locator('button[data-page]').count()).toBe(0);
    await page.locator('[data-filter="name"]').fill('');
  });

  it('filters by status, state machine and start date range together', async () => {
    // Prepare: from the start of execution 50,000 (inclusive) to that of 50,200 (exclusive), in UTC, the
    // page's time zone here.
    await openHome();
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const inRange = Array.from({ length: 200 }, (_, k) => fixture(50_000 + k)).filter(
      (e) => e.status === 'FAILED' && e.stateMachineArn === KYC,
    );

    // Act
    await page.locator('[data-filter="status"]').selectOption('FAILED');
    await page.locator('[data-filter="machine"]').selectOption(KYC);
    await page.locator('[data-filter="from"]').fill(local(startOf(50_000)));
    await page.locator('[data-filter="to"]').fill(local(startOf(50_200)));
    await firstRowIs((inRange.at(-1) as FixtureExecution).name);
    await screenshots('executions-filtered');

    // Assess
    expect(await shownNames()).toEqual(inRange.map((e) => e.name).reverse());
    const statuses = await page
      .locator('[data-executions] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(new Set(statuses)).toEqual(new Set(['FAILED']));
  });

  describe('its endpoint answers bad requests as AWS would', () => {
    async function post(
      body: string,
    ): Promise<{ status: number; body: { __type?: string; message?: string } }> {
      const response = await fetch(`${runtime.url}/_local/executions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      return { status: response.status, body: (await response.json()) as { __type?: string } };
    }

    // The errors are ListExecutions' own, whose members this endpoint keeps: InvalidToken ("Using an
    // expired pagination token will return an HTTP 400 InvalidToken error", the ListExecutions reference as
    // AWS Tools for PowerShell ships it, powershellgallery.com AWS.Tools.StepFunctions Get-SFNExecutionList)
    // and ValidationException (the SDKs' ListExecutionsError, e.g. docs.rs rusoto_stepfunctions
    // ListExecutionsError); a member of the wrong JSON type is the JSON protocol's SerializationException,
    // with the messages local/api/shapes.ts and states.ts already give for ListExecutions itself.
    it.each([
      ['a member of the wrong JSON type', '{"maxResults": "ten"}', 'SerializationException', /maxResults/],
      ['a status that is not one', '{"statusFilter": "DONE"}', 'ValidationException', /enum value set/],
      ['a page size over 100', '{"maxResults": 101}', 'ValidationException', /between 1 and 100/],
      ['a token it did not issue', '{"nextToken": "forged"}', 'InvalidToken', /forged/],
      ['a body that is not JSON', '{', 'SerializationException', /JSON/],
      ['a date that is not one', '{"startedAfter": "yesterday"}', 'ValidationException', /startedAfter/],
    ])('%s', async (_, body, type, message) => {
      // Act
      const answer = await post(body);

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body.__type).toBe(type);
      expect(answer.body.message).toMatch(message);
    });

    it("refuses a page of one list with another list's token", async () => {
      // Prepare
      const first = await fetch(`${runtime.url}/_local/executions`, {
        method: 'POST',
        body: '{"maxResults": 10}',
      });
      const { nextToken } = (await first.json()) as { nextToken: string };

      // Act
      const answer = await post(JSON.stringify({ maxResults: 10, statusFilter: 'FAILED', nextToken }));

      // Assess
      expect(answer.body.__type).toBe('InvalidToken');
    });
  });
});
