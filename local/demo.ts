/**
 * `npm start` (for now): synthesize the app into cdk.out, run it in-process, put every sample in
 * events/samples on its bus, and print what each execution did. The next issue serves the same app
 * behind AWS-compatible APIs.
 */
import './polyfills';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../stacks/app';
import { LocalApp } from './app';
import type { PutEventsRequestEntry } from './eventbridge/bus';

const root = join(__dirname, '..');
const assemblyDir = join(root, 'cdk.out');
const samplesDir = join(root, 'events', 'samples');

async function main(): Promise<void> {
  console.log('Synthesizing the CDK app into cdk.out (cdk-nag AwsSolutions checks run too)...');
  buildApp(new App({ outdir: assemblyDir, context: { 'aws:cdk:enable-asset-metadata': true } })).app.synth();
  const app = await LocalApp.start({ assemblyDir });
  try {
    const count = (type: string) => [...app.resources.values()].filter((r) => r.type === type).length;
    console.log(
      `Loaded ${count('AWS::Events::EventBus')} bus, ${count('AWS::Events::Rule')} rules, ${count('AWS::StepFunctions::StateMachine')} state machines, ` +
        `${count('AWS::Lambda::Function')} functions, ${count('AWS::SQS::Queue')} queues, ${count('AWS::DynamoDB::GlobalTable') + count('AWS::DynamoDB::Table')} table.\n`,
    );
    for (const file of readdirSync(samplesDir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const entries = JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as PutEventsRequestEntry[];
      console.log(`== ${file}`);
      // One PutEvents per entry, waiting in between, so sequences such as access-race.json arrive in order.
      for (const entry of entries) {
        const response = app.eventBridge.putEvents([entry]);
        if (response.FailedEntryCount > 0)
          console.log(`   rejected by PutEvents: ${JSON.stringify(response.Entries)}`);
        const before = app.stepFunctions.executions.size;
        const seen = app.eventBridge.records.length - 1;
        await app.settle();
        for (const execution of [...app.stepFunctions.executions.values()].slice(before)) {
          const machine = execution.stateMachineArn.split(':').at(-1);
          const result = execution.output
            ? JSON.parse(execution.output)
            : { error: execution.error, cause: execution.cause };
          console.log(`   ${machine} ${execution.status} ${JSON.stringify(result)}`);
        }
        for (const record of app.eventBridge.records.slice(seen + 1)) {
          const d = record.event.detail;
          console.log(
            `     emitted ${record.event.source} / ${record.event['detail-type']} (user ${d.userId}, v${d.version})`,
          );
        }
      }
    }
    console.log('\nQueues:');
    for (const queue of app.queues.all())
      console.log(`   ${queue.name}: ${queue.messages.length} message(s)`);
  } finally {
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
