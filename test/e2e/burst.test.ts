import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalRuntime } from '../../local/runtime';
import { clients, startRuntime } from '../support/runtime';

/*
 * Bursts as a busy producer makes them: 10,000 triggers for distinct users through PutEvents (batches of
 * 10, 8 requests in flight), and 10,000 StartExecution calls. Every execution must end the way the
 * workflow says (completed), none failing for a reason the runtime made (a connection reset, a timeout, an
 * exhausted resource). The figures are printed; nothing here is timed against a budget.
 */
const BURST = 10_000;
const BATCH = 10;
const IN_FLIGHT = 8;
const BUS = 'onboarding-kyc';
const ACCESS_CHANGE = `arn:aws:states:us-east-1:000000000000:stateMachine:${BUS}-access-change`;

/** Runs `work(i)` for i in [0, count) with at most `limit` in flight. */
async function inFlight(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

function accessChange(user: string): PutEventsRequestEntry {
  return {
    Source: 'app.identity',
    DetailType: 'User Access Changed',
    Detail: JSON.stringify({ userId: user, version: 1, blocked: true }),
    EventBusName: BUS,
  };
}

/** Waits until every execution has ended, then tallies the machine's executions by status and outcome. */
async function tally(runtime: LocalRuntime, machine: string): Promise<Record<string, number>> {
  await runtime.app.settle();
  const counts: Record<string, number> = {};
  let nextToken: string | undefined;
  do {
    const page = runtime.app.stepFunctions.listExecutions(machine, undefined, 1000, nextToken);
    for (const e of page.items) {
      const outcome =
        e.status === 'SUCCEEDED' ? (JSON.parse(e.output ?? '{}') as { outcome?: string }).outcome : e.error;
      const key = `${e.status} ${outcome}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return counts;
}

function report(what: string, startedAt: number, cpuBefore: NodeJS.CpuUsage, counts: object): void {
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    `${what}: ${BURST} executions in ${seconds.toFixed(1)} s (${Math.round(BURST / seconds)}/s), ` +
      `CPU ${((cpu.user + cpu.system) / 1000 / BURST).toFixed(2)} ms per execution, ` +
      `RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, ended: ${JSON.stringify(counts)}`,
  );
}

describe('a burst of 10,000', () => {
  let runtime: LocalRuntime;
  beforeEach(async () => {
    // Production retry intervals, so a burst must be absorbed rather than hidden by instant retries. In
    // memory: a data directory adds the journal's writes (see `npm run bench`), not another way to fail.
    runtime = await startRuntime({ retryDelayMs: undefined });
  });
  afterEach(() => runtime.stop());

  it('triggers through PutEvents ends every execution completed', async () => {
    // Prepare
    const { events } = clients(runtime.url);
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();

    // Act
    await inFlight(BURST / BATCH, IN_FLIGHT, async (b) => {
      const Entries = Array.from({ length: BATCH }, (_, i) => accessChange(`burst-put-${b * BATCH + i}`));
      const { FailedEntryCount } = await events.send(new PutEventsCommand({ Entries }));
      expect(FailedEntryCount).toBe(0);
    });
    const counts = await tally(runtime, ACCESS_CHANGE);

    // Assess
    report('PutEvents burst', startedAt, cpuBefore, counts);
    expect(counts).toEqual({ 'SUCCEEDED completed': BURST });
  });

  it('StartExecution calls ends every execution completed', async () => {
    // Prepare
    const { sfn } = clients(runtime.url);
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();

    // Act
    await inFlight(BURST, IN_FLIGHT * BATCH, async (i) => {
      const input = JSON.stringify({
        id: `burst-start-${i}`,
        source: 'app.identity',
        'detail-type': 'User Access Changed',
        time: new Date().toISOString(),
        detail: { userId: `burst-start-${i}`, version: 1, blocked: false },
      });
      await sfn.send(new StartExecutionCommand({ stateMachineArn: ACCESS_CHANGE, input }));
    });
    const counts = await tally(runtime, ACCESS_CHANGE);

    // Assess
    report('StartExecution burst', startedAt, cpuBefore, counts);
    expect(counts).toEqual({ 'SUCCEEDED completed': BURST });
  });
});
