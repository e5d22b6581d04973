import { request as httpRequest } from 'node:http';

/** The signature headers a hand-written DynamoDB request needs: dynalite wants one, not a valid one. */
export const DYNAMODB_AUTH = {
  Authorization:
    'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'X-Amz-Date': '20200101T000000Z',
};

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  /** Sent as they are, Host included (fetch would not let a test choose it). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** A ceiling, not a budget: a request that is not answered by then has hung. */
  readonly timeoutMs?: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The body as JSON, or undefined when it is not JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/**
 * One HTTP request to `url`'s host and port with exactly the headers given: what a browser page, a rebinding
 * attacker or a hand-rolled client would send. Rejects when no complete answer comes within the ceiling.
 */
export function raw(url: string, options: RawRequest = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: hostname.replace(/^\[|\]$/g, ''),
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        // A fresh connection each time, so that one request's fate cannot leak into the next.
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: parsed(body) });
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(
        new Error(`${options.method ?? 'GET'} ${options.path ?? '/'} was not answered in time.`),
      ),
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function parsed(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
