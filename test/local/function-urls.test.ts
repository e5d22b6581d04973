import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedTemplateError } from '../../local/errors';
import { LocalRuntime } from '../../local/runtime';
import { rejectionOf } from '../support/errors';

/**
 * Lambda function URLs on the runtime's port, against the Lambda Developer Guide's "Invoking Lambda function
 * URLs" (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html): the request payload (format
 * version 2.0) field by field as its example shows it, and the response payload mapped as its three examples
 * (string, JSON, custom response) and its cookies example show.
 */

/** The functions behind the URLs: one echoes its event, one returns what it is sent, one fails. */
const FUNCTIONS = `
let calls = 0;
exports.echo = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
exports.respond = async (event) => {
  calls++;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return text === undefined ? { calls } : JSON.parse(text);
};
exports.fail = async () => { throw new TypeError('the handler failed'); };
`;

type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: object }>;
};

function fn(name: string, handler: string) {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: { FunctionName: name, Handler: `index.${handler}` },
    Metadata: { 'aws:asset:path': 'asset.fixture' },
  };
}

function baseTemplate(): Template {
  return {
    Resources: {
      EchoFunction: fn('echo', 'echo'),
      EchoUrl: {
        Type: 'AWS::Lambda::Url',
        Properties: { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': ['EchoFunction', 'Arn'] } },
      },
      RespondFunction: fn('respond', 'respond'),
      RespondUrl: {
        Type: 'AWS::Lambda::Url',
        Properties: {
          AuthType: 'NONE',
          TargetFunctionArn: { 'Fn::GetAtt': ['RespondFunction', 'Arn'] },
          Cors: { AllowOrigins: ['*'], AllowMethods: ['POST'], AllowHeaders: ['content-type'], MaxAge: 300 },
        },
      },
      FailFunction: fn('fail', 'fail'),
      FailUrl: {
        Type: 'AWS::Lambda::Url',
        Properties: { AuthType: 'NONE', TargetFunctionArn: { Ref: 'FailFunction' } },
      },
    },
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A cloud assembly with this template and the fixture functions' bundle. */
function assemblyWith(template: Template): string {
  const dir = mkdtempSync(join(tmpdir(), 'function-urls-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'asset.fixture'));
  writeFileSync(join(dir, 'asset.fixture', 'index.js'), FUNCTIONS);
  writeFileSync(join(dir, 'OnboardingKyc.template.json'), JSON.stringify(template));
  return dir;
}

function start(template: Template): Promise<LocalRuntime> {
  return LocalRuntime.start({ assemblyDir: assemblyWith(template), synthesize: false, port: 0 });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An HTTP request as a webhook sender or curl makes one (repeated headers allowed, no Origin). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    sent.on('error', reject);
    sent.end(options.body);
  });
}

describe('Lambda function URLs on the local runtime', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await start(baseTemplate());
  });
  afterAll(() => runtime?.stop());

  const at = (path: string) => `${runtime.url}/lambda-url/${path}`;

  it('lists each function URL with its full local URL', () => {
    // Assess
    expect(runtime.app.functionUrls.list().map((u) => [u.functionName, u.url])).toEqual([
      ['echo', `${runtime.url}/lambda-url/echo/`],
      ['respond', `${runtime.url}/lambda-url/respond/`],
      ['fail', `${runtime.url}/lambda-url/fail/`],
    ]);
  });

  it('gives the function the payload format 2.0 event of the guide, field by field', async () => {
    // Prepare: the guide's example request.
    const before = Date.now();

    // Act
    const reply = await send(at('echo/my/path?parameter1=value1&parameter1=value2&parameter2=value'), {
      method: 'POST',
      headers: {
        header1: 'value1',
        header2: ['value1', 'value2'],
        cookie: 'cookie1; cookie2',
        'user-agent': 'agent',
        'content-type': 'text/plain',
      },
      body: 'Hello from client!',
    });

    // Assess
    expect(reply.status).toBe(200);
    const event = JSON.parse(reply.body.toString('utf8'));
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/my/path');
    expect(event.rawQueryString).toBe('parameter1=value1&parameter1=value2&parameter2=value');
    expect(event.cookies).toEqual(['cookie1', 'cookie2']);
    expect(event.headers.header1).toBe('value1');
    // Header names lower-cased, a repeated header's values joined with commas.
    expect(event.headers.header2).toBe('value1,value2');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.queryStringParameters).toEqual({ parameter1: 'value1,value2', parameter2: 'value' });
    const context = event.requestContext;
    expect(context.accountId).toBe('anonymous');
    expect(context.apiId).toMatch(/^[a-z0-9]{32}$/);
    expect(context.domainPrefix).toBe(context.apiId);
    expect(context.domainName).toBe(`${context.apiId}.lambda-url.us-east-1.on.aws`);
    expect(context.http).toEqual({
      method: 'POST',
      path: '/my/path',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'agent',
    });
    expect(context.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.routeKey).toBe('$default');
    expect(context.stage).toBe('$default');
    expect(context.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(context.timeEpoch).toBeLessThanOrEqual(Date.now());
    expect(event.body).toBe('Hello from client!');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('leaves out body, cookies and query parameters a request does not have, and serves the bare URL', async () => {
    // Act
    const reply = await send(at('echo'));

    // Assess
    const event = JSON.parse(reply.body.toString('utf8'));
    expect(event.rawPath).toBe('/');
    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http.method).toBe('GET');
  });

  it('base64-encodes a body whose content type is not text, and passes JSON as text', async () => {
    // Prepare
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);

    // Act
    const binary = JSON.parse(
      (
        await send(at('echo/'), {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: bytes,
        })
      ).body.toString('utf8'),
    );
    const form = JSON.parse(
      (
        await send(at('echo/'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'a=1&b=2',
        })
      ).body.toString('utf8'),
    );
    const json = JSON.parse(
      (
        await send(at('echo/'), {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: '{"a":1}',
        })
      ).body.toString('utf8'),
    );

    // Assess
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body, 'base64')).toEqual(bytes);
    expect(form.isBase64Encoded).toBe(true);
    expect(Buffer.from(form.body, 'base64').toString('utf8')).toBe('a=1&b=2');
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  /** POSTs what the `respond` function is to return. */
  const respondWith = (result: unknown, headers: Record<string, string> = {}) =>
    send(at('respond/'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(result),
    });

  it('maps a custom response: status, headers, cookies as set-cookie headers, body', async () => {
    // Act: the guide's "custom response" and "cookies" examples.
    const reply = await respondWith({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'My-Custom-Header': 'Custom Value' },
      body: JSON.stringify({ message: 'Hello, world!' }),
      cookies: ['Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT', 'Cookie_2=Value2; Max-Age=78000'],
      isBase64Encoded: false,
    });

    // Assess
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['my-custom-header']).toBe('Custom Value');
    expect(reply.headers['set-cookie']).toEqual([
      'Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT',
      'Cookie_2=Value2; Max-Age=78000',
    ]);
    expect(JSON.parse(reply.body.toString('utf8'))).toEqual({ message: 'Hello, world!' });
  });

  it('decodes a base64 response body', async () => {
    // Act
    const reply = await respondWith({
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([137, 80, 78, 71]).toString('base64'),
      isBase64Encoded: true,
    });

    // Assess
    expect(reply.headers['content-type']).toBe('image/png');
    expect([...reply.body]).toEqual([137, 80, 78, 71]);
  });

  it('answers any other JSON result as a 200 application/json body, a string in quotes', async () => {
    // Act: the guide's "string response" and "JSON response" examples.
    const text = await respondWith('Hello, world!');
    const object = await respondWith({ message: 'Hello, world!' });

    // Assess
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('application/json');
    expect(text.body.toString('utf8')).toBe('"Hello, world!"');
    expect(object.status).toBe(200);
    expect(object.headers['content-type']).toBe('application/json');
    expect(JSON.parse(object.body.toString('utf8'))).toEqual({ message: 'Hello, world!' });
  });

  it('fails with 502 Internal Server Error when the function throws, and logs why', async () => {
    // Prepare
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});

    try {
      // Act
      const reply = await send(at('fail/'), { method: 'POST', body: 'x' });

      // Assess
      expect(reply.status).toBe(502);
      expect(reply.body.toString('utf8')).toBe('Internal Server Error');
      expect(logged).toHaveBeenCalledWith(
        'local runtime: function fail failed behind its URL: TypeError: the handler failed',
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('fails with 502 when the function returns a status code HTTP has not', async () => {
    // Act
    const reply = await respondWith({ statusCode: 1000, body: 'x' });

    // Assess
    expect(reply.status).toBe(502);
  });

  it("rejects a body over Lambda's 6 MB payload limit with RequestTooLargeException, not invoking the function", async () => {
    // Prepare: the limit is in the Lambda Developer Guide's "Lambda quotas" (invocation payload, 6 MB).
    const before = JSON.parse((await send(at('respond/'), { method: 'POST' })).body.toString('utf8')).calls;

    // Act
    const reply = await send(at('respond/'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(6 * 1024 * 1024 + 1, 'a'),
    });
    const after = JSON.parse((await send(at('respond/'), { method: 'POST' })).body.toString('utf8')).calls;

    // Assess
    expect(reply.status).toBe(413);
    expect(reply.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
    expect(JSON.parse(reply.body.toString('utf8'))).toEqual({
      Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(after).toBe(before + 1);
  });

  it('rejects a path that names no function URL with a message listing those there are', async () => {
    // Act
    const reply = await send(at('nobody/'));
    const malformed = await send(at('%E0%A4%A/'));

    // Assess
    expect(reply.status).toBe(404);
    expect(malformed.status).toBe(404);
    expect(JSON.parse(reply.body.toString('utf8')).Message).toContain(`${runtime.url}/lambda-url/echo/`);
  });

  it('answers a CORS preflight itself and adds the CORS headers to responses', async () => {
    // Prepare: the runtime's own page is the only origin a browser may call it from (local/api/guard.ts).
    const origin = runtime.url;

    // Act
    const preflight = await send(at('respond/'), {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    const response = await respondWith({ ok: true }, { origin });

    // Assess
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toBe('POST');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    expect(preflight.headers['access-control-max-age']).toBe('300');
    expect(preflight.body.length).toBe(0);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('rejects a cross-site browser request to a function URL', async () => {
    // Act
    const reply = await send(at('respond/'), {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: '{}',
    });

    // Assess
    expect(reply.status).toBe(403);
  });

  it('rejects a link followed from another site to a function URL, which the viewer pages allow', async () => {
    // Act: a top-level navigation, as a browser sends it for a link on another site.
    const reply = await send(at('respond/'), {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });

    // Assess
    expect(reply.status).toBe(403);
    expect(reply.headers['x-amzn-errortype']).toBe('AccessDeniedException');
  });
});

describe('function URLs at startup', () => {
  it('fails startup on AuthType AWS_IAM, which the runtime does not emulate', async () => {
    // Prepare
    const template = baseTemplate();
    (template.Resources.EchoUrl as { Properties: Record<string, unknown> }).Properties.AuthType = 'AWS_IAM';

    // Act
    const error = await rejectionOf(() => start(template));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect(error.message).toContain('EchoUrl (AWS::Lambda::Url): AuthType AWS_IAM is not emulated');
  });

  it('fails startup on InvokeMode RESPONSE_STREAM', async () => {
    // Prepare
    const template = baseTemplate();
    (template.Resources.EchoUrl as { Properties: Record<string, unknown> }).Properties.InvokeMode =
      'RESPONSE_STREAM';

    // Act
    const error = await rejectionOf(() => start(template));

    // Assess
    expect(error.message).toContain('InvokeMode "RESPONSE_STREAM" is not emulated');
  });

  it('resolves Fn::GetAtt FunctionUrl to the local URL', async () => {
    // Prepare
    const template = baseTemplate();
    template.Resources.Queue = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'urls',
        Tags: [{ Key: 'url', Value: { 'Fn::GetAtt': ['EchoUrl', 'FunctionUrl'] } }],
      },
    };

    // Act
    const runtime = await start(template);
    try {
      // Assess
      const queue = runtime.app.resources.get('Queue');
      expect(queue?.properties.Tags).toEqual([{ Key: 'url', Value: `${runtime.url}/lambda-url/echo/` }]);
    } finally {
      await runtime.stop();
    }
  });
});
