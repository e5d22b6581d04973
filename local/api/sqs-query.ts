import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors';
import { SqsError } from '../sqs';
import type { ApiActions } from './protocol';

/** SQS's query protocol answers: its XML namespace (the 2012-11-05 API version). */
const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Actions whose response has no `<XResult>` element, as their output shape is empty. */
const NO_RESULT = new Set([
  'DeleteMessage',
  'PurgeQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'ChangeMessageVisibility',
]);

/**
 * Flattened lists whose element name depends on the action: a batch's `Successful` entries
 * (`<SendMessageBatchResultEntry>`, …) and ListMessageMoveTasks' `Results`.
 */
const FLATTENED_BY_ACTION: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  SendMessageBatch: { Successful: 'SendMessageBatchResultEntry' },
  DeleteMessageBatch: { Successful: 'DeleteMessageBatchResultEntry' },
  ChangeMessageVisibilityBatch: { Successful: 'ChangeMessageVisibilityBatchResultEntry' },
  ListMessageMoveTasks: { Results: 'ListMessageMoveTasksResultEntry' },
};

/**
 * Lists and maps the query protocol flattens into one element per entry, by the JSON member that holds them:
 * a list repeats the element, a map repeats it with `<Name>` and `<Value>` children.
 */
const FLATTENED: Readonly<Record<string, string>> = {
  QueueUrls: 'QueueUrl',
  Messages: 'Message',
  Attributes: 'Attribute',
  MessageAttributes: 'MessageAttribute',
  Failed: 'BatchResultErrorEntry',
};

/** List parameters: `AttributeName.1`, `AttributeName.2` … become `AttributeNames`. */
const LISTS: Readonly<Record<string, string>> = {
  AttributeName: 'AttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
};

/** Map parameters: `MessageAttribute.1.Name` and `MessageAttribute.1.Value.DataType` become `MessageAttributes`. */
const MAPS: Readonly<Record<string, string>> = {
  MessageAttribute: 'MessageAttributes',
  MessageSystemAttribute: 'MessageSystemAttributes',
  // CreateQueue and SetQueueAttributes: `Attribute.1.Name` and `Attribute.1.Value` (a plain value).
  Attribute: 'Attributes',
  // CreateQueue: `Tag.1.Key` and `Tag.1.Value`.
  Tag: 'tags',
};

/**
 * Lists of structures: `SendMessageBatchRequestEntry.1.Id`, `….1.MessageAttribute.1.Name` … become `Entries`,
 * each entry read as a form of its own.
 */
const ENTRIES: ReadonlySet<string> = new Set([
  'SendMessageBatchRequestEntry',
  'DeleteMessageBatchRequestEntry',
  'ChangeMessageVisibilityBatchRequestEntry',
]);

export interface SqsQueryResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * One request of SQS's query protocol (`POST` with `Action=…&Version=2012-11-05&…` form-encoded, as Debian's
 * AWS CLI 2.9 sends it): the form becomes the parameters the JSON protocol would carry, the same action runs,
 * and its result or error is rendered as SQS's XML. `queueUrl` is the URL the request was posted to: the
 * query protocol lets a client post to the queue's URL instead of naming it in `QueueUrl`.
 */
export async function handleSqsQuery(
  form: URLSearchParams,
  actions: ApiActions,
  queueUrl?: string,
): Promise<SqsQueryResponse> {
  const requestId = randomUUID();
  const action = form.get('Action');
  try {
    if (!action) throw new SqsError('MissingAction', 'The request must contain the parameter Action.');
    const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!run) throw SqsError.invalidAction(action);
    const params = paramsOf(form);
    if (params.QueueUrl === undefined && queueUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(queueUrl))
      params.QueueUrl = queueUrl;
    const result = (await run(params)) as Record<string, unknown> | undefined;
    const flattened = { ...FLATTENED, ...FLATTENED_BY_ACTION[action] };
    const resultXml = NO_RESULT.has(action)
      ? ''
      : `<${action}Result>${members(result ?? {}, flattened)}</${action}Result>`;
    return xml(
      200,
      `<${action}Response xmlns="${NAMESPACE}">${resultXml}${metadata(requestId)}</${action}Response>`,
    );
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    const sqs = error instanceof SqsError ? error : undefined;
    return xml(
      sqs?.status ?? 400,
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${sqs?.fault ?? 'Sender'}</Type>` +
        `<Code>${escapeXml(sqs?.queryCode ?? error.code)}</Code>` +
        `<Message>${escapeXml(sqs?.queryMessage ?? error.message)}</Message><Detail/></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  }
}

/**
 * The JSON protocol's parameters for a query form: scalars by name, `X.N` lists and `X.N.Name`/`X.N.Value.*`
 * maps by the JSON member name. Numbers stay strings: the actions read query and JSON integers alike.
 */
function paramsOf(form: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const lists = new Map<string, Map<number, string>>();
  const maps = new Map<
    string,
    Map<number, { name?: string; value: Record<string, string>; scalar?: string }>
  >();
  const structures = new Map<number, URLSearchParams>();
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const [head = '', index, ...rest] = key.split('.');
    const n = Number(index);
    const list = LISTS[head];
    const map = MAPS[head];
    if (list && rest.length === 0 && Number.isInteger(n)) {
      const entries = lists.get(list) ?? new Map<number, string>();
      entries.set(n, value);
      lists.set(list, entries);
    } else if (map && Number.isInteger(n) && rest.length > 0) {
      const entries = maps.get(map) ?? new Map();
      const entry = entries.get(n) ?? { value: {} };
      if ((rest[0] === 'Name' || rest[0] === 'Key') && rest.length === 1) entry.name = value;
      else if (rest[0] === 'Value' && rest.length === 1) entry.scalar = value;
      else if (rest[0] === 'Value' && rest.length === 2) entry.value[rest[1] as string] = value;
      entries.set(n, entry);
      maps.set(map, entries);
    } else if (ENTRIES.has(head) && Number.isInteger(n) && rest.length > 0) {
      const entry = structures.get(n) ?? new URLSearchParams();
      entry.append(rest.join('.'), value);
      structures.set(n, entry);
    } else if (index === undefined) {
      params[key] = value;
    }
  }
  for (const [name, entries] of lists) params[name] = byIndex(entries);
  for (const [name, entries] of maps)
    params[name] = Object.fromEntries(byIndex(entries).map((e) => [e.name ?? '', e.scalar ?? e.value]));
  if (structures.size > 0) params.Entries = byIndex(structures).map(paramsOf);
  return params;
}

function byIndex<T>(entries: Map<number, T>): T[] {
  return [...entries].sort(([a], [b]) => a - b).map(([, v]) => v);
}

/** A JSON result's members as the query protocol's XML elements. */
function members(
  value: Record<string, unknown>,
  flattened: Readonly<Record<string, string>> = FLATTENED,
): string {
  let out = '';
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    const element = flattened[key];
    if (Array.isArray(member)) {
      for (const item of member) out += `<${element ?? key}>${content(item, flattened)}</${element ?? key}>`;
    } else if (element && typeof member === 'object') {
      for (const [name, v] of Object.entries(member))
        out += `<${element}><Name>${escapeXml(name)}</Name><Value>${content(v, flattened)}</Value></${element}>`;
    } else {
      out += `<${key}>${content(member, flattened)}</${key}>`;
    }
  }
  return out;
}

function content(value: unknown, flattened: Readonly<Record<string, string>>): string {
  return typeof value === 'object' && value !== null
    ? members(value as Record<string, unknown>, flattened)
    : escapeXml(String(value));
}

function metadata(requestId: string): string {
  return `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
}

function xml(status: number, body: string): SqsQueryResponse {
  return { status, contentType: 'text/xml', body: `<?xml version="1.0"?>${body}` };
}

/**
 * Text as XML character data. A carriage return is escaped too: an XML parser reads a literal one as a line
 * feed, which would change a message body and its MD5.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] ?? c);
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};
