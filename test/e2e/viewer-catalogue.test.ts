import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DisableRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';
import { jsonSchemaOf } from '../../events/catalog';
import { AccountApproved } from '../../events/kyc';
import type { LocalRuntime } from '../../local/runtime';
import { schemaNameOf } from '../../stacks/catalogue';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { BUS } from '../support/local';
import { clients, startRuntime } from '../support/runtime';

/*
 * A downstream team's additions in the viewer, in Chromium: a queue and a rule created with the SDK against
 * a started runtime show on the bus page marked "Local addition", the template's do not; the Catalogue page
 * lists `Account Approved` from `app.kyc` with its schema and its consumers (the team's rule among them),
 * and, once the approved sample has run, its occurrence linked to the bus page and to the KYC execution that
 * put it. A disabled rule shows as DISABLED: "A disabled rule won't match any events" (EventBridge API
 * reference, DisableRule, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html).
 */

const WAIT = { timeout: 30_000 };
const TEAM = 'crm-approvals';
const APPROVED = schemaNameOf(AccountApproved);
const SAMPLE = join(__dirname, '..', '..', 'events', 'samples', 'account-requested-approved.json');

describe("a downstream team's additions and the event catalogue in the viewer", () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  let c: ReturnType<typeof clients>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    runtime = await startRuntime();
    c = clients(runtime.url);
    // The team's queue and its rule for approvals, as the README's "For downstream teams" walks through.
    const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: TEAM }));
    const { Attributes } = await c.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await c.events.send(
      new PutRuleCommand({
        Name: TEAM,
        EventBusName: BUS,
        EventPattern: JSON.stringify({
          source: [AccountApproved.source],
          'detail-type': [AccountApproved.detailType],
        }),
      }),
    );
    await c.events.send(
      new PutTargetsCommand({
        Rule: TEAM,
        EventBusName: BUS,
        Targets: [{ Id: 'crm', Arn: Attributes?.QueueArn }],
      }),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `viewer-${name}.png`), fullPage: true });
    // Nothing makes the page scroll sideways: wide parts scroll inside their own panes.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1440);
  }

  it("marks the team's rule and queue as local additions on the bus page, and not the template's", async () => {
    // Act
    await page.goto(`${runtime.url}/#/bus`);
    const bus = page.locator(`[data-bus="${BUS}"]`);
    const rule = bus.locator(`[data-rule="${TEAM}"]`);
    await rule.waitFor(WAIT);

    // Assess: the team's rule, with its state, pattern and target.
    expect(await rule.getAttribute('data-origin')).toBe('local');
    expect(await rule.locator('[data-local-addition]').textContent()).toBe('Local addition');
    expect(await rule.locator('[data-rule-state]').textContent()).toBe('ENABLED');
    expect(JSON.parse((await rule.locator('[data-pattern]').textContent()) ?? '')).toEqual({
      source: ['app.kyc'],
      'detail-type': ['Account Approved'],
    });
    expect(await rule.locator('[data-target="crm"]').textContent()).toContain(TEAM);
    // The template's rules: listed, none marked.
    const templateRules = bus.locator('[data-rule][data-origin="template"]');
    expect(await templateRules.count()).toBeGreaterThan(0);
    expect(await templateRules.locator('[data-local-addition]').count()).toBe(0);
    expect(await bus.locator('[data-rule] [data-local-addition]').count()).toBe(1);
    // The queues the same way.
    const queue = page.locator(`[data-queue="${TEAM}"]`);
    expect(await queue.getAttribute('data-origin')).toBe('local');
    expect(await queue.locator('[data-local-addition]').count()).toBe(1);
    const templateQueues = page.locator('[data-queue][data-origin="template"]');
    expect(await templateQueues.count()).toBeGreaterThan(0);
    expect(await templateQueues.locator('[data-local-addition]').count()).toBe(0);
    await screenshot('bus-local-additions');
  });

  it('lists Account Approved from app.kyc in the catalogue, with its schema and its consumers', async () => {
    // Act
    await page.locator('nav.top a[data-route="catalogue"]').click();
    const row = page.locator(`[data-event="${APPROVED}"]`);
    await row.waitFor(WAIT);

    // Assess
    expect(await row.locator('[data-detail-type]').textContent()).toBe('Account Approved');
    expect(await row.locator('[data-source]').textContent()).toBe('app.kyc');
    await row.click();
    const details = page.locator(`[data-details="${APPROVED}"]`);
    await details.waitFor(WAIT);
    expect(JSON.parse((await details.locator('[data-schema]').textContent()) ?? '')).toEqual(
      JSON.parse(JSON.stringify(jsonSchemaOf(AccountApproved))),
    );
    // Consumers: onboarding's rule and the audit log's, of the template, and the team's, marked local.
    const team = details.locator(`[data-consumer="${TEAM}"]`);
    expect(await team.getAttribute('data-origin')).toBe('local');
    expect(await team.locator('[data-local-addition]').count()).toBe(1);
    const consumers = await details
      .locator('[data-consumer]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-consumer') ?? ''));
    expect(consumers.some((name) => name.includes('AccountApprovedRule'))).toBe(true);
    expect(consumers.some((name) => name.includes('AuditRule'))).toBe(true);
    expect(consumers.some((name) => name.includes('Malformed'))).toBe(false);
    expect(await details.locator('[data-sample-file]').textContent()).toContain(
      'events/samples/account-approved.json',
    );
    expect(await details.locator('[data-producer]').textContent()).toContain(`${BUS}-kyc`);
    expect(await row.locator('[data-seen]').textContent()).toBe('0');
    await screenshot('catalogue');
  });

  it('shows the occurrence of Account Approved a sample run put, linked to its execution and the bus page', async () => {
    // Prepare
    const entries = JSON.parse(readFileSync(SAMPLE, 'utf8')) as PutEventsRequestEntry[];

    // Act: the approved sample starts KYC, which approves the account.
    const put = await c.events.send(new PutEventsCommand({ Entries: entries }));
    expect(put.FailedEntryCount).toBe(0);

    // Assess: the page, still open on Account Approved, shows it live.
    const details = page.locator(`[data-details="${APPROVED}"]`);
    const occurrence = details.locator('[data-occurrence]').first();
    await occurrence.waitFor(WAIT);
    expect(await page.locator(`[data-event="${APPROVED}"] [data-seen]`).textContent()).toBe('1');
    const user = JSON.parse(entries[0]?.Detail ?? '{}').userId;
    expect(await occurrence.locator('td').nth(1).textContent()).toBe(user);
    const executionLink = occurrence.locator('[data-execution-link]');
    expect(await executionLink.getAttribute('title')).toContain(`:execution:${BUS}-kyc:`);
    await screenshot('catalogue-occurrence');
    const id = (await occurrence.getAttribute('data-occurrence')) ?? '';

    // The bus page opens on that event.
    await occurrence.locator('[data-bus-link]').click();
    await page.locator(`tr.open[data-event-id="${id}"]`).waitFor(WAIT);
    // The team's queue received it.
    await page.locator(`[data-queue="${TEAM}"] [data-count="visible"]:text-is("1")`).waitFor(WAIT);

    // And the execution page opens from the catalogue.
    await page.goBack();
    await page.locator(`[data-details="${APPROVED}"] [data-execution-link]`).first().click();
    await page.waitForURL(/#\/execution\//, WAIT);
    expect(decodeURIComponent(page.url())).toContain(`:execution:${BUS}-kyc:`);
  });

  it('shows a rule the team disabled as DISABLED', async () => {
    // Act
    await c.events.send(new DisableRuleCommand({ Name: TEAM, EventBusName: BUS }));

    // Assess: on the bus page, and among Account Approved's consumers.
    await page.goto(`${runtime.url}/#/bus`);
    await page.locator(`[data-rule="${TEAM}"] [data-rule-state]:text-is("DISABLED")`).waitFor(WAIT);
    await page.goto(`${runtime.url}/#/catalogue?event=${encodeURIComponent(APPROVED)}`);
    await page.locator(`[data-consumer="${TEAM}"] [data-rule-state]:text-is("DISABLED")`).waitFor(WAIT);
  });
});
