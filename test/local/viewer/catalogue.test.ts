import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, decisions, emitted, jsonSchemaOf, triggers } from '../../../events/catalog';
import { AccountApproved } from '../../../events/kyc';
import type { LocalApp } from '../../../local/app';
import { buildCatalogue, type Catalogue, RECENT_OCCURRENCES } from '../../../local/viewer/catalogue';
import { schemaNameOf } from '../../../stacks/catalogue';
import { BUS, put, startApp } from '../../support/local';

/*
 * The viewer's event catalogue (`GET /_local/catalogue`), built from the running app: the events are the
 * template's schema registry (which stacks/catalogue.ts builds from events/), producers come from the ASL,
 * consumers are the rules whose pattern matches each event's sample, the template's and a team's own.
 * A disabled rule is listed as such: "A disabled rule won't match any events" (EventBridge API reference,
 * DisableRule, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html).
 */

const root = join(__dirname, '..', '..', '..');
const TEAM_QUEUE = 'crm-approvals';
const TEAM_RULE = 'crm-approvals';
const DISABLED_RULE = 'crm-declines';
const ACCOUNT_APPROVED = { source: AccountApproved.source, detailType: AccountApproved.detailType };

describe('the event catalogue', () => {
  let app: LocalApp;
  let catalogue: Catalogue;
  const event = (source: string, detailType: string) => {
    const found = catalogue.events.find((e) => e.source === source && e.detailType === detailType);
    if (!found) throw new Error(`${source} / ${detailType} is not in the catalogue`);
    return found;
  };
  const ruleNamed = (name: string) =>
    catalogue.buses.flatMap((b) => b.rules).find((r) => r.name === name || r.name.includes(name));

  beforeAll(async () => {
    app = await startApp();
    // A downstream team's queue and rule for approvals, and a disabled rule of theirs for declines.
    const { queue } = app.queues.create(TEAM_QUEUE);
    app.rules.putRule({
      Name: TEAM_RULE,
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: ['app.kyc'], 'detail-type': ['Account Approved'] }),
    });
    app.rules.putTargets({ Rule: TEAM_RULE, EventBusName: BUS, Targets: [{ Id: 'crm', Arn: queue.arn }] });
    app.rules.putRule({
      Name: DISABLED_RULE,
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: ['app.kyc'], 'detail-type': ['Account Declined'] }),
      State: 'DISABLED',
    });
    catalogue = buildCatalogue(app);
  });
  afterAll(() => app.stop());

  it('lists every event events/ defines, with the schema the registry serves for it', () => {
    // Assess
    expect(catalogue.events.map((e) => `${e.source} / ${e.detailType}`).sort()).toEqual(
      catalog.map((c) => `${c.source} / ${c.detailType}`).sort(),
    );
    for (const c of catalog) {
      const e = event(c.source, c.detailType);
      expect(e.schema.name).toBe(schemaNameOf(c));
      expect(e.schema.type).toBe('JSONSchemaDraft4');
      expect(e.schema.content).toEqual(JSON.parse(JSON.stringify(jsonSchemaOf(c))));
      expect(e.description).toBe(c.description);
      expect(e.declared).toEqual({ producer: c.producer, consumers: c.consumers });
    }
  });

  it("names the state machines and states that emit each event, read from the template's ASL", () => {
    // Assess
    expect(event(ACCOUNT_APPROVED.source, ACCOUNT_APPROVED.detailType).producers).toEqual([
      {
        stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-kyc`,
        stateMachineName: `${BUS}-kyc`,
        origin: 'template',
        states: ['Emit Account Approved', 'Emit Account Approved again'],
        buses: [BUS],
      },
    ]);
    // Every event a workflow emits has a producer; those only people and services put have none.
    for (const c of emitted) expect(event(c.source, c.detailType).producers.length).toBeGreaterThan(0);
    const putFromOutside = [...triggers, ...decisions].filter(
      (c) => !(emitted as readonly unknown[]).includes(c),
    );
    for (const c of putFromOutside) expect(event(c.source, c.detailType).producers).toEqual([]);
  });

  it('gives every event a sample its schema accepts: a shipped one, else one made from the schema', () => {
    // Assess
    for (const c of catalog) {
      const { sample } = event(c.source, c.detailType);
      expect(sample).toBeDefined();
      expect(c.schema.safeParse(sample?.detail).error).toBeUndefined();
    }
    const approved = event(ACCOUNT_APPROVED.source, ACCOUNT_APPROVED.detailType).sample;
    expect(approved?.from).toBe('file');
    expect(approved?.file).toBe('events/samples/account-approved.json');
    const [shipped] = JSON.parse(
      readFileSync(join(root, 'events', 'samples', 'account-approved.json'), 'utf8'),
    );
    expect(approved?.detail).toEqual(JSON.parse(shipped.Detail));
    // No sample ships for Profile Created: the made-up one carries the constant its putEvents state sets.
    const profile = event('app.onboarding', 'Profile Created').sample;
    expect(profile?.from).toBe('schema');
    expect(profile?.busName).toBe(BUS);
    expect(profile?.detail).toMatchObject({ workflow: 'onboarding' });
  });

  it("lists as consumers the rules whose pattern matches the sample, a team's own among them", () => {
    // Prepare
    const arnOf = (name: string) => ruleNamed(name)?.arn;

    // Act
    const { consumers } = event(ACCOUNT_APPROVED.source, ACCOUNT_APPROVED.detailType);

    // Assess: onboarding's rule, the audit log's and the team's; not the rule for malformed approvals.
    expect(new Set(consumers)).toEqual(
      new Set([arnOf('AccountApprovedRule'), arnOf('AuditRule'), arnOf(TEAM_RULE)]),
    );
    expect(consumers).not.toContain(arnOf('AccountApprovedMalformedRule'));
    // A disabled rule that matches is listed, marked disabled.
    expect(event('app.kyc', 'Account Declined').consumers).toContain(arnOf(DISABLED_RULE));
    expect(ruleNamed(DISABLED_RULE)?.state).toBe('DISABLED');
  });

  it("lists each bus's rules, the team's marked as local additions with their targets", () => {
    // Assess
    const bus = catalogue.buses.find((b) => b.name === BUS);
    const team = bus?.rules.find((r) => r.name === TEAM_RULE);
    expect(team).toMatchObject({
      origin: 'local',
      state: 'ENABLED',
      pattern: { source: ['app.kyc'], 'detail-type': ['Account Approved'] },
      targets: [
        {
          id: 'crm',
          arn: `arn:aws:sqs:us-east-1:000000000000:${TEAM_QUEUE}`,
          kind: 'queue',
          inputChanged: false,
        },
      ],
    });
    const templateRules = bus?.rules.filter((r) => r.name !== TEAM_RULE && r.name !== DISABLED_RULE) ?? [];
    expect(templateRules.length).toBeGreaterThan(0);
    for (const rule of templateRules) expect(rule.origin).toBe('template');
    expect(ruleNamed('AccountApprovedRule')?.targets.map((t) => t.kind)).toEqual(['state machine']);
  });

  it('lists the latest occurrences of an event on the bus, newest first', async () => {
    // Prepare
    const ids: string[] = [];
    for (let version = 1; version <= RECENT_OCCURRENCES + 2; version++)
      ids.push(
        put(app, ACCOUNT_APPROVED.source, ACCOUNT_APPROVED.detailType, {
          userId: 'user-catalogue',
          version,
          workflow: 'kyc',
          triggerEventId: `trigger-${version}`,
          riskScore: 10,
          plan: 'team',
        }),
      );
    await app.settle();

    // Act
    const after = buildCatalogue(app);

    // Assess
    const approved = after.events.find((e) => e.detailType === ACCOUNT_APPROVED.detailType);
    expect(approved?.seen).toBe(ids.length);
    expect(approved?.recent.map((o) => o.id)).toEqual(ids.slice(-RECENT_OCCURRENCES).reverse());
    expect(approved?.recent[0]).toMatchObject({
      busName: BUS,
      userId: 'user-catalogue',
      version: ids.length,
    });
    // What onboarding emitted for them names the execution that put it.
    const profile = after.events.find((e) => e.detailType === 'Profile Created');
    expect(profile?.recent.length).toBeGreaterThan(0);
    for (const o of profile?.recent ?? []) expect(o.executionArn).toContain(`:execution:${BUS}-onboarding:`);
  });
});
