import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { failedState, stateRuns } from '../../local/viewer/state-runs';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { BUS } from '../support/local';
import { clients, eventually, startRuntime } from '../support/runtime';

/*
 * The console's views of one execution, in Chromium: the table view of the states with a timeline that
 * shows each retry attempt and the backoff between them, the event view (paged, sorted, filtered, failures
 * in red), the state details' tabs, the state machine's definition, and copying an ARN. The run: an access
 * change whose emit fails on every attempt (fault injection), so it retries, is caught, and fails.
 * Screenshots of each view at 1440x900 and 1024x768 go to test-artifacts/ (ignored by git).
 */

const WAIT = { timeout: 30_000 };
const ACCESS_CHANGE = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`;
const EMIT = 'Emit User Blocked';

describe("the console's views of an execution whose emit was retried and failed", () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let executionArn: string;
  let events: HistoryEvent[];
  let definition: { States: Record<string, { Retry?: unknown[] }> };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Retry waits of 30 ms: long enough to show as backoff between attempts, short enough not to matter.
    runtime = await startRuntime({ retryDelayMs: 30 });
    const c = clients(runtime.url);
    const fault = await fetch(`${runtime.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorCode: 'InternalFailure', detailType: 'User Blocked' }),
    });
    expect(fault.status).toBe(200);
    await c.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'app.identity',
            DetailType: 'User Access Changed',
            Detail: JSON.stringify({ userId: 'user-views', version: 1, blocked: true }),
            EventBusName: BUS,
          },
        ],
      }),
    );
    executionArn = await eventually(async () => {
      const { executions = [] } = await c.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: ACCESS_CHANGE, statusFilter: 'FAILED' }),
      );
      return executions[0]?.executionArn;
    });
    events =
      (await c.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    definition = JSON.parse(
      (await c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ACCESS_CHANGE }))).definition ??
        '{}',
    );
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: runtime.url });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${runtime.url}/#/execution/${encodeURIComponent(executionArn)}`);
    await page.locator(`[data-history-id="${events.length}"]`).waitFor(WAIT);
  });
  afterAll(async () => {
    console.log(`Screenshots of the viewer are in ${ARTIFACTS}`);
    await browser?.close();
    await runtime?.stop();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  async function screenshots(name: string): Promise<void> {
    for (const [width, height] of [
      [1440, 900],
      [1024, 768],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({
        path: join(ARTIFACTS, `viewer-${name}-${width}x${height}.png`),
        fullPage: true,
      });
      // Nothing makes the page scroll sideways: wide parts scroll inside their own panes.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  it('opens on the failed state, which the error banner links to', async () => {
    // Assess
    const failed = failedState(events, stateRuns(events)) as string;
    await page.locator(`[data-details="${failed}"]`).waitFor(WAIT);
    expect(await page.locator('[data-banner] [data-show-state]').textContent()).toBe(failed);
    await screenshots('views-graph');
  });

  it('lists the states in a table, with one timeline segment per attempt and the backoff between', async () => {
    // Act
    await page.locator('[data-view="table"]').click();
    const table = page.locator('[data-states-table]');
    await table.waitFor(WAIT);
    await screenshots('views-table');

    // Assess: a row per state the run entered, in the order it entered them.
    const runs = stateRuns(events);
    const names = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state-row')));
    expect(new Set(names)).toEqual(new Set(runs.keys()));
    const emit = table.locator(`tr[data-state-row="${EMIT}"]`);
    const attempts = runs.get(EMIT)?.attempts.length ?? 0;
    expect(attempts).toBeGreaterThan(1);
    expect(await emit.locator('td').nth(1).textContent()).toBe('Task');
    expect(await emit.locator('td').nth(3).textContent()).toContain('events:putEvents');
    expect(await emit.locator('[data-segment="attempt"]').count()).toBe(attempts);
    expect(await emit.locator('[data-segment="backoff"]').count()).toBe(attempts - 1);
    expect(await emit.locator('.segment-failed').count()).toBe(attempts);

    // A name in the table selects its state, as a box in the graph does.
    await emit.locator('[data-select-state]').click();
    await page.locator(`[data-details="${EMIT}"]`).waitFor(WAIT);
    await page.locator('[data-view="graph"]').click();
  });

  it('filters the event view by type and by state, sorts it both ways, and shows failures in red', async () => {
    // Act: failures only.
    const view = page.locator('[data-part="history"]');
    await view.locator('[data-events-filter="type"]').selectOption('TaskFailed');
    const shownIds = () =>
      view
        .locator('[data-history-id]')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-history-id'))));
    const failures = events.filter((e) => e.type === 'TaskFailed').map((e) => e.id);
    await view
      .locator('[data-events-count]', { hasText: `${failures.length} of ${events.length}` })
      .waitFor(WAIT);
    await screenshots('views-events-failures');

    // Assess
    expect(await shownIds()).toEqual(failures);
    expect(await view.locator('tr.failure').count()).toBe(failures.length);
    expect(await view.locator('tr.failure td.error-text').count()).toBe(failures.length);

    // Act: newest first.
    await view.locator('[data-events-sort]').click();
    expect(await shownIds()).toEqual([...failures].reverse());

    // Act: every event of one state, whatever its type.
    await view.locator('[data-events-filter="type"]').selectOption('');
    await view.locator('[data-events-filter="state"]').selectOption(EMIT);
    const own = [...(stateRuns(events).get(EMIT)?.eventIds ?? [])].reverse();
    await view.locator('[data-events-count]', { hasText: `${own.length} of ${events.length}` }).waitFor(WAIT);
    expect(await shownIds()).toEqual(own);
    await view.locator('[data-events-sort]').click();
    await view.locator('[data-events-filter="state"]').selectOption('');
  });

  it("shows a state's details under the console's tabs", async () => {
    // Prepare
    const details = page.locator(`[data-details="${EMIT}"]`);
    // A click on a selected state's box deselects it: click only if another state is selected.
    if (!(await details.isVisible())) await page.locator(`[data-state="${EMIT}"]`).click();
    await details.waitFor(WAIT);
    const tab = async (name: string) => {
      await details.locator(`[data-details-tab="${name}"]`).click();
      const panel = page.locator(`[data-details="${EMIT}"] [data-details-panel="${name}"]`);
      await panel.and(page.locator(':visible')).waitFor(WAIT);
      return panel;
    };

    // Act / Assess: input and output (the advanced view has a test of its own below).
    const io = await tab('io');
    expect(await io.locator('h4').allTextContents()).toEqual(['Input', 'Output']);

    // Details: type and resource.
    const about = await tab('details');
    expect(await about.locator('[data-detail="Type"] dd').textContent()).toBe('Task');
    expect(await about.locator('[data-detail="Resource"] dd').textContent()).toBe(
      'arn:aws:states:::events:putEvents',
    );

    // Definition: the state's own ASL.
    const asl = await tab('definition');
    expect(JSON.parse((await asl.locator('[data-state-definition]').textContent()) ?? '')).toEqual(
      definition.States[EMIT],
    );

    // Retries: a row per retrier of its Retry, and its attempts.
    const retries = await tab('retries');
    expect(await retries.locator('[data-retriers] tbody tr').count()).toBe(
      definition.States[EMIT]?.Retry?.length,
    );
    expect(await retries.locator('[data-attempts] tbody tr').count()).toBe(
      stateRuns(events).get(EMIT)?.attempts.length,
    );
    await screenshots('views-details-retries');

    // Events: its own, with a link to them in the event view.
    const own = await tab('events');
    expect(await own.locator('[data-state-events] tbody tr').count()).toBe(
      stateRuns(events).get(EMIT)?.eventIds.length,
    );
    await own.locator('[data-events-of]').click();
    await expect(page.locator('[data-events-filter="state"]').inputValue()).resolves.toBe(EMIT);
    await page.locator('[data-events-filter="state"]').selectOption('');
    await tab('io');
  });

  /*
   * The console's "Advanced view" of a state's input and output (developer guide, "Input and output
   * processing": InputPath, then Parameters; ResultSelector, then ResultPath, then OutputPath), each
   * stage with the JSON after it. The caught emit ends at its Catch's ResultPath; the claim succeeded.
   */
  it("works out a Task's input and output processing step by step in the advanced view", async () => {
    const cases = [
      {
        name: EMIT,
        stages: [
          'State input',
          'After InputPath',
          'After Parameters (what the task was called with)',
          'Error output (EventBridge.FailedEntry)',
          "After the Catch's ResultPath (the state output)",
        ],
      },
      {
        name: 'Claim version',
        stages: [
          'State input',
          'After InputPath',
          'After Parameters (what the task was called with)',
          'Task result',
          'After ResultSelector',
          'After ResultPath (the result placed into the state input)',
          'After OutputPath (the state output)',
        ],
      },
    ];
    for (const { name, stages } of cases) {
      // Prepare: the state selected, on its Input and output tab.
      const details = page.locator(`[data-details="${name}"]`);
      if (!(await details.isVisible())) await page.locator(`[data-state="${name}"]`).click();
      await details.waitFor(WAIT);
      await details.locator('[data-details-tab="io"]').click();
      const io = details.locator('[data-details-panel="io"]');
      const entered = events.findLast((e) => e.stateEnteredEventDetails?.name === name);
      const exited = events.findLast((e) => e.stateExitedEventDetails?.name === name);
      const scheduled = events.findLast(
        (e) =>
          e.type === 'TaskScheduled' && (e.id ?? 0) > (entered?.id ?? 0) && (e.id ?? 0) < (exited?.id ?? 0),
      );

      // Act: switch to the advanced view (it stays open from state to state, as the tab does).
      if ((await io.locator('[data-advanced]').getAttribute('open')) === null)
        await io.locator('[data-advanced] summary').click();
      const list = io.locator('[data-stages]');
      await list.waitFor(WAIT);
      const stage = (label: string) => list.locator(`li[data-stage="${label}"]`);
      const jsonAfter = async (label: string) =>
        JSON.parse((await stage(label).locator('[data-stage-value]').textContent()) ?? '');
      await screenshots(`views-details-io-advanced-${name === EMIT ? 'caught' : 'succeeded'}`);

      // Assess: the stages in order, each with its field from the definition and the JSON after it.
      expect(
        await list
          .locator(':scope > li')
          .evaluateAll((items) => items.map((i) => i.getAttribute('data-stage'))),
      ).toEqual(stages);
      expect(await jsonAfter('State input')).toEqual(
        JSON.parse(entered?.stateEnteredEventDetails?.input ?? ''),
      );
      // Parameters, recomputed from the state input, are what the history says the task was called with.
      const parameters = stage('After Parameters (what the task was called with)');
      expect(await parameters.getAttribute('data-stage-status')).toBe('computed');
      expect(await parameters.locator('[data-processing="Parameters"] .json-key').count()).toBeGreaterThan(0);
      expect(await jsonAfter('After Parameters (what the task was called with)')).toEqual(
        JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? ''),
      );
      expect(await parameters.locator('[data-stage-recorded]').count()).toBe(0);
      // The last stage is the state output, as the history recorded it.
      expect(await jsonAfter(stages.at(-1) as string)).toEqual(
        JSON.parse(exited?.stateExitedEventDetails?.output ?? ''),
      );
      await io.locator('[data-verdict="equal"]').waitFor(WAIT);
    }
    // The error the Catch placed is the last attempt's, and the claim's ResultPath null kept the input.
    const emitFailure = events.findLast(
      (e) =>
        e.type === 'TaskFailed' &&
        (e.id ?? 0) < (events.findLast((x) => x.stateExitedEventDetails?.name === EMIT)?.id ?? 0),
    );
    await page.locator(`[data-state="${EMIT}"]`).click();
    const error = page.locator(
      `[data-details="${EMIT}"] li[data-stage="Error output (EventBridge.FailedEntry)"] [data-stage-value]`,
    );
    expect(JSON.parse((await error.textContent()) ?? '')).toEqual({
      Error: emitFailure?.taskFailedEventDetails?.error,
      Cause: emitFailure?.taskFailedEventDetails?.cause,
    });
  });

  it('starts a new execution from an execution, its input pre-filled to edit', async () => {
    // Prepare
    const c = clients(runtime.url);
    const original = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const edited = JSON.parse(original.input ?? '{}');
    edited.detail.userId = 'user-views-again';

    // Act: the page's New execution, an input that is not JSON, then the edited one.
    await page.locator('[data-new-execution]').click();
    const form = page.locator('[data-new-execution]');
    const input = form.locator('[data-field="input"]');
    await form.locator('[data-part="source"]', { hasText: 'the input of' }).waitFor(WAIT);
    const prefilled = JSON.parse(await input.inputValue());
    await input.fill('{"not json"');
    await form.locator('[data-start]').click();
    await form.locator('.banner-error').waitFor(WAIT);
    await screenshots('views-new-execution');
    await form.locator('[data-field="name"]').fill('started-from-the-viewer');
    await input.fill(JSON.stringify(edited, null, 2));
    await form.locator('[data-start]').click();
    await page.locator('h1', { hasText: 'started-from-the-viewer' }).waitFor(WAIT);
    const started = await c.sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArn.replace(/[^:]+$/, 'started-from-the-viewer'),
      }),
    );

    // Assess
    expect(prefilled).toEqual(JSON.parse(original.input ?? ''));
    expect(JSON.parse(started.input ?? '')).toEqual(edited);

    // Act: opened for the state machine, its newest execution's input pre-fills the form.
    await page.goto(`${runtime.url}/#/start/${encodeURIComponent(ACCESS_CHANGE)}`);
    await form
      .locator('[data-part="source"]', { hasText: 'the input of started-from-the-viewer' })
      .waitFor(WAIT);
    const newest = JSON.parse(await input.inputValue());
    // The same name with another input is AWS's ExecutionAlreadyExists (the same input, while that
    // execution runs, would be an idempotent start), shown on the form, which keeps what was typed.
    await form.locator('[data-field="name"]').fill('started-from-the-viewer');
    await input.fill(JSON.stringify({ ...edited, version: 2 }));
    await form.locator('[data-start]').click();
    await form.locator('.banner-error', { hasText: 'ExecutionAlreadyExists' }).waitFor(WAIT);

    // Assess
    expect(newest).toEqual(edited);
    expect(JSON.parse(await input.inputValue())).toEqual({ ...edited, version: 2 });
    await page.goto(`${runtime.url}/#/execution/${encodeURIComponent(executionArn)}`);
    await page.locator(`[data-history-id="${events.length}"]`).waitFor(WAIT);
  });

  it('pans the graph by dragging, zooms it with the wheel, shows it full screen and exports it', async () => {
    // Prepare: the graph zoomed in past 100% (it fits its pane at 100%), so that it is wider than its
    // pane and there is room to pan.
    await page.locator('[data-zoom="1"]').click();
    for (let i = 0; i < 3; i++) await page.locator('[data-zoom="in"]').click();
    const pane = page.locator('[data-part="graph"]');
    // The pane's top at the top of the window, so that the middle of what it shows is on screen.
    await pane.evaluate((p) => p.scrollIntoView());
    const box = (await pane.boundingBox()) as { x: number; y: number; width: number; height: number };
    const scroll = () => pane.evaluate((p) => ({ left: p.scrollLeft, top: p.scrollTop }));
    const width = async () => (await page.locator('svg.graph').boundingBox())?.width ?? 0;
    const selected = () => page.locator('svg.graph .selected').getAttribute('data-state');
    const selectedBefore = await selected();

    // Act: drag left by 120 px from the middle of the pane.
    await pane.evaluate((p) => {
      p.scrollLeft = 0;
      p.scrollTop = 0;
    });
    const middle = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(middle.x, middle.y);
    await page.mouse.down();
    await page.mouse.move(middle.x - 60, middle.y, { steps: 4 });
    await page.mouse.move(middle.x - 120, middle.y, { steps: 4 });
    await page.mouse.up();
    const panned = await scroll();

    // Act: the wheel, up, over the pane.
    const before = await width();
    await page.mouse.wheel(0, -400);
    // A string, evaluated in the page: the tests are compiled without the DOM's types.
    await page.waitForFunction(
      `(document.querySelector('svg.graph')?.getBoundingClientRect().width ?? 0) > ${before}`,
    );
    const zoomed = await width();

    // Act: the downloads.
    const [svgDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-graph="svg"]').click(),
    ]);
    const [pngDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-graph="png"]').click(),
    ]);
    const svg = readFileSync((await svgDownload.path()) as string, 'utf8');
    const png = readFileSync((await pngDownload.path()) as string);

    // Act: full screen, and back.
    await page.locator('[data-graph="fullscreen"]').click();
    await page.waitForFunction('document.fullscreenElement?.classList.contains("graph-pane") === true');
    await screenshots('views-graph-fullscreen');
    await page.locator('[data-graph="fullscreen"]').click();
    await page.waitForFunction('document.fullscreenElement === null');

    // Assess
    expect(panned.left).toBeGreaterThan(100);
    expect(await selected()).toBe(selectedBefore);
    expect(zoomed).toBeGreaterThan(before);
    expect(svgDownload.suggestedFilename()).toMatch(/-graph\.svg$/);
    expect(svg).toContain('<svg');
    expect(svg).toContain(EMIT);
    expect(svg).toMatch(/style="fill: rgb/);
    expect(pngDownload.suggestedFilename()).toMatch(/-graph\.png$/);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await page.locator('[data-zoom="fit"]').click();
  });

  it("shows the state machine's definition, highlighted, and copies ARNs", async () => {
    // Act
    await page.locator('[data-part="definition-panel"] summary').click();
    const asl = page.locator('[data-definition]');
    await asl.waitFor(WAIT);
    await screenshots('views-definition');
    await page.locator('[data-item="Execution ARN"] button[data-copy]').click();
    await page.locator('[data-item="Execution ARN"] button[data-copy]', { hasText: 'Copied' }).waitFor(WAIT);

    // Assess
    expect(JSON.parse((await asl.textContent()) ?? '')).toEqual(definition);
    expect(await asl.locator('.json-key').count()).toBeGreaterThan(10);
    // A string, evaluated in the page: the tests are compiled without the DOM's types.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(executionArn);
  });
});
