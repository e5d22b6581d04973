import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { OnboardingStack } from './onboarding-stack';

/** The CDK app: `npx cdk synth` (offline, no credentials) or `npx cdk deploy`. cdk-nag checks every synth. */
export function buildApp(app = new App()): { app: App; stack: OnboardingStack } {
  const stack = new OnboardingStack(app, 'OnboardingKyc', {
    config: readConfig(app),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (require.main === module) buildApp().app.synth();
