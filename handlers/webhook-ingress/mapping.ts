import type { z } from 'zod';
import { AccountRequested } from '../../events/accounts';
import { UserAccessChanged } from '../../events/identity';
import { issuesOf } from '../shared/parse-input';
import {
  UserAccessData,
  UserCreatedData,
  UserUpdatedData,
  WebhookPayload,
  type WebhookTrigger,
} from './contract';

/**
 * Webhook payload -> our versioned trigger. Pure, like the partner adapter's mapping: the same payload
 * always maps to the same trigger with the same version (the payload's `timestamp` in milliseconds), so a
 * webhook delivered twice ends `duplicate` at the workflow's claim and an older one arriving late `stale`.
 * The table is in docs/webhooks.md.
 */
export type WebhookMapping =
  | {
      readonly mapped: true;
      /** The webhook's type, kept with the queued trigger for operators. */
      readonly type: string;
      readonly userId: string;
      readonly trigger: WebhookTrigger;
    }
  /** `malformed`: not a Standard Webhooks payload at all (400); otherwise a payload we do not map (422). */
  | { readonly mapped: false; readonly malformed: boolean; readonly reason: string };

/** The webhook types this ingress maps; anything else is refused, so subscribe the endpoint to these only. */
export const MAPPED_TYPES = ['user.created', 'user.blocked', 'user.unblocked', 'user.updated'] as const;

type Unmapped = Extract<WebhookMapping, { mapped: false }>;
type MappedTrigger = { readonly mapped: true; readonly userId: string; readonly trigger: WebhookTrigger };

export function mapWebhook(input: unknown): WebhookMapping {
  const parsed = WebhookPayload.safeParse(input);
  if (!parsed.success)
    return malformed('Not a Standard Webhooks payload {type, timestamp, data}', parsed.error);
  const mapping = mapPayload(parsed.data);
  return mapping.mapped ? { ...mapping, type: parsed.data.type } : mapping;
}

function mapPayload({ type, timestamp, data }: WebhookPayload): MappedTrigger | Unmapped {
  const version = Date.parse(timestamp);
  const label = `Webhook ${type}`;

  switch (type) {
    case 'user.created': {
      const user = UserCreatedData.safeParse(data);
      if (!user.success)
        return unmappable(`${label}: ${AccountRequested.detailType} needs`, user.error, 'data.');
      return checked(label, user.data.id, {
        Source: AccountRequested.source,
        DetailType: AccountRequested.detailType,
        Detail: { userId: user.data.id, version, plan: user.data.plan, applicant: user.data.applicant },
      });
    }
    case 'user.blocked':
    case 'user.unblocked': {
      const user = UserAccessData.safeParse(data);
      if (!user.success)
        return unmappable(`${label}: ${UserAccessChanged.detailType} needs`, user.error, 'data.');
      const blocked = type === 'user.blocked';
      return accessChanged(label, user.data.id, version, blocked, user.data.reason ?? label);
    }
    case 'user.updated': {
      const user = UserUpdatedData.safeParse(data);
      if (!user.success)
        return unmappable(`${label}: ${UserAccessChanged.detailType} needs`, user.error, 'data.');
      if (user.data.blocked === undefined)
        return {
          mapped: false,
          malformed: false,
          reason: `${label}: data.blocked is absent, so this update is not an access change.`,
        };
      return accessChanged(label, user.data.id, version, user.data.blocked, label);
    }
    default:
      return {
        mapped: false,
        malformed: false,
        reason: `Webhook type '${type}' is not mapped to a trigger; mapped types: ${MAPPED_TYPES.join(', ')}.`,
      };
  }
}

function accessChanged(
  label: string,
  userId: string,
  version: number,
  blocked: boolean,
  reason: string,
): MappedTrigger | Unmapped {
  return checked(label, userId, {
    Source: UserAccessChanged.source,
    DetailType: UserAccessChanged.detailType,
    Detail: { userId, version, blocked, reason: reason.slice(0, 200) },
  });
}

/**
 * The trigger checked against its contract before it is queued (a timestamp before 1970 gives no positive
 * version, for one), so the adapter only ever reads triggers the workflows accept.
 */
function checked(label: string, userId: string, trigger: WebhookTrigger): MappedTrigger | Unmapped {
  const contract = trigger.DetailType === AccountRequested.detailType ? AccountRequested : UserAccessChanged;
  const detail = contract.schema.safeParse(trigger.Detail);
  if (!detail.success) return unmappable(`${label}: the trigger would not match its contract`, detail.error);
  return { mapped: true, userId, trigger };
}

/** Problems named by field, never with the values (they may be personal data). */
function describe(what: string, error: z.ZodError, pathPrefix = ''): string {
  const problems = issuesOf(error).map((issue) => `${pathPrefix}${issue.path}: ${issue.message}`);
  return `${what}: ${problems.slice(0, 10).join('; ')}`;
}

function malformed(what: string, error: z.ZodError): Unmapped {
  return { mapped: false, malformed: true, reason: describe(what, error) };
}

function unmappable(what: string, error: z.ZodError, pathPrefix = ''): Unmapped {
  return { mapped: false, malformed: false, reason: describe(what, error, pathPrefix) };
}
