import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENTS_REQUESTS, eventsActions } from './api/events';
import { FORM_TYPE, mediaType, requestGuard } from './api/guard';
import { logsActions } from './api/logs';
import type { ApiActions, ErrorAnswer } from './api/protocol';
import { handleSchemasRequest, SCHEMAS_PATH_PREFIX } from './api/schemas';
import { secretsActions } from './api/secrets';
import { checkRequest, LOGS_REQUESTS, type RequestShapes, SECRETS_REQUESTS } from './api/shapes';
import { SQS_REQUESTS, sqsActions, sqsJsonError } from './api/sqs';
import { handleSqsQuery } from './api/sqs-query';
import { STATES_REQUESTS, statesActions } from './api/states';
import type { LocalApp } from './app';
import { AwsError } from './errors';
import type { EventRecord } from './eventbridge/bus';
import { describeFaultRule, parseFaultRule } from './eventbridge/faults';
import { isFunctionUrlPath } from './function-urls';
import { nestsDeeperThan } from './json-depth';
import { SqsError } from './sqs';
import { buildCatalogue } from './viewer/catalogue';
import { viewerExecutions } from './viewer/executions';
import { viewerFile } from './viewer/serve';

/** Requests larger than this are refused before they are parsed (PutEvents' own limit is 256 KiB). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * How deep a JSON request body may nest. The deepest any AWS request the runtime serves legitimately goes is
 * a DynamoDB item at DynamoDB's limit, 32 levels of attribute values, two JSON levels each; payloads nested
 * deeper travel as JSON text inside a string (Detail, input), checked where they are read. Past this, dynalite's
 * recursive validation overflows the stack and takes the whole process with it.
 */
const MAX_REQUEST_DEPTH = 100;

/**
 * DynamoDB's answer to an item nested past its 32 levels (recorded against AWS in nubo-db/dynoxide#110; the
 * limit is in the DynamoDB Developer Guide's "Constraints" page), which dynalite does not check.
 */
const DYNAMODB_TOO_DEEP = JSON.stringify({
  __type: 'com.amazon.coral.validate#ValidationException',
  message:
    'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
});

/** The JSON services, by the `X-Amz-Target` prefix their clients send. */
interface JsonService {
  /** The service's JSON protocol version, as its Content-Type. */
  readonly contentType: string;
  readonly actions: ApiActions;
  /**
   * Each action's request: a member of the wrong JSON type is SerializationException before the action runs,
   * and an action without one is not served.
   */
  readonly requests: RequestShapes;
  /** The error for an action the service does not serve. */
  readonly unknownAction: (target: string) => AwsError;
  /** How the service answers an error. */
  readonly errorAnswer: (error: AwsError) => ErrorAnswer;
}

/** A JSON service with AWS's usual errors: HTTP 400, `{"__type": code, "message": ...}`. */
function jsonService(contentType: string, actions: ApiActions, requests: RequestShapes): JsonService {
  return {
    contentType,
    actions,
    requests,
    unknownAction: (target) =>
      new AwsError('UnknownOperationException', `Operation ${target} is not supported.`),
    errorAnswer: (error) => ({
      status: 400,
      headers: { 'Content-Type': contentType },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    }),
  };
}

export interface ServerOptions {
  /** 127.0.0.1 unless asked otherwise: the runtime has no authentication. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /**
   * Host names the runtime answers besides the address it is bound to (for a loopback address: localhost,
   * 127.0.0.1 and [::1]), e.g. a Docker service name; `name:port` when clients reach it on another port. A
   * request with any other Host header is refused (see `requestGuard`).
   */
  readonly allowedHosts?: readonly string[];
}

/**
 * The local runtime's one HTTP port: AWS's JSON protocols dispatched on `X-Amz-Target` (EventBridge, Step
 * Functions, SQS, DynamoDB through dynalite), SQS's query protocol for older CLIs, and the runtime's own
 * `/_local/*` endpoints (fault injection, health).
 */
export class LocalServer {
  private handler?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /**
   * Binds the port first, so the app can be built knowing its own endpoint (queue URLs contain it); until
   * `serve` is called every request is answered 503.
   */
  static async listen(options: ServerOptions = {}): Promise<LocalServer> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 4010;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `${host}:${port} is already in use (another local runtime?); choose another with --port.`,
              )
            : error,
        ),
      );
      server.listen(port, host, () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    const local = new LocalServer(server, `http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
    const refusal = requestGuard(host, bound, options.allowedHosts ?? []);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const refused = refusal(request);
      if (refused) {
        // The body is not read, but drained, so that the connection can take the next request.
        request.resume();
        return sendError(response, refused.status, refused.type, refused.message);
      }
      const handler = local.handler;
      if (!handler) return sendError(response, 503, 'ServiceUnavailable', 'The local runtime is starting.');
      handler(request, response).catch((error: unknown) => {
        console.error('local runtime: unexpected error', error);
        if (!response.headersSent) sendError(response, 500, 'InternalFailure', 'The local runtime failed.');
        // An answer already begun (dynalite's, passed through) is ended short rather than left hanging.
        else response.end();
      });
    });
    return local;
  }

  /** Starts answering with the app's APIs. */
  serve(app: LocalApp): void {
    const services: Record<string, JsonService> = {
      AWSEvents: jsonService(
        'application/x-amz-json-1.1',
        eventsActions(app.eventBridge, { rules: app.rules, archives: app.archives }),
        EVENTS_REQUESTS,
      ),
      Logs_20140328: jsonService('application/x-amz-json-1.1', logsActions(app.logs), LOGS_REQUESTS),
      AWSStepFunctions: jsonService(
        'application/x-amz-json-1.0',
        statesActions(app.stepFunctions),
        STATES_REQUESTS,
      ),
      // SQS's JSON protocol is query-compatible: an unknown action is the query protocol's InvalidAction,
      // and errors carry x-amzn-query-error, after which clients name them.
      AmazonSQS: {
        contentType: 'application/x-amz-json-1.0',
        actions: sqsActions(app.queues),
        requests: SQS_REQUESTS,
        unknownAction: (target) => SqsError.invalidAction(target.slice(target.indexOf('.') + 1)),
        errorAnswer: sqsJsonError,
      },
      secretsmanager: jsonService(
        'application/x-amz-json-1.1',
        secretsActions(app.secrets),
        SECRETS_REQUESTS,
      ),
    };
    this.handler = (request, response) => handle(app, services, request, response);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function handle(
  app: LocalApp,
  services: Record<string, JsonService>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  // A function URL answers an oversized body with Lambda's own error, and any other body the function's way.
  if (isFunctionUrlPath(request.url)) return app.functionUrls.serve(request, body, response);
  if (body === undefined) {
    return sendError(
      response,
      413,
      'RequestEntityTooLarge',
      `Requests are limited to ${MAX_REQUEST_BYTES} bytes.`,
    );
  }
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
  const path = url.pathname;
  if (path.startsWith('/_local/')) {
    const { status, value } = localEndpoint(app, request.method ?? 'GET', url, body);
    return sendJson(response, status, 'application/json', value);
  }
  if (path === SCHEMAS_PATH_PREFIX || path.startsWith(`${SCHEMAS_PATH_PREFIX}/`)) {
    // The Schemas API is REST-JSON: the action is the method and path, not an X-Amz-Target.
    const answer = handleSchemasRequest(app.schemaRegistry, request.method ?? 'GET', url);
    response.writeHead(answer.status, { ...answer.headers, 'x-amzn-RequestId': randomUUID() });
    return void response.end(answer.body);
  }
  if (request.method === 'GET') {
    const page = viewerFile(path);
    if (page) {
      response.writeHead(200, { 'Content-Type': page.contentType, 'Cache-Control': 'no-cache' });
      return void response.end(page.body);
    }
  }

  const target = request.headers['x-amz-target'];
  if (request.method === 'POST' && typeof target === 'string') {
    const [prefix = '', action = ''] = target.split('.');
    const text = body.toString('utf8');
    if (prefix === 'DynamoDB_20120810') {
      if (!nestsDeeperThan(text, MAX_REQUEST_DEPTH)) return proxyToDynalite(app, request, body, response);
      response.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
      return void response.end(DYNAMODB_TOO_DEEP);
    }
    const service = services[prefix];
    if (!service)
      return sendError(response, 400, 'UnknownOperationException', `Operation ${target} is not supported.`);
    try {
      // Object.hasOwn: an action name such as `constructor` must not find a prototype method.
      const run = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
      const shape = Object.hasOwn(service.requests, action) ? service.requests[action] : undefined;
      if (!run || !shape) throw service.unknownAction(target);
      return sendJson(response, 200, service.contentType, await run(checkRequest(parseBody(text), shape)));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const answer = service.errorAnswer(error);
      response.writeHead(answer.status, answer.headers);
      return void response.end(answer.body);
    }
  }
  if (request.method === 'POST' && mediaType(request.headers['content-type']) === FORM_TYPE) {
    // SQS's query protocol, which Debian's AWS CLI 2.9 still speaks. It may post to the queue's own URL
    // instead of naming it in QueueUrl.
    const answer = await handleSqsQuery(
      new URLSearchParams(body.toString('utf8')),
      services.AmazonSQS?.actions as ApiActions,
      url.href,
    );
    response.writeHead(answer.status, { 'Content-Type': answer.contentType });
    return void response.end(answer.body);
  }
  return sendError(response, 400, 'UnknownOperationException', 'Requests need an X-Amz-Target header.');
}

/**
 * The runtime's own endpoints: a health check, fault injection for PutEvents, and what the viewer shows
 * beyond the AWS APIs: the events the buses accepted (with the rules they matched and their deliveries)
 * and the queues' messages, read without receiving them.
 */
function localEndpoint(
  app: LocalApp,
  method: string,
  url: URL,
  body: Buffer,
): { status: number; value: unknown } {
  const path = url.pathname;
  const faults = app.eventBridge.faults;
  const listed = () => ({ status: 200, value: { faults: faults.map(describeFaultRule) } });
  if (path === '/_local/health' && method === 'GET') return { status: 200, value: { status: 'ready' } };
  if (path === '/_local/events' && method === 'GET')
    return { status: 200, value: { events: busEvents(app, url.searchParams) } };
  if (path === '/_local/queues' && method === 'GET')
    return { status: 200, value: { queues: queueContents(app) } };
  if (path === '/_local/executions' && method === 'POST') return viewerExecutionsAnswer(app, body);
  if (path === '/_local/catalogue' && method === 'GET') return { status: 200, value: buildCatalogue(app) };
  if (path === '/_local/faults' && method === 'GET') return listed();
  if (path === '/_local/faults' && method === 'DELETE') {
    faults.length = 0;
    return listed();
  }
  if (path === '/_local/faults' && method === 'POST') {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8') || 'null');
      // Parse every rule before adding any, so a bad rule in a list adds none.
      faults.push(...(Array.isArray(parsed) ? parsed : [parsed]).map(parseFaultRule));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { status: 400, value: { __type: 'ValidationException', message } };
    }
    return listed();
  }
  return {
    status: 404,
    value: {
      __type: 'ResourceNotFoundException',
      message: `${method} ${path} is not a local runtime endpoint.`,
    },
  };
}

/** The viewer's executions list; an error in the request is answered as AWS would (HTTP 400). */
function viewerExecutionsAnswer(app: LocalApp, body: Buffer): { status: number; value: unknown } {
  try {
    return { status: 200, value: viewerExecutions(app, body.toString('utf8')) };
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return { status: 400, value: { __type: error.code, message: error.message } };
  }
}

/**
 * The events the buses accepted, newest first: `limit` (default 100, at most 1000), `bus` (a bus name) and
 * `execution` (an execution ARN: the events that execution put, which carry it in their resources).
 */
function busEvents(app: LocalApp, query: URLSearchParams): EventRecord[] {
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 100) || 100, 1), 1000);
  const bus = query.get('bus');
  const execution = query.get('execution');
  const found: EventRecord[] = [];
  const records = app.eventBridge.records;
  for (let i = records.length - 1; i >= 0 && found.length < limit; i--) {
    const record = records[i] as EventRecord;
    if (bus && record.busName !== bus) continue;
    if (execution && !record.event.resources.includes(execution)) continue;
    found.push(record);
  }
  return found;
}

/** Every queue with its counts and messages, oldest first, without receiving them. */
function queueContents(app: LocalApp) {
  return app.queues.all().map((queue) => ({
    name: queue.name,
    url: queue.url,
    arn: queue.arn,
    origin: queue.origin,
    counts: queue.counts(),
    messages: queue.messages.map((m) => ({
      messageId: m.messageId,
      body: m.body,
      sentAt: new Date(m.sentAt),
      receiveCount: m.receiveCount,
    })),
  }));
}

/** DynamoDB is dynalite's own API: the request and response pass through unchanged (CRC32 header included). */
async function proxyToDynalite(
  app: LocalApp,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of [
    'content-type',
    'x-amz-target',
    'authorization',
    'x-amz-date',
    'x-amz-security-token',
  ]) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = await fetch(app.dynamodb.endpoint, { method: 'POST', headers, body });
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'x-amz-crc32', 'x-amzn-requestid'])
    out[name] = upstream.headers.get(name) ?? '';
  response.writeHead(upstream.status, out);
  response.end(Buffer.from(await upstream.arrayBuffer()));
}

/** A JSON protocol's request body: an empty one is `{}`; one that is not JSON is SerializationException. */
function parseBody(text: string): unknown {
  if (text.length === 0) return {};
  if (nestsDeeperThan(text, MAX_REQUEST_DEPTH))
    throw new AwsError(
      'SerializationException',
      `The request body is nested deeper than ${MAX_REQUEST_DEPTH} levels, which no request of this API needs.`,
    );
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** AWS JSON protocols send timestamps as epoch seconds. */
function epochSeconds(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

/**
 * Answers with a JSON body, serialised before anything is sent: a value that cannot be (too deep for
 * JSON.stringify's recursion, or holding a BigInt) is answered as InternalFailure, never a response begun and
 * never ended.
 */
function sendJson(response: ServerResponse, status: number, contentType: string, value: unknown): void {
  let body: string;
  try {
    body = JSON.stringify(value ?? {}, epochSeconds);
  } catch (error) {
    console.error('local runtime: a response could not be serialised', error);
    const reason = error instanceof Error ? error.message : String(error);
    sendError(
      response,
      500,
      'InternalFailure',
      `The local runtime could not serialise its answer: ${reason}`,
    );
    return;
  }
  response.writeHead(status, { 'Content-Type': contentType, 'x-amzn-RequestId': randomUUID() });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, 'application/x-amz-json-1.1', { __type: type, message });
}
