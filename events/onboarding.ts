import { z } from 'zod';
import { Plan } from './accounts';
import { contract, Emitted } from './contract';

export const ONBOARDING = 'app.onboarding';

export const ProfileCreated = contract({
  source: ONBOARDING,
  detailType: 'Profile Created',
  schema: Emitted.extend({ plan: Plan }),
  description: 'The user profile exists.',
  producer: 'Onboarding workflow',
  consumers: ['CRM sync'],
});

export const WorkspaceProvisioned = contract({
  source: ONBOARDING,
  detailType: 'Workspace Provisioned',
  schema: Emitted.extend({ workspaceId: z.string(), plan: Plan }),
  description: 'The user has a workspace sized for the plan.',
  producer: 'Onboarding workflow',
  consumers: ['Usage metering'],
});

export const WelcomeMessageRequested = contract({
  source: ONBOARDING,
  detailType: 'Welcome Message Requested',
  schema: Emitted.extend({ template: z.string() }),
  description: 'Asks the notifications team to send the welcome message (they hold the contact details).',
  producer: 'Onboarding workflow',
  consumers: ['Notifications'],
});

export const OnboardingCompleted = contract({
  source: ONBOARDING,
  detailType: 'Onboarding Completed',
  schema: Emitted.extend({ workspaceId: z.string() }),
  description: 'Onboarding finished; the user can sign in.',
  producer: 'Onboarding workflow',
  consumers: ['Product analytics'],
});
