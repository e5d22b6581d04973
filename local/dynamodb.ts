import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { AwsError } from './errors';
import type { Resource } from './template';

/**
 * DynamoDB through embedded dynalite, in memory or in a directory. Only 127.0.0.1 is bound. Calls speak
 * DynamoDB's own JSON protocol, so what the state machines send is exactly what DynamoDB would receive.
 */
export class LocalDynamoDb {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(options: { dataDir?: string } = {}): Promise<LocalDynamoDb> {
    const server: Server = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      path: options.dataDir,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new LocalDynamoDb(server, `http://127.0.0.1:${port}`);
  }

  /** Calls a DynamoDB API action; a DynamoDB error is thrown as an AwsError with its short name. */
  async call<T = Record<string, unknown>>(action: string, params: unknown): Promise<T> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `DynamoDB_20120810.${action}`,
        'X-Amz-Date': '20260101T000000Z',
        // dynalite wants a SigV4-shaped header; it does not verify the signature.
        Authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(params),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      const type = String(body.__type ?? 'InternalServerError');
      throw new AwsError(
        type.slice(type.indexOf('#') + 1),
        String(body.message ?? body.Message ?? 'DynamoDB error'),
      );
    }
    return body as T;
  }

  /** Creates a table from an AWS::DynamoDB::Table or AWS::DynamoDB::GlobalTable resource, unless it exists. */
  async createTable(resource: Resource): Promise<void> {
    const p = resource.properties;
    const existing = await this.call<{ TableNames: string[] }>('ListTables', {});
    if (existing.TableNames.includes(resource.ref)) return;
    await this.call('CreateTable', {
      TableName: resource.ref,
      KeySchema: p.KeySchema,
      AttributeDefinitions: p.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
