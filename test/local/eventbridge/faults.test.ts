import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalApp } from '../../../local/app';
import { describeFaultRule, parseFaultOption, parseFaultRule } from '../../../local/eventbridge/faults';
import { thrownBy } from '../../support/errors';
import { BUS, startApp } from '../../support/local';
import { startRuntime } from '../../support/runtime';

describe('fault rules', () => {
  it('reads the JSON form, with every entry failing when next is absent', () => {
    // Act
    const once = parseFaultRule({ errorCode: 'InternalFailure', next: 1, detailType: 'User Blocked' });
    const always = parseFaultRule({ errorCode: 'ThrottlingException', rate: 0.25, source: 'app.kyc' });

    // Assess
    expect(once).toEqual({ errorCode: 'InternalFailure', remaining: 1, detailType: 'User Blocked' });
    expect(always).toEqual({
      errorCode: 'ThrottlingException',
      remaining: Number.POSITIVE_INFINITY,
      rate: 0.25,
      source: 'app.kyc',
    });
    expect(describeFaultRule(once)).toEqual({
      errorCode: 'InternalFailure',
      next: 1,
      detailType: 'User Blocked',
    });
    expect(describeFaultRule(always)).not.toHaveProperty('next');
  });

  it('reads the --fault form, detail-types with spaces included', () => {
    // Act
    const rule = parseFaultOption('errorCode=InternalFailure,next=2,detailType=Account Approved');

    // Assess
    expect(rule).toEqual({ errorCode: 'InternalFailure', remaining: 2, detailType: 'Account Approved' });
  });

  it.each([
    [{ errorCode: 'Boom' }, 'errorCode must be one of InternalFailure, ThrottlingException'],
    [{ errorCode: 'InternalFailure', next: 0 }, 'next must be a positive integer'],
    [{ errorCode: 'InternalFailure', rate: 1.5 }, 'rate must be a number greater than 0 and at most 1'],
    [{ errorCode: 'InternalFailure', source: '' }, 'source must be a non-empty string'],
    [{ errorCode: 'InternalFailure', detail: 'x' }, 'unknown field(s) detail'],
    ['InternalFailure', 'it must be an object'],
  ])('refuses %j, saying why', (json, reason) => {
    // Act
    const error = thrownBy(() => parseFaultRule(json));

    // Assess
    expect(error).toMatchObject({ code: 'ValidationException' });
    expect(error.message).toContain(reason);
  });

  it('refuses a --fault that is not key=value pairs', () => {
    // Act
    const error = thrownBy(() => parseFaultOption('InternalFailure'));

    // Assess
    expect(error.message).toContain('expected key=value pairs');
  });
});

describe('fault injection on PutEvents', () => {
  let app: LocalApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.stop());
  afterEach(() => {
    app.eventBridge.faults.length = 0;
  });

  const entries = (n: number) =>
    Array.from({ length: n }, () => ({
      Source: 'test.rate',
      DetailType: 'Rated',
      Detail: '{}',
      EventBusName: BUS,
    }));

  it('fails about the chosen fraction of matching entries', async () => {
    // Prepare
    app.eventBridge.faults.push(
      parseFaultRule({ errorCode: 'ThrottlingException', rate: 0.5, source: 'test.rate' }),
    );

    // Act
    let failed = 0;
    for (let i = 0; i < 40; i++) failed += app.eventBridge.putEvents(entries(10)).FailedEntryCount;
    await app.settle();

    // Assess: 400 entries at 0.5; outside 120..280 has a probability below 1e-15.
    expect(failed).toBeGreaterThan(120);
    expect(failed).toBeLessThan(280);
  });
});

describe('a faults file', () => {
  it('arms its rules when the runtime starts', async () => {
    // Prepare
    const file = join(tmpdir(), `faults-${process.pid}.json`);
    writeFileSync(file, JSON.stringify([{ errorCode: 'InternalFailure', next: 3, source: 'test.file' }]));

    // Act
    const runtime = await startRuntime({ faultsFile: file });
    try {
      const listed = await (await fetch(`${runtime.url}/_local/faults`)).json();

      // Assess
      expect(listed).toEqual({ faults: [{ errorCode: 'InternalFailure', next: 3, source: 'test.file' }] });
    } finally {
      await runtime.stop();
    }
  });

  it('stops startup when it is not a list of rules', async () => {
    // Prepare
    const file = join(tmpdir(), `faults-bad-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ errorCode: 'InternalFailure' }));

    // Act
    const error = await startRuntime({ faultsFile: file }).catch((e: Error) => e);

    // Assess
    expect(String(error)).toContain('expected a JSON array of fault rules');
  });
});
