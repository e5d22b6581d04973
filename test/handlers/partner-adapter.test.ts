import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { UserAccessChanged } from '../../events/identity';
import { eventBridgeTriggerBus, sqsRejectedEvents } from '../../handlers/partner-adapter/aws-ports';
import { type SqsEvent, TriggerNotDelivered } from '../../handlers/partner-adapter/contract';
import { handler } from '../../handlers/partner-adapter/handler';
import { type Mapping, mapPartnerEvent, type PartnerTrigger } from '../../handlers/partner-adapter/mapping';
import { type AdapterDeps, adaptBatch } from '../../handlers/partner-adapter/partner-adapter';
import { InvalidInput } from '../../handlers/shared/errors';

// --- Payloads, in the shapes the partners document (links in docs/partners.md) --------------------------------

const AUTH0_STREAM_SOURCE = 'aws.partner/auth0.com/acme-prod/onboarding-user-events';
const AUTH0_LOG_SOURCE = 'aws.partner/auth0.com/acme-prod-3f2b8c1e-6d4a-4e9b-a1c7-5d8e9f0a1b2c/auth0.logs';
const SAASUS_SOURCE = 'aws.partner/saasus.io/5b4297ce-bdb3-43e2-bf99-d605cac044c8-1/event';
const USER = 'auth0|65f1c0ffee0000000000a001';
const EMAIL = 'jane.applicant@example.com';

/** The EventBridge event a partner rule puts in the queue. */
function onPartnerBus(source: string, detailType: string, detail: unknown) {
  return {
    version: '0',
    id: '6b4bc671-0217-46ca-8ee0-e663c94abd91',
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2026-03-02T09:15:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** An Auth0 Event Streams CloudEvent (Auth0: Event Types, user.updated / user.deleted references). */
function auth0Stream(type: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return onPartnerBus(AUTH0_STREAM_SOURCE, type, {
    specversion: '1.0',
    type,
    source: 'urn:auth0:acme-prod.eu.auth0.com',
    id: 'evt_01HQ8Z3N5K2R7T9V1X3Z5B7D9F',
    time: '2026-03-02T09:15:00.184Z',
    data: {
      object: {
        user_id: USER,
        email: EMAIL,
        email_verified: true,
        name: 'Jane Applicant',
        identities: [{ connection: 'Username-Password-Authentication', provider: 'auth0', isSocial: false }],
        created_at: '2026-03-01T08:00:00.000Z',
        ...object,
      },
      ...extra,
    },
    a0tenant: 'acme-prod',
    a0stream: 'est_2x9QvR4kLm8nTb1cW3yZ',
  });
}

/** An Auth0 log stream event: detail-type "Auth0 log", the log entry in detail.data. */
function auth0Log(data: Record<string, unknown>) {
  return onPartnerBus(AUTH0_LOG_SOURCE, 'Auth0 log', {
    log_id: '90020260302091500120000000000000000000000000000000000001',
    data: {
      date: '2026-03-02T09:15:00.120Z',
      log_id: '90020260302091500120000000000000000000000000000000000001',
      client_id: 'Xq2bUo7Zr1mB3nV5cD8fG0hJ4kL6pQ9s',
      ip: '203.0.113.24',
      ...data,
    },
  });
}

/** A `sapi` entry for a Management API call by an administrator (the caller is data.user_id). */
function sapi(method: string, path: string, body: unknown, statusCode = 200) {
  return auth0Log({
    type: 'sapi',
    description: method === 'delete' ? 'Delete a user' : 'Update a user',
    user_id: 'google-oauth2|108234567890123456789',
    details: {
      request: {
        method,
        path,
        query: {},
        body,
        channel: 'https://manage.auth0.com/',
        auth: { user: { user_id: 'google-oauth2|108234567890123456789' }, strategy: 'jwt' },
      },
      response: { statusCode, body: {} },
    },
  });
}

/** A SaaSus api_call event: detail.event is a JSON string, its request/response bodies JSON strings too. */
function saasus(eventType: string, call: Record<string, unknown>, encode = true) {
  const event = {
    log_id: '1e925d22-f84e-4f49-871d-b793d3005535',
    date_time: '2026-05-19T01:55:23Z',
    date: '2026-05-19',
    ttl: '2033-05-19T01:55:23Z',
    ip_address: '127.0.0.1:48282',
    referer: 'https://saasadmin.console.saasus.io/users',
    saas_id: 'sample_saas_id_sample',
    api_key: 'sample_api_key_sample',
    ...call,
  };
  return onPartnerBus(SAASUS_SOURCE, 'api_call', {
    event_type: eventType,
    event: encode ? JSON.stringify(event) : event,
    trace_id: 'e6295edf-039f-4296-bdad-6d2409d1ad0d',
  });
}

const deleteSaasUser = (extra: Record<string, unknown> = {}) =>
  saasus('delete_saas_user', {
    http_status: '200',
    uri: '/v1/auth/users/66ccc133-67ea-4be4-9c1d-7bddf325a790',
    request_method: 'DELETE',
    request_body: '',
    response_body: '',
    ...extra,
  });

const createSaasUser = () =>
  saasus('create_saas_user', {
    http_status: '201',
    uri: '/v1/auth/users',
    request_method: 'POST',
    request_body: JSON.stringify({ email: EMAIL, password: 'xxxxx' }),
    response_body: JSON.stringify({
      attributes: {},
      email: EMAIL,
      id: '66ccc133-67ea-4be4-9c1d-7bddf325a790',
    }),
  });

type AccessTrigger = Extract<PartnerTrigger, { DetailType: 'User Access Changed' }>;
type AccountTrigger = Extract<PartnerTrigger, { DetailType: 'Account Requested' }>;

function anyTriggerOf(mapping: Mapping): PartnerTrigger {
  if (!('trigger' in mapping)) throw new Error(`Expected a trigger, got refused: ${mapping.refused}`);
  return mapping.trigger;
}

/** The User Access Changed trigger a mapping gave (most partner events are access changes). */
function triggerOf(mapping: Mapping): AccessTrigger {
  const trigger = anyTriggerOf(mapping);
  if (trigger.DetailType !== 'User Access Changed')
    throw new Error(`Expected an access change: ${trigger.DetailType}`);
  return trigger;
}

function accountTriggerOf(mapping: Mapping): AccountTrigger {
  const trigger = anyTriggerOf(mapping);
  if (trigger.DetailType !== 'Account Requested')
    throw new Error(`Expected an account request: ${trigger.DetailType}`);
  return trigger;
}

function refusalOf(mapping: Mapping): string {
  if (!('refused' in mapping)) throw new Error(`Expected a refusal, got ${JSON.stringify(mapping.trigger)}`);
  return mapping.refused;
}

/** Adds fields no partner documents today, at every level the mapping reads. */
function withAddedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withAddedFields);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = { added_in_a_later_release: { nested: [1, 'two'] } };
  for (const [key, child] of Object.entries(value)) {
    copy[key] =
      typeof child === 'string' && child.startsWith('{')
        ? JSON.stringify(withAddedFields(JSON.parse(child)))
        : withAddedFields(child);
  }
  return copy;
}

// --- Mapping -------------------------------------------------------------------------------------------------

describe('mapPartnerEvent: Auth0 Event Streams', () => {
  it('maps user.updated with blocked: true to User Access Changed, versioned by updated_at in ms', () => {
    // Act
    const trigger = triggerOf(
      mapPartnerEvent(auth0Stream('user.updated', { blocked: true, updated_at: '2026-03-02T09:15:00.120Z' })),
    );

    // Assess
    expect(trigger).toEqual({
      Source: 'app.identity',
      DetailType: 'User Access Changed',
      Detail: {
        userId: USER,
        version: Date.UTC(2026, 2, 2, 9, 15, 0, 120),
        blocked: true,
        reason: 'Auth0 user.updated (event evt_01HQ8Z3N5K2R7T9V1X3Z5B7D9F)',
      },
    });
    expect(UserAccessChanged.schema.safeParse(trigger.Detail).success).toBe(true);
  });

  it('maps user.updated with blocked: false to an unblock', () => {
    const trigger = triggerOf(
      mapPartnerEvent(
        auth0Stream('user.updated', { blocked: false, updated_at: '2026-03-02T09:15:04.480Z' }),
      ),
    );
    expect(trigger.Detail).toMatchObject({ blocked: false, version: Date.UTC(2026, 2, 2, 9, 15, 4, 480) });
  });

  it('accepts the com.auth0.-prefixed type of the overview example', () => {
    const trigger = triggerOf(
      mapPartnerEvent(
        auth0Stream('com.auth0.user.updated', { blocked: true, updated_at: '2026-03-02T09:15:00.120Z' }),
      ),
    );
    expect(trigger.Detail.blocked).toBe(true);
  });

  it('reads a blocked flag unset to null, with previous_object blocked, as an unblock', () => {
    const trigger = triggerOf(
      mapPartnerEvent(
        auth0Stream(
          'user.updated',
          { blocked: null, updated_at: '2026-03-02T09:15:04.480Z' },
          { previous_object: { user_id: USER, blocked: true } },
        ),
      ),
    );
    expect(trigger.Detail.blocked).toBe(false);
  });

  it('reads the offset of a timestamp into the version', () => {
    const trigger = triggerOf(
      mapPartnerEvent(
        auth0Stream('user.updated', { blocked: true, updated_at: '2026-03-02T10:15:00.120+01:00' }),
      ),
    );
    expect(trigger.Detail.version).toBe(Date.UTC(2026, 2, 2, 9, 15, 0, 120));
  });

  it('maps user.deleted to a block, versioned by deleted_at', () => {
    const trigger = triggerOf(
      mapPartnerEvent(
        auth0Stream('user.deleted', {
          updated_at: '2026-03-02T09:15:04.480Z',
          deleted_at: '2026-03-03T16:42:10.305Z',
        }),
      ),
    );
    expect(trigger.Detail).toMatchObject({
      userId: USER,
      blocked: true,
      version: Date.UTC(2026, 2, 3, 16, 42, 10, 305),
    });
    expect(trigger.Detail.reason).toMatch(/user deleted$/);
  });

  it.each<[string, ReturnType<typeof auth0Stream>, RegExp]>([
    [
      'user.created: Account Requested needs plan and applicant',
      auth0Stream('user.created', { updated_at: '2026-03-01T08:00:00.000Z' }),
      /^Auth0 user\.created .*app\.accounts \/ Account Requested needs plan and applicant .*not invented/,
    ],
    [
      'user.updated of a user never blocked',
      auth0Stream('user.updated', { updated_at: '2026-03-02T09:15:00.120Z' }),
      /no blocked flag .* not an access change/,
    ],
    [
      'user.updated without updated_at',
      auth0Stream('user.updated', { blocked: true }),
      /updated_at is missing, so the change has no version/,
    ],
    [
      'user.deleted without deleted_at',
      auth0Stream('user.deleted', {}),
      /deleted_at is missing, so the deletion has no version/,
    ],
    [
      'an event type this adapter does not map',
      auth0Stream('organization.created', {}),
      /Auth0 event type 'organization\.created' is not mapped/,
    ],
    [
      'a malformed updated_at, naming the field',
      auth0Stream('user.updated', { blocked: true, updated_at: 'yesterday' }),
      /^Not a valid Auth0 Event Streams event: data\.object\.updated_at: /,
    ],
    [
      'an event without data.object',
      onPartnerBus(AUTH0_STREAM_SOURCE, 'user.updated', {
        id: 'evt_1',
        type: 'user.updated',
        time: '2026-03-02T09:15:00.184Z',
        data: {},
      }),
      /data\.object: /,
    ],
  ])('rejects %s', (_name, event, reason) => {
    expect(refusalOf(mapPartnerEvent(event))).toMatch(reason);
  });
});

describe('mapPartnerEvent: Auth0 log streams', () => {
  const path = '/api/v2/users/auth0%7C65f1c0ffee0000000000a001';

  it('maps an administrator block (sapi PATCH /api/v2/users/{id} with blocked) to User Access Changed', () => {
    const trigger = triggerOf(mapPartnerEvent(sapi('patch', path, { blocked: true })));
    expect(trigger.Detail).toEqual({
      userId: USER, // from the request path, not data.user_id (the administrator who called)
      version: Date.UTC(2026, 2, 2, 9, 15, 0, 120),
      blocked: true,
      reason: 'Auth0 log sapi (log 90020260302091500120000000000000000000000000000000000001)',
    });
  });

  it('maps an administrator unblock', () => {
    expect(triggerOf(mapPartnerEvent(sapi('PATCH', path, { blocked: false }))).Detail.blocked).toBe(false);
  });

  it('maps a Management API user deletion to a block', () => {
    const trigger = triggerOf(mapPartnerEvent(sapi('delete', path, {})));
    expect(trigger.Detail).toMatchObject({ userId: USER, blocked: true });
  });

  it.each<[string, ReturnType<typeof auth0Log>, RegExp]>([
    [
      'limit_wc (brute-force protection, not the blocked flag)',
      auth0Log({ type: 'limit_wc', user_id: USER }),
      /^Auth0 log limit_wc .*brute-force protection, not the user's blocked flag/,
    ],
    ['limit_sul', auth0Log({ type: 'limit_sul', user_id: USER }), /brute-force protection/],
    ['limit_mu', auth0Log({ type: 'limit_mu' }), /brute-force protection/],
    ['ublkdu (a protection block released)', auth0Log({ type: 'ublkdu', user_id: USER }), /block released/],
    ['a successful login', auth0Log({ type: 's', user_id: USER }), /log type 's' is not an access change/],
    [
      'a user update that does not set blocked',
      sapi('patch', path, { email_verified: true }),
      /does not set blocked, so it is not an access change/,
    ],
    [
      'a call on another resource',
      sapi('patch', '/api/v2/clients/abc', { blocked: true }),
      /does not change a user/,
    ],
    ['a call that failed', sapi('patch', path, { blocked: true }, 429), /answered 429, so nothing changed/],
    [
      'a sapi entry without request details',
      auth0Log({ type: 'sapi', details: {} }),
      /not a Management API call: request: /,
    ],
    ['a log entry without a date', auth0Log({ type: 'sapi', date: undefined }), /data\.date: /],
  ])('rejects %s', (_name, event, reason) => {
    expect(refusalOf(mapPartnerEvent(event))).toMatch(reason);
  });
});

describe('mapPartnerEvent: SaaSus Platform', () => {
  it('maps delete_saas_user to a block, user from the uri, versioned by date_time', () => {
    const trigger = triggerOf(mapPartnerEvent(deleteSaasUser()));
    expect(trigger).toEqual({
      Source: 'app.identity',
      DetailType: 'User Access Changed',
      Detail: {
        userId: '66ccc133-67ea-4be4-9c1d-7bddf325a790',
        version: Date.UTC(2026, 4, 19, 1, 55, 23),
        blocked: true,
        reason: 'SaaSus delete_saas_user (log 1e925d22-f84e-4f49-871d-b793d3005535): user deleted',
      },
    });
  });

  it('requests an account for a created user whose SaaS attributes carry the plan and the applicant', () => {
    // Prepare: the SaaS defines these user attributes (docs/partners.md); SaaSus returns them on creation.
    const attributes = {
      plan: 'team',
      fullName: 'Jane Applicant',
      dateOfBirth: '1990-04-01',
      country: 'GB',
      documentNumber: 'AB123456',
      newsletter: true,
    };
    const created = saasus('create_saas_user', {
      http_status: '201',
      uri: '/v1/auth/users',
      request_method: 'POST',
      response_body: JSON.stringify({ attributes, email: EMAIL, id: '66ccc133-67ea-4be4-9c1d-7bddf325a790' }),
    });

    // Act
    const trigger = accountTriggerOf(mapPartnerEvent(created));

    // Assess: the version is the call's date_time in milliseconds; the added attribute is ignored.
    const { newsletter: _ignored, plan, ...applicant } = attributes;
    expect(trigger).toEqual({
      Source: 'app.accounts',
      DetailType: 'Account Requested',
      Detail: {
        userId: '66ccc133-67ea-4be4-9c1d-7bddf325a790',
        version: expect.any(Number),
        plan,
        applicant,
      },
    });
    expect(trigger.Detail.version).toBe(Date.parse('2026-05-19T01:55:23Z'));
  });

  it('reads detail.event given as an object (the 2023 samples) like the JSON string', () => {
    const asObject = saasus(
      'delete_saas_user',
      { http_status: 200, uri: '/v1/auth/users/66ccc133-67ea-4be4-9c1d-7bddf325a790' },
      false,
    );
    expect(triggerOf(mapPartnerEvent(asObject))).toEqual(triggerOf(mapPartnerEvent(deleteSaasUser())));
  });

  it.each<[string, ReturnType<typeof saasus>, RegExp]>([
    [
      'create_saas_user without the applicant attributes: Account Requested needs plan and applicant',
      createSaasUser(),
      /^SaaSus create_saas_user .*Account Requested needs plan and applicant .*from the created user's id and attributes: plan: .*applicant\.fullName/,
    ],
    [
      'a user attribute change',
      saasus('update_saas_user_attributes', {
        http_status: '200',
        uri: '/v1/auth/users/66ccc133-67ea-4be4-9c1d-7bddf325a790/attributes',
        request_method: 'PATCH',
        request_body: JSON.stringify({ attributes: { plan_hint: 'team' } }),
      }),
      /attribute change carries no access state/,
    ],
    [
      'a tenant user attribute change',
      saasus('update_tenant_user', {
        http_status: '200',
        uri: '/v1/auth/tenants/t-1/users/66ccc133-67ea-4be4-9c1d-7bddf325a790',
      }),
      /attribute change carries no access state/,
    ],
    ['a failed call', deleteSaasUser({ http_status: '404' }), /answered 404, so nothing changed/],
    ['a deletion whose uri names no user', deleteSaasUser({ uri: '/v1/auth/users' }), /does not name a user/],
    [
      'a tenant creation',
      saasus('create_tenant', { http_status: '201', uri: '/v1/auth/tenants' }),
      /not mapped/,
    ],
    [
      'detail.event that is not JSON',
      onPartnerBus(SAASUS_SOURCE, 'api_call', { event_type: 'delete_saas_user', event: '{not json' }),
      /^Not a valid SaaSus api_call event: event: /,
    ],
    [
      'an event without date_time',
      deleteSaasUser({ date_time: undefined }),
      /^Not a valid SaaSus api_call event: event\.date_time: /,
    ],
  ])('rejects %s', (_name, event, reason) => {
    expect(refusalOf(mapPartnerEvent(event))).toMatch(reason);
  });
});

describe('mapPartnerEvent: any partner', () => {
  it.each<[string, unknown]>([
    [
      'Auth0 user.updated',
      auth0Stream('user.updated', { blocked: true, updated_at: '2026-03-02T09:15:00.120Z' }),
    ],
    ['Auth0 user.deleted', auth0Stream('user.deleted', { deleted_at: '2026-03-03T16:42:10.305Z' })],
    ['Auth0 log sapi', sapi('patch', '/api/v2/users/auth0%7C65f1c0ffee0000000000a001', { blocked: true })],
    ['SaaSus delete_saas_user', deleteSaasUser()],
  ])('accepts fields added later to %s and maps it the same way', (_name, event) => {
    expect(mapPartnerEvent(withAddedFields(event))).toEqual(mapPartnerEvent(event));
  });

  it('maps a redelivered event to the same trigger and an out-of-order one by its own version', () => {
    // Prepare: blocked, unblocked, then the blocked delivered again, late
    const blocked = auth0Stream('user.updated', { blocked: true, updated_at: '2026-03-02T09:15:00.120Z' });
    const unblocked = auth0Stream('user.updated', { blocked: false, updated_at: '2026-03-02T09:15:04.480Z' });

    // Act
    const [first, second, late] = [blocked, unblocked, blocked].map((e) => triggerOf(mapPartnerEvent(e)));

    // Assess: equal version = duplicate, lower = stale, for the workflow's claim
    expect(late).toEqual(first);
    expect(second?.Detail.version).toBeGreaterThan(first?.Detail.version ?? Number.POSITIVE_INFINITY);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an unknown source',
      onPartnerBus('aws.partner/example.com/x/y', 'thing', {}),
      /^Unknown partner event source/,
    ],
    [
      'something that is not an EventBridge event',
      { hello: 'world' },
      /^Not an EventBridge event: id: .*source: /,
    ],
    ['null', null, /^Not an EventBridge event/],
  ])('rejects %s', (_name, event, reason) => {
    expect(refusalOf(mapPartnerEvent(event))).toMatch(reason);
  });

  it('keeps personal data out of every reason', () => {
    const events = [
      auth0Stream('user.created', {}),
      auth0Stream('user.updated', { updated_at: '2026-03-02T09:15:00.120Z' }),
      createSaasUser(),
      auth0Stream('user.updated', { blocked: true, updated_at: 'not a date' }),
    ];
    for (const event of events) expect(refusalOf(mapPartnerEvent(event))).not.toContain(EMAIL);
  });
});

// --- The batch: partial failures ----------------------------------------------------------------------------

function sqsEvent(...bodies: string[]): SqsEvent {
  return { Records: bodies.map((body, i) => ({ messageId: `m-${i + 1}`, body })) };
}

/** In-memory ports: a bus that refuses the users in `failFor`, a queue that records what is parked. */
function fakes(options: { failFor?: string[]; parkFails?: boolean } = {}) {
  const put: PartnerTrigger[] = [];
  const parked: { reason: string; event: unknown }[] = [];
  const deps: AdapterDeps = {
    bus: {
      put: async (trigger) => {
        if (options.failFor?.includes(trigger.Detail.userId))
          throw new TriggerNotDelivered('PutEvents did not accept the trigger: ThrottlingException');
        put.push(trigger);
      },
    },
    rejected: {
      park: async (reason, event) => {
        if (options.parkFails) throw new Error('SQS unavailable');
        parked.push({ reason, event });
      },
    },
  };
  return { put, parked, deps };
}

describe('adaptBatch', () => {
  const blocked = JSON.stringify(
    auth0Stream('user.updated', { blocked: true, updated_at: '2026-03-02T09:15:00.120Z' }),
  );
  const deleted = JSON.stringify(deleteSaasUser());
  const created = JSON.stringify(createSaasUser());

  it('puts mapped events and parks refused ones, reporting no failure', async () => {
    // Prepare
    const { put, parked, deps } = fakes();

    // Act
    const response = await adaptBatch(sqsEvent(blocked, created, deleted), deps);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(put.map((t) => t.Detail.userId)).toEqual([USER, '66ccc133-67ea-4be4-9c1d-7bddf325a790']);
    expect(parked).toHaveLength(1);
    expect(parked[0]?.reason).toMatch(/^SaaSus create_saas_user/);
    expect(parked[0]?.event).toEqual(JSON.parse(created));
  });

  it('fails only the record whose put failed, so SQS redelivers that one alone', async () => {
    const { put, deps } = fakes({ failFor: ['66ccc133-67ea-4be4-9c1d-7bddf325a790'] });
    const response = await adaptBatch(sqsEvent(blocked, deleted, created), deps);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(put.map((t) => t.Detail.userId)).toEqual([USER]);
  });

  it('parks a body that is not JSON as it came, and counts it as processed', async () => {
    const { parked, deps } = fakes();
    const response = await adaptBatch(sqsEvent('{"truncated":'), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(parked).toEqual([{ reason: expect.stringMatching(/not JSON/), event: '{"truncated":' }]);
  });

  it('fails a refused record whose parking failed, so nothing is lost', async () => {
    const { deps } = fakes({ parkFails: true });
    const response = await adaptBatch(sqsEvent(blocked, created), deps);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
  });

  it('fails every record when the bus is down', async () => {
    const { deps } = fakes({ failFor: [USER, '66ccc133-67ea-4be4-9c1d-7bddf325a790'] });
    const response = await adaptBatch(sqsEvent(blocked, deleted), deps);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-1', 'm-2']);
  });
});

describe('handler', () => {
  it('rejects an input that is not an SQS event with InvalidInput', async () => {
    await expect(handler({ Records: [{ body: 1 }] })).rejects.toThrow(InvalidInput);
  });
});

// --- AWS ports, over stub clients ------------------------------------------------------------------------------

describe('eventBridgeTriggerBus', () => {
  const trigger = triggerOf(mapPartnerEvent(deleteSaasUser()));

  it('puts one entry on the named bus with the detail as JSON', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        sent.push(command.input);
        return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
      },
    } as unknown as EventBridgeClient;
    await eventBridgeTriggerBus(client, 'onboarding-kyc').put(trigger);
    expect(sent).toEqual([
      {
        Entries: [
          {
            EventBusName: 'onboarding-kyc',
            Source: 'app.identity',
            DetailType: 'User Access Changed',
            Detail: JSON.stringify(trigger.Detail),
          },
        ],
      },
    ]);
  });

  it('fails with TriggerNotDelivered when PutEvents reports a failed entry', async () => {
    const client = {
      send: async () => ({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Try again' }],
      }),
    } as unknown as EventBridgeClient;
    await expect(eventBridgeTriggerBus(client, 'onboarding-kyc').put(trigger)).rejects.toThrow(
      new TriggerNotDelivered('PutEvents did not accept the trigger: InternalFailure: Try again'),
    );
  });
});

describe('sqsRejectedEvents', () => {
  it('sends the reason and the event to the rejected-events queue', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => void sent.push(command.input),
    } as unknown as SQSClient;
    await sqsRejectedEvents(client, 'http://queue/rejected').park('because', { a: 1 });
    expect(sent).toEqual([
      {
        QueueUrl: 'http://queue/rejected',
        MessageBody: JSON.stringify({ reason: 'because', event: { a: 1 } }),
      },
    ]);
  });
});

// --- The put-partner-events samples ------------------------------------------------------------------------------

interface PartnerEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Time: string;
}

const samplesDir = join(__dirname, '../../events/samples/partners');
const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.json'));

/** What EventBridge makes of a PutPartnerEvents entry. */
function asDelivered(entry: PartnerEntry) {
  return onPartnerBus(entry.Source, entry.DetailType, JSON.parse(entry.Detail));
}

describe('events/samples/partners', () => {
  it.each(samples)('%s holds valid put-partner-events entries that map as their name says', (file) => {
    const entries = JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as PartnerEntry[];
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries.length).toBeLessThanOrEqual(10);
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual(['Detail', 'DetailType', 'Source', 'Time']);
      expect(entry.Source).toMatch(/^aws\.partner\/(auth0\.com|saasus\.io)\//);
      const mapping = mapPartnerEvent(asDelivered(entry));
      if (file.endsWith('-refused.json')) expect(mapping).toHaveProperty('refused');
      else expect(anyTriggerOf(mapping).Detail.userId).not.toBe('');
    }
  });

  it('has an Auth0 race: blocked, unblocked, then the blocked again with its old version', () => {
    const entries = JSON.parse(
      readFileSync(join(samplesDir, 'auth0-block-race.json'), 'utf8'),
    ) as PartnerEntry[];
    const details = entries.map((e) => triggerOf(mapPartnerEvent(asDelivered(e))).Detail);
    expect(details.map((d) => d.blocked)).toEqual([true, false, true]);
    const [v1, v2, v3] = details.map((d) => d.version);
    expect(v2).toBeGreaterThan(v1 ?? Number.POSITIVE_INFINITY);
    expect(v3).toBe(v1);
  });
});
