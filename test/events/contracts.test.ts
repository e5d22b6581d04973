import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { z } from 'zod';
import { AccountRequested, AccountRequestedDetail } from '../../events/accounts';
import { catalog, findContract, jsonSchemaOf, schemaFileName, triggers } from '../../events/catalog';
import { contract, Versioned } from '../../events/contract';
import { UserAccessChanged, UserAccessChangedDetail } from '../../events/identity';
import { AccountApproved, type Decision } from '../../events/kyc';
import { handler as assessRisk } from '../../handlers/assess-risk/handler';
import { handler as screenSanctions } from '../../handlers/screen-sanctions/handler';
import { handler as verifyIdentity } from '../../handlers/verify-identity/handler';
import { readConfig } from '../../stacks/config';

const root = join(__dirname, '..', '..');
const samplesDir = join(root, 'events', 'samples');
const schemasDir = join(root, 'events', 'schemas');
const busName = readConfig(new App()).busName;

/** One PutEvents request entry, as `aws events put-events --entries file://...` reads it. */
const PutEventsEntry = z.strictObject({
  Source: z.string().min(1),
  DetailType: z.string().min(1),
  Detail: z.string(),
  EventBusName: z.string(),
  Time: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  TraceHeader: z.string().optional(),
});
type PutEventsEntry = z.infer<typeof PutEventsEntry>;
/** PutEvents takes 1 to 10 entries. */
const PutEventsEntries = z.array(PutEventsEntry).min(1).max(10);

const sampleFiles = readdirSync(samplesDir)
  .filter((file) => file.endsWith('.json'))
  .sort();

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(samplesDir, file), 'utf8'));
  } catch (error) {
    throw new Error(`events/samples/${file} is not valid JSON`, { cause: error });
  }
}

function readSample(file: string): PutEventsEntry[] {
  return PutEventsEntries.parse(readJson(file));
}

/** Every entry of every well-formed sample, with where it came from; a malformed file fails its own test. */
const sampleEntries = sampleFiles.flatMap((file) => {
  const parsed = PutEventsEntries.safeParse(readJson(file));
  return (parsed.data ?? []).map((entry, index) => ({ file, index, entry }));
});

/** The detail of an entry, parsed with the given schema. */
function detailOf<S extends z.ZodType>(entry: PutEventsEntry, schema: S): z.output<S> {
  return schema.parse(JSON.parse(entry.Detail));
}

describe('event samples', () => {
  it('has at least one sample file', () => {
    expect(sampleFiles.length).toBeGreaterThan(0);
  });

  it.each(sampleFiles)('%s is a PutEvents entries array of 1 to 10 entries', (file) => {
    // Act
    const parsed = PutEventsEntries.safeParse(readJson(file));

    // Assess
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.each(sampleEntries.map(({ file, index, entry }) => [`${file}[${index}]`, entry] as const))(
    '%s puts an event with a contract on the app bus, its Detail a JSON string the contract accepts',
    (_name, entry) => {
      // Prepare
      const found = findContract(entry.Source, entry.DetailType);

      // Act
      const detail: unknown = JSON.parse(entry.Detail);
      const result = found?.schema.safeParse(detail);

      // Assess
      expect(found).toBeDefined();
      expect(entry.EventBusName).toBe(busName);
      expect(typeof detail).toBe('object');
      expect(result?.error?.issues ?? []).toEqual([]);
    },
  );

  it('covers every trigger, including onboarding started by Account Approved', () => {
    // Prepare
    const covered = new Set(sampleEntries.map(({ entry }) => `${entry.Source} / ${entry.DetailType}`));

    // Act
    const missing = [...triggers, AccountApproved]
      .map((c) => `${c.source} / ${c.detailType}`)
      .filter((trigger) => !covered.has(trigger));

    // Assess
    expect(missing).toEqual([]);
  });

  it('gives every sample detail a userId and a positive version, as the trigger rules require', () => {
    for (const { entry } of sampleEntries) {
      expect(Versioned.safeParse(JSON.parse(entry.Detail)).success).toBe(true);
    }
  });

  it('plays the Auth0 race for one user: blocked v2, unblocked v3, blocked v2 again', () => {
    // Act
    const sequence = readSample('access-race.json').map((entry) => {
      expect([entry.Source, entry.DetailType]).toEqual([
        UserAccessChanged.source,
        UserAccessChanged.detailType,
      ]);
      const { userId, version, blocked } = detailOf(entry, UserAccessChangedDetail);
      return { userId, version, blocked };
    });

    // Assess
    const userId = sequence[0]?.userId;
    expect(userId).toEqual(expect.any(String));
    expect(sequence).toEqual([
      { userId, version: 2, blocked: true },
      { userId, version: 3, blocked: false },
      { userId, version: 2, blocked: true },
    ]);
  });

  it('blocks then unblocks the same user at a higher version in user-blocked.json and user-unblocked.json', () => {
    // Act
    const [blocked] = readSample('user-blocked.json').map((entry) =>
      detailOf(entry, UserAccessChangedDetail),
    );
    const [unblocked] = readSample('user-unblocked.json').map((entry) =>
      detailOf(entry, UserAccessChangedDetail),
    );

    // Assess
    expect(blocked?.blocked).toBe(true);
    expect(unblocked?.blocked).toBe(false);
    expect(unblocked?.userId).toBe(blocked?.userId);
    expect(unblocked?.version).toBeGreaterThan(blocked?.version ?? Number.POSITIVE_INFINITY);
  });

  /**
   * The KYC checks run exactly as the state machine calls them (same request fields, `asOf` = the event
   * time, which EventBridge sets to the moment of put-events), so each sample really leads to its decision.
   */
  it.each([
    ['account-requested-approved.json', 'approved'],
    ['account-requested-declined.json', 'declined'],
    ['account-requested-manual-review.json', 'manual review'],
  ] as const satisfies readonly (readonly [string, Decision])[])(
    '%s leads the KYC rules to %s',
    async (file, decision) => {
      // Prepare
      const entries = readSample(file);
      expect(entries.map((entry) => [entry.Source, entry.DetailType])).toEqual([
        [AccountRequested.source, AccountRequested.detailType],
      ]);
      const detail = detailOf(entries[0] as PutEventsEntry, AccountRequestedDetail);
      const { userId, applicant, plan } = detail;
      const { fullName, dateOfBirth, country } = applicant;

      // Act
      const identity = await verifyIdentity({ userId, applicant, asOf: new Date().toISOString() });
      const sanctions = await screenSanctions({ userId, applicant: { fullName, dateOfBirth, country } });
      const assessment = await assessRisk({ userId, country, plan, identity, sanctions });

      // Assess
      expect(assessment.decision).toBe(decision);
    },
  );
});

describe('committed JSON Schemas', () => {
  const committed = readdirSync(schemasDir).sort();

  it('gives every contract its own schema file name', () => {
    const names = catalog.map(schemaFileName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('rejects a stale schema file: each equals the JSON Schema of its contract', () => {
    // Act
    const stale = catalog
      .filter((c) => {
        const file = join(schemasDir, schemaFileName(c));
        const text = committed.includes(schemaFileName(c)) ? readFileSync(file, 'utf8') : undefined;
        return text !== `${JSON.stringify(jsonSchemaOf(c), null, 2)}\n`;
      })
      .map(
        (c) =>
          `events/schemas/${schemaFileName(c)} is missing or stale: run \`npm run schemas\` and commit it`,
      );

    // Assess
    expect(stale).toEqual([]);
  });

  it('rejects a schema file with no contract', () => {
    // Prepare
    const expected = new Set(catalog.map(schemaFileName));

    // Act
    const extra = committed
      .filter((file) => !expected.has(file))
      .map((file) => `events/schemas/${file} has no contract: run \`npm run schemas\` to remove it`);

    // Assess
    expect(extra).toEqual([]);
  });
});

describe('event contracts', () => {
  it('never uses a source reserved for AWS services', () => {
    const reserved = catalog
      .filter((c) => c.source.startsWith('aws.'))
      .map((c) => `${c.source} / ${c.detailType}`);
    expect(reserved).toEqual([]);
  });

  it("rejects a contract whose source starts with 'aws.'", () => {
    // Act
    const define = () =>
      contract({
        source: 'aws.kyc',
        detailType: 'Account Approved',
        schema: Versioned,
        description: 'A contract that must not exist.',
        producer: 'Nobody',
        consumers: [],
      });

    // Assess
    expect(define).toThrow("Event source 'aws.kyc' starts with 'aws.'");
  });

  it('defines each (source, detail-type) once', () => {
    // Prepare
    const keys = catalog.map((c) => `${c.source} / ${c.detailType}`);

    // Assess
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it('lists every contract, with its producer and consumers, in the README event table', () => {
    // Prepare: the cells of every table row, trimmed (the formatter pads markdown tables)
    const rows = readFileSync(join(root, 'README.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const has = (cells: string[]) => rows.some((row) => cells.every((cell, i) => row[i + 1] === cell));

    // Act
    const missing = catalog
      .map((c) => [`\`${c.source}\``, c.detailType, c.producer, c.consumers.join(', '), c.description])
      .filter((cells) => !has(cells))
      .map((cells) => cells.join(' | '));

    // Assess
    expect(missing).toEqual([]);
  });

  it('finds every catalog contract by its source and detail-type, and nothing else', () => {
    for (const c of catalog) expect(findContract(c.source, c.detailType)).toBe(c);
    expect(findContract('app.kyc', 'Account Approved ')).toBeUndefined();
  });
});
