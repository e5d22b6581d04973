import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnsupportedTemplateError } from './errors';
import type { LocalEnv, Resource } from './template';

export const FUNCTION_URL_TYPE = 'AWS::Lambda::Url';

/** Where the runtime serves a function URL: `/lambda-url/<function-name>/`, any path and query after it. */
export const FUNCTION_URL_PREFIX = '/lambda-url/';

/**
 * Lambda's limit on a synchronous invocation's payload, request and response alike: 6 MB (Lambda Developer
 * Guide, "Lambda quotas": https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Invoke
 * refuses a larger request with RequestTooLargeException and this message.
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const TOO_LARGE_MESSAGE = `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`;

/** Whether a request's target (path and query) is a function URL's. */
export function isFunctionUrlPath(target: string | undefined): boolean {
  return (target ?? '').startsWith(FUNCTION_URL_PREFIX);
}

/** A function URL's CORS settings (AWS::Lambda::Url Cors). */
interface Cors {
  readonly AllowCredentials?: boolean | string;
  readonly AllowHeaders?: readonly string[];
  readonly AllowMethods?: readonly string[];
  readonly AllowOrigins?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAge?: number | string;
}

/** One function URL of the template. */
export interface FunctionUrl {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** Its full local URL, ending in `/`. */
  readonly url: string;
  /** The `<url-id>` of the URL Lambda would give it: stable, derived from the account, region and function. */
  readonly urlId: string;
  readonly cors?: Cors;
}

/** What runs a function: the runtime's LocalLambdas. */
export interface FunctionInvoker {
  has(nameOrArn: string): boolean;
  invoke(nameOrArn: string, payload: unknown): Promise<unknown>;
}

/**
 * The identity CloudFormation gives an AWS::Lambda::Url: Ref and FunctionArn are the target function's ARN,
 * FunctionUrl its URL. Here the URL is the runtime's own, at `/lambda-url/<function-name>/`. The target is
 * a function's name or ARN, or a Ref or Fn::GetAtt Arn of a function in the template (`identities`).
 */
export function functionUrlIdentity(
  logicalId: string,
  properties: Record<string, unknown>,
  identities: ReadonlyMap<string, { ref: string; attributes: Record<string, string> }>,
  env: LocalEnv,
): { ref: string; attributes: Record<string, string> } {
  const target = properties.TargetFunctionArn;
  let name: string | undefined;
  if (typeof target === 'string') name = target.startsWith('arn:') ? target.split(':')[6] : target;
  else if (target !== null && typeof target === 'object') {
    const ref = (target as { Ref?: unknown }).Ref;
    const getAtt = (target as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    const [id, attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt ?? '').split('.');
    if (typeof ref === 'string') name = identities.get(ref)?.ref;
    else if (attribute === 'Arn') name = identities.get(String(id))?.ref;
  }
  if (!name)
    throw new UnsupportedTemplateError(
      `${logicalId} (${FUNCTION_URL_TYPE}): TargetFunctionArn ${JSON.stringify(target)} does not name a function of the template.`,
    );
  const arn = `arn:aws:lambda:${env.region}:${env.account}:function:${name}`;
  return {
    ref: arn,
    attributes: { FunctionArn: arn, FunctionUrl: `${env.endpoint}${FUNCTION_URL_PREFIX}${name}/` },
  };
}

/**
 * The template's Lambda function URLs, served on the runtime's own port at `/lambda-url/<function-name>/`.
 * A request becomes the function URL event (payload format 2.0) and the function's result the HTTP response,
 * as the Lambda Developer Guide's "Invoking Lambda function URLs" describes
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
 *
 * Refused at startup, rather than served differently from AWS: AuthType AWS_IAM (SigV4-signed requests, which
 * the runtime does not verify) and InvokeMode RESPONSE_STREAM.
 */
export class LocalFunctionUrls {
  private readonly byName = new Map<string, FunctionUrl>();

  constructor(
    resources: Iterable<Resource>,
    private readonly functions: FunctionInvoker,
    private readonly env: LocalEnv,
  ) {
    for (const r of resources) {
      if (r.type !== FUNCTION_URL_TYPE) continue;
      const p = r.properties;
      const where = `${r.logicalId} (${FUNCTION_URL_TYPE})`;
      if (p.AuthType === 'AWS_IAM')
        throw new UnsupportedTemplateError(
          `${where}: AuthType AWS_IAM is not emulated (the local runtime does not verify SigV4 signatures); use AuthType NONE for local runs.`,
        );
      if (p.AuthType !== 'NONE')
        throw new UnsupportedTemplateError(`${where}: AuthType ${JSON.stringify(p.AuthType)} is not NONE.`);
      if (p.InvokeMode !== undefined && p.InvokeMode !== 'BUFFERED')
        throw new UnsupportedTemplateError(
          `${where}: InvokeMode ${JSON.stringify(p.InvokeMode)} is not emulated; the local runtime serves BUFFERED function URLs.`,
        );
      const functionArn = r.attributes.FunctionArn as string;
      const functionName = functionArn.split(':')[6] as string;
      if (!functions.has(functionArn))
        throw new UnsupportedTemplateError(`${where}: its function ${functionName} is not in the template.`);
      if (this.byName.has(functionName))
        throw new UnsupportedTemplateError(`${where}: function ${functionName} already has a function URL.`);
      const urlId = createHash('sha256')
        .update(`${env.account}/${env.region}/${functionName}`)
        .digest('hex')
        .slice(0, 32);
      this.byName.set(functionName, {
        logicalId: r.logicalId,
        functionName,
        functionArn,
        url: r.attributes.FunctionUrl as string,
        urlId,
        ...(p.Cors && typeof p.Cors === 'object' ? { cors: p.Cors as Cors } : {}),
      });
    }
  }

  list(): FunctionUrl[] {
    return [...this.byName.values()];
  }

  /**
   * Answers a request to `/lambda-url/<function-name>/…`. `body` is undefined when it was too large to read
   * whole (the server's own cap), which is past Lambda's limit too.
   */
  async serve(request: IncomingMessage, body: Buffer | undefined, response: ServerResponse): Promise<void> {
    const answer = await this.answer(request, body);
    // Grouped by name, so that a repeated header (set-cookie) is sent once per value.
    const headers: Record<string, string[]> = {};
    for (const [name, value] of answer.headers) {
      const key = name.toLowerCase();
      headers[key] = [...(headers[key] ?? []), value];
    }
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  }

  private async answer(request: IncomingMessage, body: Buffer | undefined): Promise<Answer> {
    // The request guard lets a link followed from another site open the runtime's pages; a function URL is no
    // page: the function may act on a GET, so another site's navigation is refused as its other requests are.
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return errorAnswer(
        403,
        'AccessDeniedException',
        `A ${site} request from a web page is refused: only the runtime's own page may call a function URL from a browser.`,
      );
    const target = (request.url ?? '/').slice(FUNCTION_URL_PREFIX.length);
    const [pathPart = '', ...query] = target.split('?');
    const slash = pathPart.indexOf('/');
    const name = decoded(slash < 0 ? pathPart : pathPart.slice(0, slash));
    const url = this.byName.get(name);
    if (!url)
      return errorAnswer(
        404,
        'ResourceNotFoundException',
        `No function URL is served at ${FUNCTION_URL_PREFIX}${name}/. The template's function URLs: ${
          this.list()
            .map((u) => u.url)
            .join(', ') || '(none)'
        }.`,
      );
    if (body === undefined || body.length > MAX_PAYLOAD_BYTES)
      return errorAnswer(413, 'RequestTooLargeException', TOO_LARGE_MESSAGE);

    const preflight = url.cors && corsPreflight(url.cors, request);
    if (preflight) return preflight;

    const event = this.event(url, request, slash < 0 ? '/' : pathPart.slice(slash), query.join('?'), body);
    // Lambda counts the whole event against the limit: a binary body grows by a third in base64.
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_PAYLOAD_BYTES)
      return errorAnswer(413, 'RequestTooLargeException', TOO_LARGE_MESSAGE);
    let result: unknown;
    try {
      result = await this.functions.invoke(url.functionArn, event);
    } catch (error) {
      // A function error reaches the caller as a bad gateway; what went wrong is for the function's logs,
      // which locally are the runtime's output.
      console.error(
        `local runtime: function ${url.functionName} failed behind its URL: ${describeError(error)}`,
      );
      return internalServerError();
    }
    const answer = responseOf(result);
    if (url.cors) applyCors(url.cors, request, answer);
    return answer;
  }

  /** The function URL event (payload format version 2.0) for a request. */
  private event(
    url: FunctionUrl,
    request: IncomingMessage,
    rawPath: string,
    rawQueryString: string,
    body: Buffer,
  ) {
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    const raw = request.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      const value = raw[i + 1] as string;
      // Cookies travel in their own list, not as a header.
      if (name === 'cookie') {
        cookies.push(
          ...value
            .split(';')
            .map((c) => c.trim())
            .filter((c) => c !== ''),
        );
        continue;
      }
      // A repeated header's values are joined with commas, as in the guide's `"header2": "value1,value2"`.
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
    const sourceIp = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    headers['x-forwarded-for'] ??= sourceIp;
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-forwarded-port'] ??= String(request.socket.localPort ?? '');

    const queryStringParameters: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(rawQueryString))
      queryStringParameters[key] =
        key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;

    const now = new Date();
    const text = body.length > 0 && isText(headers['content-type']) ? utf8(body) : undefined;
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString,
      ...(cookies.length > 0 ? { cookies } : {}),
      headers,
      ...(rawQueryString === '' ? {} : { queryStringParameters }),
      requestContext: {
        // AuthType NONE: Lambda knows no caller account, and says so.
        accountId: 'anonymous',
        apiId: url.urlId,
        domainName: `${url.urlId}.lambda-url.${this.env.region}.on.aws`,
        domainPrefix: url.urlId,
        http: {
          method: request.method ?? 'GET',
          path: rawPath,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp,
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: clfTime(now),
        timeEpoch: now.getTime(),
      },
      ...(body.length === 0 ? {} : { body: text ?? body.toString('base64') }),
      isBase64Encoded: body.length > 0 && text === undefined,
    };
  }
}

/** A function's error as Lambda reports it: its type and message (LambdaFunctionError carries them as JSON). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  try {
    const { errorType, errorMessage } = JSON.parse(error.message) as {
      errorType?: string;
      errorMessage?: string;
    };
    return `${errorType ?? error.name}: ${errorMessage ?? ''}`;
  } catch {
    return `${error.name}: ${error.message}`;
  }
}

/** A path segment percent-decoded; one that is not valid percent-encoding names no function, as it is. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** An HTTP answer: status, headers (a list, so that `set-cookie` can repeat) and body. */
interface Answer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

function errorAnswer(status: number, type: string, message: string): Answer {
  return {
    status,
    headers: [
      ['content-type', 'application/json'],
      ['x-amzn-ErrorType', type],
      ['x-amzn-RequestId', randomUUID()],
    ],
    body: Buffer.from(JSON.stringify({ Message: message })),
  };
}

/** What a function URL answers when its function fails or returns what Lambda cannot map: a bad gateway. */
function internalServerError(): Answer {
  return {
    status: 502,
    headers: [
      ['content-type', 'application/json'],
      ['x-amzn-RequestId', randomUUID()],
    ],
    body: Buffer.from('Internal Server Error'),
  };
}

/**
 * The HTTP response for a function's result. An object with a statusCode is the response itself (headers,
 * cookies as set-cookie headers, a body base64-decoded when isBase64Encoded); anything else is the body of a
 * 200 application/json response, as JSON (a string result arrives in quotes, as the guide's example shows).
 */
function responseOf(result: unknown): Answer {
  const json = JSON.stringify(result ?? null);
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) return internalServerError();
  const base = (): [string, string][] => [['x-amzn-RequestId', randomUUID()]];
  if (result === null || typeof result !== 'object' || Array.isArray(result) || !('statusCode' in result))
    return {
      status: 200,
      headers: [['content-type', 'application/json'], ...base()],
      body: Buffer.from(json),
    };
  const r = result as Record<string, unknown>;
  const status = Number(r.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return internalServerError();
  const headers = base();
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers)) return internalServerError();
    for (const [name, value] of Object.entries(r.headers))
      if (value !== undefined && value !== null) headers.push([name, String(value)]);
  }
  if (r.cookies !== undefined && r.cookies !== null) {
    if (!Array.isArray(r.cookies)) return internalServerError();
    for (const cookie of r.cookies) headers.push(['set-cookie', String(cookie)]);
  }
  let body = Buffer.alloc(0);
  if (r.body !== undefined && r.body !== null) {
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
  }
  return { status, headers, body };
}

/**
 * Whether a body of this content type reaches the function as text rather than base64: text/*, and JSON,
 * XML and JavaScript media types. Anything else, or no content type, is binary.
 */
function isText(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

/** The body as UTF-8 text, or undefined when it is not valid UTF-8 (then it travels as base64). */
function utf8(body: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The request time as the event's `time` gives it: `12/Mar/2020:19:03:58 +0000`. */
function clfTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** The origin a CORS configuration allows for this request's Origin, or undefined. */
function allowedOrigin(cors: Cors, request: IncomingMessage): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes(origin)) return origin;
  // With credentials allowed, a browser needs its own origin echoed rather than `*`.
  if (origins.includes('*')) return truthy(cors.AllowCredentials) ? origin : '*';
  return undefined;
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * With Cors configured, Lambda answers a browser's preflight itself (an OPTIONS with Origin and
 * Access-Control-Request-Method) without invoking the function (Lambda Developer Guide, "Cross-origin resource
 * sharing (CORS)": https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors).
 */
function corsPreflight(cors: Cors, request: IncomingMessage): Answer | undefined {
  if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined)
    return undefined;
  const headers: [string, string][] = [['x-amzn-RequestId', randomUUID()]];
  const origin = allowedOrigin(cors, request);
  if (origin !== undefined) {
    headers.push(['access-control-allow-origin', origin]);
    if (cors.AllowMethods?.length)
      headers.push(['access-control-allow-methods', cors.AllowMethods.join(',')]);
    if (cors.AllowHeaders?.length)
      headers.push(['access-control-allow-headers', cors.AllowHeaders.join(',')]);
    if (cors.MaxAge !== undefined) headers.push(['access-control-max-age', String(cors.MaxAge)]);
    if (truthy(cors.AllowCredentials)) headers.push(['access-control-allow-credentials', 'true']);
    headers.push(['vary', 'Origin']);
  }
  return { status: 200, headers, body: Buffer.alloc(0) };
}

/** Lambda's CORS headers on a response, in place of any the function set. */
function applyCors(cors: Cors, request: IncomingMessage, answer: Answer): void {
  answer.headers = answer.headers.filter(([name]) => !name.toLowerCase().startsWith('access-control-'));
  const origin = allowedOrigin(cors, request);
  if (origin === undefined) return;
  answer.headers.push(['access-control-allow-origin', origin]);
  if (truthy(cors.AllowCredentials)) answer.headers.push(['access-control-allow-credentials', 'true']);
  if (cors.ExposeHeaders?.length)
    answer.headers.push(['access-control-expose-headers', cors.ExposeHeaders.join(',')]);
  answer.headers.push(['vary', 'Origin']);
}
