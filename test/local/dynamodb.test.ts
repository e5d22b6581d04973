import { LocalDynamoDb } from '../../local/dynamodb';
import { AwsError } from '../../local/errors';
import type { Resource } from '../../local/template';

/**
 * dynalite's expression parses are cached (local/dynamodb-expressions.ts): a cached parse must answer
 * every call as a fresh parse would, with the call's own values, and keep DynamoDB's validation errors
 * (DynamoDB Developer Guide, "Condition and filter expressions" and "Update expressions").
 */
describe('LocalDynamoDb expressions, parsed once', () => {
  let dynamodb: LocalDynamoDb;
  const TableName = 'expressions';

  beforeAll(async () => {
    dynamodb = await LocalDynamoDb.start();
    await dynamodb.createTable({
      type: 'AWS::DynamoDB::Table',
      ref: TableName,
      properties: {
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
      attributes: {},
    } as unknown as Resource);
  });
  afterAll(() => dynamodb.stop());

  /** The claim the workflows send: newer versions win, the same expression with other values. */
  const claim = (pk: string, version: number) =>
    dynamodb.call('UpdateItem', {
      TableName,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET #v = :v, #s = :s',
      ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
      ExpressionAttributeNames: { '#v': 'version', '#s': 'step' },
      ExpressionAttributeValues: { ':v': { N: String(version) }, ':s': { S: `step-${version}` } },
      ReturnValues: 'ALL_NEW',
    });

  const error = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (e: unknown) => (e instanceof AwsError ? `${e.code}: ${e.message}` : String(e)),
    );

  it('answers each call with its own values', async () => {
    for (const version of [1, 2, 5])
      await expect(claim('user-1', version)).resolves.toEqual({
        Attributes: { pk: { S: 'user-1' }, version: { N: String(version) }, step: { S: `step-${version}` } },
      });
    expect(await error(claim('user-1', 3))).toBe(
      'ConditionalCheckFailedException: The conditional request failed',
    );
    await expect(claim('user-2', 1)).resolves.toMatchObject({ Attributes: { pk: { S: 'user-2' } } });
  });

  it('still refuses an unused value or name when the parse comes from the cache', async () => {
    await claim('user-3', 1);
    const unused = dynamodb.call('UpdateItem', {
      TableName,
      Key: { pk: { S: 'user-3' } },
      UpdateExpression: 'SET #v = :v, #s = :s',
      ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
      ExpressionAttributeNames: { '#v': 'version', '#s': 'step' },
      ExpressionAttributeValues: { ':v': { N: '2' }, ':s': { S: 'x' }, ':extra': { S: 'y' } },
    });
    expect(await error(unused)).toBe(
      'ValidationException: Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}',
    );
  });

  it('maps names per call: the same expression with other names sets the attributes that call names', async () => {
    const set = (names: Record<string, string>) =>
      dynamodb.call('UpdateItem', {
        TableName,
        Key: { pk: { S: 'names' } },
        UpdateExpression: 'SET #a = :a',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':a': { S: 'x' } },
        ReturnValues: 'ALL_NEW',
      });
    await set({ '#a': 'first' });
    await expect(set({ '#a': 'second' })).resolves.toEqual({
      Attributes: { pk: { S: 'names' }, first: { S: 'x' }, second: { S: 'x' } },
    });
    expect(await error(set({ '#a': 'first', '#b': 'unused' }))).toBe(
      'ValidationException: Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}',
    );
  });

  it('checks operand types per call: a cached numeric parse does not let a string through', async () => {
    const add = (value: Record<string, string>) =>
      dynamodb.call('UpdateItem', {
        TableName,
        Key: { pk: { S: 'counter' } },
        UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :inc',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':inc': value },
        ReturnValues: 'UPDATED_NEW',
      });
    await expect(add({ N: '2' })).resolves.toEqual({ Attributes: { n: { N: '2' } } });
    await expect(add({ N: '3' })).resolves.toEqual({ Attributes: { n: { N: '5' } } });
    expect(await error(add({ S: 'three' }))).toMatch(/^ValidationException: .*operand type/);
  });

  it('reads the values of attribute_type and BETWEEN on every call', async () => {
    await claim('user-4', 4);
    const between = (low: string, high: string) =>
      dynamodb.call('UpdateItem', {
        TableName,
        Key: { pk: { S: 'user-4' } },
        UpdateExpression: 'SET #s = :s',
        ConditionExpression: '#v BETWEEN :low AND :high',
        ExpressionAttributeNames: { '#v': 'version', '#s': 'step' },
        ExpressionAttributeValues: { ':low': { N: low }, ':high': { N: high }, ':s': { S: 'between' } },
      });
    await expect(between('1', '9')).resolves.toBeDefined();
    expect(await error(between('9', '1'))).toMatch(/upper bound to be greater than or equal to lower bound/);
  });
});
