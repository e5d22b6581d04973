import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { cacheExpressionParses } from './dynamodb-expressions';
import { AwsError } from './errors';
import type { Resource } from './template';

/** dynalite's internals used to call it in process: its store, and per action its validation and code. */
interface DynaliteStore {
  readonly __brand?: 'store';
}
type DynaliteCallback = (
  error: { statusCode?: number; body?: Record<string, unknown> } | null,
  data?: unknown,
) => void;
const db = require('dynalite/db') as { create(options: object): DynaliteStore };
const validations = require('dynalite/validations') as {
  checkTypes(data: unknown, types: unknown): unknown;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: DynaliteStore): void;
};
cacheExpressionParses([
  require('dynalite/db/conditionParser'),
  require('dynalite/db/updateParser'),
  require('dynalite/db/projectionParser'),
]);

interface DynaliteAction {
  readonly validation: { types: unknown; custom?: unknown };
  readonly run: (store: DynaliteStore, data: unknown, cb: DynaliteCallback) => void;
}
const actions = new Map<string, DynaliteAction>();

/** dynalite's validation and code of an action, looked up once: resolving a module path costs on every call. */
function dynaliteAction(action: string): DynaliteAction {
  let found = actions.get(action);
  if (!found) {
    const name = action.charAt(0).toLowerCase() + action.slice(1);
    found = {
      validation: require(`dynalite/validations/${name}`),
      run: require(`dynalite/actions/${name}`),
    };
    actions.set(action, found);
  }
  return found;
}

/**
 * DynamoDB through embedded dynalite, in memory or in a directory. External clients reach it over HTTP
 * through the runtime's port (dynalite listens on 127.0.0.1 only); the state machines' integrations call it
 * in process — the same validation and the same store, without a request over loopback, which cost most
 * of an execution's CPU. Calls speak DynamoDB's own JSON shapes, so what the state machines send is exactly
 * what DynamoDB would receive.
 */
export class LocalDynamoDb {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly store: DynaliteStore,
  ) {}

  static async start(options: { dataDir?: string } = {}): Promise<LocalDynamoDb> {
    // dynalite makes its store inside dynalite(); catching it as it is made lets both paths share it.
    const create = db.create;
    let store: DynaliteStore | undefined;
    db.create = (o: object) => {
      store = create(o);
      return store;
    };
    let server: Server;
    try {
      server = dynalite({
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
        path: options.dataDir,
      });
    } finally {
      db.create = create;
    }
    if (!store) throw new Error('dynalite did not create its store.');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new LocalDynamoDb(server, `http://127.0.0.1:${port}`, store);
  }

  /**
   * Calls a DynamoDB API action in process, as dynalite's HTTP handler would after parsing the request; a
   * DynamoDB error is thrown as an AwsError with its short name.
   */
  call<T = Record<string, unknown>>(action: string, params: unknown): Promise<T> {
    const { validation, run } = dynaliteAction(action);
    return new Promise((resolve, reject) => {
      const fail = (error: { statusCode?: number; body?: Record<string, unknown> }) => {
        if (!error.statusCode) return reject(error);
        const type = String(error.body?.__type ?? 'InternalServerError');
        reject(
          new AwsError(
            type.slice(type.indexOf('#') + 1),
            String(error.body?.message ?? error.body?.Message ?? 'DynamoDB error'),
          ),
        );
      };
      try {
        // A JSON round trip, as over the wire: dynalite keeps references to what it is given.
        const data = validations.checkTypes(JSON.parse(JSON.stringify(params)), validation.types);
        validations.checkValidations(data, validation.types, validation.custom, this.store);
        run(this.store, data, (error, result) => (error ? fail(error) : resolve(result as T)));
      } catch (error) {
        fail(error as { statusCode?: number });
      }
    });
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
    // dynalite makes a new table ACTIVE a moment later, on a timer: the app may not use it before.
    for (;;) {
      const { Table } = await this.call<{ Table?: { TableStatus?: string } }>('DescribeTable', {
        TableName: resource.ref,
      });
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
