import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { graphPaneWidth, MIN_LABEL_PX, READABLE_ZOOM } from '../../local/viewer/graph';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { BUS } from '../support/local';
import { clients, eventually, startRuntime } from '../support/runtime';

/*
 * The graph of every workflow of the app, read at a glance in Chromium: at 1440x900 the execution page
 * opens each graph whole across its pane (no sideways scroll) with state names at least 11 px on screen,
 * and Fit keeps them so. Screenshots of each at 1440x900 and 1024x768 go to test-artifacts/.
 */

const ROOT = join(__dirname, '..', '..');
const WAIT = { timeout: 30_000 };
const WORKFLOWS = ['kyc', 'onboarding', 'access-change'] as const;
const machineArn = (workflow: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-${workflow}`;

/** What the graph's pane shows: its size, how far it scrolls, and how big the drawing's state names are. */
interface PaneMeasure {
  /** The page's width: the window less the page's own scroll bar (headless Chromium shows none). */
  readonly pageWidth: number;
  readonly clientWidth: number;
  readonly scrollWidth: number;
  readonly zoom: number;
  /** The font size of each state's name, in the drawing's own units (before the zoom). */
  readonly fontSizes: readonly number[];
  /** The drawing's left and right edges, relative to the pane's inside. */
  readonly left: number;
  readonly right: number;
}

function measure(page: Page): Promise<PaneMeasure> {
  return page.locator('[data-part="graph"]').evaluate((pane) => {
    const svg = pane.querySelector('svg.graph');
    if (!svg) throw new Error('The graph pane has no drawing.');
    const box = svg.getBoundingClientRect();
    const [, , drawn = 1] = (svg.getAttribute('viewBox') ?? '').split(' ').map(Number);
    const view = pane.getBoundingClientRect();
    const inside = view.left + pane.clientLeft;
    return {
      pageWidth: pane.ownerDocument.documentElement.clientWidth,
      clientWidth: pane.clientWidth,
      scrollWidth: pane.scrollWidth,
      zoom: box.width / drawn,
      fontSizes: [...svg.querySelectorAll('[data-state] text')].map((t) =>
        Number.parseFloat(pane.ownerDocument.defaultView?.getComputedStyle(t).fontSize ?? ''),
      ),
      left: box.left - inside,
      right: box.right - inside,
    };
  });
}

describe('the graph of each workflow at a glance', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const executions = new Map<string, string>();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    runtime = await startRuntime();
    const c = clients(runtime.url);
    // An approved KYC run (whose Account Approved starts onboarding) and a blocked user.
    const samples = ['account-requested-approved.json', 'user-blocked.json'].flatMap(
      (file) =>
        JSON.parse(readFileSync(join(ROOT, 'events', 'samples', file), 'utf8')) as PutEventsRequestEntry[],
    );
    const put = await c.events.send(new PutEventsCommand({ Entries: samples }));
    expect(put.FailedEntryCount).toBe(0);
    for (const workflow of WORKFLOWS)
      executions.set(
        workflow,
        await eventually(async () => {
          const { executions: listed = [] } = await c.sfn.send(
            new ListExecutionsCommand({ stateMachineArn: machineArn(workflow), statusFilter: 'SUCCEEDED' }),
          );
          return listed[0]?.executionArn;
        }),
      );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    console.log(`Screenshots of the graphs are in ${ARTIFACTS}`);
    await browser?.close();
    await runtime?.stop();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  async function open(workflow: string): Promise<void> {
    await page.goto(`${runtime.url}/#/execution/${encodeURIComponent(executions.get(workflow) ?? '')}`);
    await page.locator('svg.graph [data-state]').first().waitFor(WAIT);
    await page.locator('[data-history-id]').first().waitFor(WAIT);
  }

  /** The whole width of the drawing in the pane, no sideways scroll, and state names at least 11 px. */
  function expectReadableAndWhole(name: string, m: PaneMeasure): void {
    expect([name, m.scrollWidth]).toEqual([name, m.clientWidth]);
    expect(m.left).toBeGreaterThanOrEqual(-0.5);
    expect(m.right).toBeLessThanOrEqual(m.clientWidth + 0.5);
    expect(m.fontSizes.length).toBeGreaterThan(5);
    for (const size of m.fontSizes)
      expect([name, size * m.zoom >= MIN_LABEL_PX - 0.01]).toEqual([name, true]);
  }

  it.each(WORKFLOWS)(
    'opens the %s graph whole across its pane at 1440x900, names at least 11 px',
    async (workflow) => {
      // Act
      await page.setViewportSize({ width: 1440, height: 900 });
      await open(workflow);
      const opened = await measure(page);

      // Assess: the pane is as wide as the layout was made to fit (graphPaneWidth), and all of it shows.
      expect(opened.clientWidth).toBe(graphPaneWidth(opened.pageWidth, 1440));
      expectReadableAndWhole(workflow, opened);
      await page.screenshot({ path: join(ARTIFACTS, `viewer-graph-${workflow}-1440x900.png`) });

      // Act: zoomed in, then Fit.
      await page.locator('[data-zoom="in"]').click();
      expect((await measure(page)).zoom).toBeGreaterThan(opened.zoom * 1.2);
      await page.locator('[data-zoom="fit"]').click();

      // Assess: Fit is what the page opened at.
      const fitted = await measure(page);
      expectReadableAndWhole(workflow, fitted);
      expect(fitted.zoom).toBeCloseTo(opened.zoom, 3);
    },
  );

  it.each(WORKFLOWS)(
    'keeps the %s graph readable at 1024x768: Fit scrolls rather than shrink the names',
    async (workflow) => {
      // Act
      await page.setViewportSize({ width: 1024, height: 768 });
      await open(workflow);
      await page.locator('[data-zoom="fit"]').click();
      const m = await measure(page);
      await page.screenshot({ path: join(ARTIFACTS, `viewer-graph-${workflow}-1024x768.png`) });

      // Assess: the pane the page lays out, names never below 11 px; where the drawing is wider than the
      // pane at that size, the pane scrolls sideways instead.
      expect(m.clientWidth).toBe(graphPaneWidth(m.pageWidth, 1024));
      for (const size of m.fontSizes) expect(size * m.zoom).toBeGreaterThanOrEqual(MIN_LABEL_PX - 0.01);
      if (m.scrollWidth > m.clientWidth) expect(m.zoom).toBeCloseTo(READABLE_ZOOM, 3);
      // The pane scrolls inside its column: the graph never makes the page wider than the window.
      const pane = await page.locator('[data-part="graph"]').boundingBox();
      expect((pane?.x ?? 0) + (pane?.width ?? 0)).toBeLessThanOrEqual(1024);
    },
  );
});
