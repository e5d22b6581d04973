import type { z } from 'zod';
import { AccountRequested, type AccountRequestedDetail } from '../../events/accounts';
import { UserAccessChanged, type UserAccessChangedDetail } from '../../events/identity';
import { issuesOf } from '../shared/parse-input';
import {
  AUTH0_LOG_DETAIL_TYPE,
  AUTH0_SOURCE_PREFIX,
  Auth0BlockedBody,
  Auth0LogDetail,
  Auth0ManagementCall,
  Auth0StreamEvent,
  PartnerEvent,
  SAASUS_SOURCE_PREFIX,
  SaasusDetail,
} from './contract';

/**
 * Partner event -> our versioned trigger. Pure: no clock, no I/O; the same event always maps the same way,
 * so a redelivered partner event becomes the same trigger with the same version, which the workflow's claim
 * ends as `duplicate`, and an older one arriving late ends as `stale`. The version is the partner's own
 * timestamp of the change in milliseconds (docs/partners.md has the table and the sources).
 */

/** The PutEvents entry for a trigger (EventBusName is the port's business). */
export type PartnerTrigger =
  | {
      readonly Source: typeof UserAccessChanged.source;
      readonly DetailType: typeof UserAccessChanged.detailType;
      readonly Detail: UserAccessChangedDetail;
    }
  | {
      readonly Source: typeof AccountRequested.source;
      readonly DetailType: typeof AccountRequested.detailType;
      readonly Detail: AccountRequestedDetail;
    };

export type Mapping = { readonly trigger: PartnerTrigger } | { readonly refused: string };

/** Why a user creation is refused, for every partner: Account Requested needs data partners do not carry. */
const ACCOUNT_REQUESTED_NEEDS = `${AccountRequested.source} / ${AccountRequested.detailType} needs plan and applicant (fullName, dateOfBirth, country, documentNumber)`;

/** Maps the EventBridge event a partner rule delivered (the SQS message body, parsed). */
export function mapPartnerEvent(input: unknown): Mapping {
  const envelope = PartnerEvent.safeParse(input);
  if (!envelope.success) return refuseInvalid('Not an EventBridge event', envelope.error);
  const event = envelope.data;
  if (event.source.startsWith(AUTH0_SOURCE_PREFIX)) {
    return event['detail-type'] === AUTH0_LOG_DETAIL_TYPE ? mapAuth0Log(event) : mapAuth0Stream(event);
  }
  if (event.source.startsWith(SAASUS_SOURCE_PREFIX)) return mapSaasus(event);
  return {
    refused: `Unknown partner event source '${event.source}': expected ${AUTH0_SOURCE_PREFIX}... or ${SAASUS_SOURCE_PREFIX}...`,
  };
}

// --- Auth0 Event Streams -------------------------------------------------------------------------------------

function mapAuth0Stream(event: PartnerEvent): Mapping {
  const parsed = Auth0StreamEvent.safeParse(event.detail);
  if (!parsed.success) return refuseInvalid('Not a valid Auth0 Event Streams event', parsed.error);
  const { id, data } = parsed.data;
  const type = parsed.data.type.replace(/^com\.auth0\./, '');
  const user = data.object;
  const label = `Auth0 ${type} (event ${id})`;

  switch (type) {
    case 'user.updated': {
      // State transfer: the update carries the user's whole profile, so any update that says `blocked` is an
      // access state, and the newest one wins by version even when an earlier one was lost or comes late.
      const blocked = user.blocked ?? (data.previous_object?.blocked === true ? false : undefined);
      if (blocked === undefined)
        return {
          refused: `${label}: the user has no blocked flag (never blocked by an administrator), so this update is not an access change.`,
        };
      if (!user.updated_at)
        return { refused: `${label}: data.object.updated_at is missing, so the change has no version.` };
      return accessChanged(user.user_id, user.updated_at, blocked, label);
    }
    case 'user.deleted':
      // A deleted identity keeps no access: announce it blocked, versioned by the deletion.
      if (!user.deleted_at)
        return { refused: `${label}: data.object.deleted_at is missing, so the deletion has no version.` };
      return accessChanged(user.user_id, user.deleted_at, true, `${label}: user deleted`);
    case 'user.created':
      return {
        refused: `${label}: ${ACCOUNT_REQUESTED_NEEDS}; an Auth0 user profile carries none of them, and they are not invented.`,
      };
    default:
      return { refused: `${label}: Auth0 event type '${type}' is not mapped to a trigger.` };
  }
}

// --- Auth0 log streams ---------------------------------------------------------------------------------------

/**
 * Log types of Auth0's brute-force and suspicious-IP protection. They block (or release) logins from an IP
 * address, temporarily; they are not the user's `blocked` flag, which only an administrator sets (Auth0:
 * "Updating the blocked to false does not affect the user's blocked state from an excessive amount of
 * incorrectly provided credentials").
 */
const PROTECTION_BLOCKS: Readonly<Record<string, string>> = {
  limit_wc: 'an IP address blocked after too many failed logins into one account',
  limit_sul: 'a user temporarily prevented from logging in from one IP address',
  limit_mu: 'an IP address blocked after too many failed logins or sign-ups',
  ublkdu: 'a brute-force protection block released',
};

/** `/api/v2/users/{id}`: the user a Management API call changed (the id is URL-encoded, e.g. `auth0%7C...`). */
const USER_PATH = /^\/api\/v2\/users\/([^/?#]+)\/?(?:[?#].*)?$/;

function mapAuth0Log(event: PartnerEvent): Mapping {
  const parsed = Auth0LogDetail.safeParse(event.detail);
  if (!parsed.success) return refuseInvalid('Not a valid Auth0 log stream event', parsed.error);
  const { data } = parsed.data;
  const label = `Auth0 log ${data.type} (log ${data.log_id ?? parsed.data.log_id ?? event.id})`;

  const protection = PROTECTION_BLOCKS[data.type];
  if (protection)
    return {
      refused: `${label}: ${protection}. That is brute-force protection, not the user's blocked flag, so it is not an access change.`,
    };
  if (data.type !== 'sapi') return { refused: `${label}: log type '${data.type}' is not an access change.` };

  // An administrator's block or unblock (Dashboard or Management API) has no log type of its own: it is a
  // successful Management API operation (`sapi`) on PATCH /api/v2/users/{id} with `blocked` in the body.
  const call = Auth0ManagementCall.safeParse(data.details);
  if (!call.success) return refuseInvalid(`${label}: not a Management API call`, call.error);
  const { request, response } = call.data;
  const status = response?.statusCode;
  if (status !== undefined && (status < 200 || status > 299))
    return { refused: `${label}: the call answered ${status}, so nothing changed.` };
  const userId = userIn(USER_PATH, request.path);
  if (userId === undefined)
    return { refused: `${label}: ${request.method.toUpperCase()} ${request.path} does not change a user.` };

  const method = request.method.toLowerCase();
  if (method === 'delete') return accessChanged(userId, data.date, true, `${label}: user deleted`);
  if (method === 'patch') {
    const body = Auth0BlockedBody.safeParse(request.body);
    if (!body.success)
      return { refused: `${label}: this user update does not set blocked, so it is not an access change.` };
    return accessChanged(userId, data.date, body.data.blocked, label);
  }
  return { refused: `${label}: ${method.toUpperCase()} on a user is not an access change.` };
}

// --- SaaSus Platform -----------------------------------------------------------------------------------------

/** `/v1/auth/users/{user_id}`: delete_saas_user is `DELETE /users/{user_id}` under the Auth API base `/v1/auth`. */
const SAASUS_USER_PATH = /^\/v1\/auth\/users\/([^/?#]+)\/?(?:[?#].*)?$/;

function mapSaasus(event: PartnerEvent): Mapping {
  const parsed = SaasusDetail.safeParse(event.detail);
  if (!parsed.success) return refuseInvalid('Not a valid SaaSus api_call event', parsed.error);
  const { event_type: type, event: call } = parsed.data;
  const label = `SaaSus ${type} (log ${call.log_id ?? event.id})`;

  const status = Number(call.http_status);
  if (!Number.isInteger(status) || status < 200 || status > 299)
    return { refused: `${label}: the API call answered ${call.http_status}, so nothing changed.` };

  switch (type) {
    case 'delete_saas_user': {
      // SaaSus has no block or disable operation for users; deletion is the one access change it reports.
      const userId = userIn(SAASUS_USER_PATH, call.uri);
      if (userId === undefined)
        return { refused: `${label}: uri ${call.uri} does not name a user (/v1/auth/users/{user_id}).` };
      return accessChanged(userId, call.date_time, true, `${label}: user deleted`);
    }
    case 'create_saas_user':
      return accountRequested(call.response_body, call.date_time, label);
    case 'update_saas_user_attributes':
    case 'update_tenant_user':
      return {
        refused: `${label}: a user attribute change carries no access state (blocked) and no applicant data, so it maps to no trigger.`,
      };
    default:
      return { refused: `${label}: SaaSus event type '${type}' is not mapped to a trigger.` };
  }
}

// --- shared ----------------------------------------------------------------------------------------------------

/** The change's timestamp in milliseconds: the version (the schemas already checked the ISO 8601 format). */
export function versionOf(timestamp: string): number {
  return Date.parse(timestamp);
}

/**
 * `User Access Changed`, checked against its contract before it leaves: a trigger this adapter puts on the
 * bus always matches the schema the access workflow and the schema registry know.
 */
function accessChanged(userId: string, changedAt: string, blocked: boolean, reason: string): Mapping {
  const detail = UserAccessChanged.schema.safeParse({
    userId,
    version: versionOf(changedAt),
    blocked,
    reason: reason.slice(0, 200),
  });
  if (!detail.success)
    return refuseInvalid(`${reason}: the trigger would not match its contract`, detail.error);
  return {
    trigger: {
      Source: UserAccessChanged.source,
      DetailType: UserAccessChanged.detailType,
      Detail: detail.data,
    },
  };
}

/**
 * `Account Requested` from a SaaSus user creation: the created user (the call's response body) carries its
 * `id` and the SaaS's own user attributes, and a SaaS that defines the attributes `plan`, `fullName`,
 * `dateOfBirth`, `country` and `documentNumber` (docs/partners.md) gives KYC all it needs. Without them the
 * creation is refused, naming what is missing: applicant data is never invented.
 */
function accountRequested(createdUser: unknown, createdAt: string, label: string): Mapping {
  const user = (typeof createdUser === 'object' && createdUser !== null ? createdUser : {}) as {
    id?: unknown;
    attributes?: Record<string, unknown>;
  };
  const attributes = user.attributes ?? {};
  const detail = AccountRequested.schema.safeParse({
    userId: user.id,
    version: versionOf(createdAt),
    plan: attributes.plan,
    applicant: {
      fullName: attributes.fullName,
      dateOfBirth: attributes.dateOfBirth,
      country: attributes.country,
      documentNumber: attributes.documentNumber,
    },
  });
  if (!detail.success)
    return refuseInvalid(
      `${label}: ${ACCOUNT_REQUESTED_NEEDS}, from the created user's id and attributes`,
      detail.error,
    );
  return {
    trigger: {
      Source: AccountRequested.source,
      DetailType: AccountRequested.detailType,
      Detail: detail.data,
    },
  };
}

/** The user id a path names (its first capture group, URL-decoded), or undefined. */
function userIn(pattern: RegExp, path: string): string | undefined {
  const encoded = pattern.exec(path)?.[1];
  if (encoded === undefined) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** A refusal naming each field and problem, never the values (they may be personal data). */
function refuseInvalid(what: string, error: z.ZodError): Mapping {
  const problems = issuesOf(error).map((issue) => `${issue.path}: ${issue.message}`);
  return { refused: `${what}: ${problems.slice(0, 10).join('; ')}` };
}
