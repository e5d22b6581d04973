import { createHash } from 'node:crypto';
import { UnsupportedTemplateError } from './errors';
import { FUNCTION_URL_TYPE, functionUrlIdentity } from './function-urls';
import { SECRET_TYPE, secretArn } from './secrets';

/** Where the local runtime pretends to be. */
export interface LocalEnv {
  readonly account: string;
  readonly region: string;
  /** The endpoint clients use, for queue URLs. */
  readonly endpoint: string;
  readonly stackName: string;
}

export interface Resource {
  readonly logicalId: string;
  readonly type: string;
  /** Properties with every intrinsic resolved to local names and ARNs. */
  readonly properties: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  /** What `Ref` returns. */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute. */
  readonly attributes: Record<string, string>;
}

/** Resource types the runtime emulates, and those it accepts without emulating (with the reason). */
const EMULATED = new Set([
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::StepFunctions::StateMachine',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SQS::Queue',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Logs::LogGroup',
  'AWS::Events::Archive',
  'AWS::EventSchemas::Registry',
  'AWS::EventSchemas::Schema',
  FUNCTION_URL_TYPE,
  SECRET_TYPE,
]);
const ACCEPTED = new Map([
  ['AWS::IAM::Role', 'the local runtime does not enforce IAM'],
  ['AWS::IAM::Policy', 'the local runtime does not enforce IAM'],
  ['AWS::SQS::QueuePolicy', 'the local runtime does not enforce resource policies'],
  ['AWS::Logs::ResourcePolicy', 'the local runtime does not enforce resource policies'],
  ['AWS::Lambda::Permission', 'the local runtime does not enforce resource policies'],
  ['AWS::CloudWatch::Alarm', 'alarms are shown as queue depths on the runtime, not evaluated'],
  ['AWS::KMS::Key', 'the local runtime encrypts nothing; a key is only an ARN its users refer to'],
  ['AWS::CDK::Metadata', 'CDK bookkeeping'],
]);

type Template = {
  Resources?: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  Parameters?: Record<string, { Default?: unknown }>;
};

/**
 * Reads a synthesized CloudFormation template and resolves it for local execution: Ref, Fn::GetAtt,
 * Fn::Join, Fn::Sub, Fn::Select and Fn::Split against local names and ARNs. A resource type or intrinsic it
 * cannot emulate is an error that names it and where it is.
 */
export function loadTemplate(template: Template, env: LocalEnv): Map<string, Resource> {
  const raw = template.Resources ?? {};
  const unsupported = Object.entries(raw)
    .filter(([, r]) => !EMULATED.has(r.Type) && !ACCEPTED.has(r.Type))
    .map(([id, r]) => `${id} (${r.Type})`);
  if (unsupported.length > 0) {
    throw new UnsupportedTemplateError(
      `The local runtime cannot emulate these resources: ${unsupported.join(', ')}. Supported: ${[...EMULATED].join(', ')}.`,
    );
  }

  // Names and ARNs first: they only depend on literal properties (names) and the logical id.
  const identities = new Map<string, { ref: string; attributes: Record<string, string> }>();
  for (const [id, r] of Object.entries(raw))
    identities.set(id, identify(id, r.Type, r.Properties ?? {}, env));
  // A function URL's identity is its function's, known once every function has its own.
  for (const [id, r] of Object.entries(raw))
    if (r.Type === FUNCTION_URL_TYPE)
      identities.set(id, functionUrlIdentity(id, r.Properties ?? {}, identities, env));

  const pseudo: Record<string, string> = {
    'AWS::AccountId': env.account,
    'AWS::Region': env.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': env.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${env.region}:${env.account}:stack/${env.stackName}/local`,
  };
  const parameters = Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, p.Default]),
  );

  const resolve = (value: unknown, where: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${where}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return intrinsic(key, arg, where);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, `${where}.${k}`)]));
  };

  const refOf = (name: string, where: string): string => {
    if (name in pseudo) return pseudo[name] as string;
    const identity = identities.get(name);
    if (identity) return identity.ref;
    if (name in parameters) return String(parameters[name]);
    throw new UnsupportedTemplateError(`${where}: Ref to unknown '${name}'.`);
  };

  const intrinsic = (fn: string, arg: unknown, where: string): unknown => {
    switch (fn) {
      case 'Ref':
        return refOf(String(arg), where);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        const value = identities.get(String(id))?.attributes[String(attribute)];
        if (value === undefined)
          throw new UnsupportedTemplateError(`${where}: Fn::GetAtt ${id}.${attribute} is not emulated.`);
        return value;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolve(parts, where) as unknown[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        return (resolve(list, where) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(resolve(source, where)).split(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [String(arg), {}];
        const bound = resolve(vars, where) as Record<string, unknown>;
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_m, escaped: string, name: string) => {
          // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
          if (escaped) return `\${${name}}`;
          if (name in bound) return String(bound[name]);
          const [id, attribute] = name.split('.');
          return attribute === undefined
            ? refOf(name, where)
            : String(intrinsic('Fn::GetAtt', [id, attribute], where));
        });
      }
      default:
        throw new UnsupportedTemplateError(`${where}: intrinsic ${fn} is not emulated by the local runtime.`);
    }
  };

  const resources = new Map<string, Resource>();
  for (const [id, r] of Object.entries(raw)) {
    const identity = identities.get(id) as { ref: string; attributes: Record<string, string> };
    resources.set(id, {
      logicalId: id,
      type: r.Type,
      properties: resolve(r.Properties ?? {}, `${id}.Properties`) as Record<string, unknown>,
      metadata: r.Metadata ?? {},
      ...identity,
    });
  }
  return resources;
}

/** The physical name, Ref value and attributes CloudFormation would give a resource. */
function identify(
  id: string,
  type: string,
  p: Record<string, unknown>,
  env: LocalEnv,
): { ref: string; attributes: Record<string, string> } {
  const name = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : `${env.stackName}-${id}`);
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${env.region}:${env.account}:${resource}`;
  switch (type) {
    case 'AWS::Events::EventBus': {
      const n = name('Name');
      return { ref: n, attributes: { Arn: arn('events', `event-bus/${n}`), Name: n } };
    }
    case 'AWS::EventSchemas::Registry': {
      const n = name('RegistryName');
      const a = arn('schemas', `registry/${n}`);
      return { ref: a, attributes: { RegistryArn: a, RegistryName: n } };
    }
    case 'AWS::EventSchemas::Schema': {
      // The registry by its name: a schema whose RegistryName is an intrinsic has no name known here.
      const registry = typeof p.RegistryName === 'string' ? p.RegistryName : `${env.stackName}-registry`;
      const n = name('SchemaName');
      const a = arn('schemas', `schema/${registry}/${n}`);
      return { ref: a, attributes: { SchemaArn: a, SchemaName: n, SchemaVersion: '1' } };
    }
    case 'AWS::Events::Archive': {
      const n = name('ArchiveName');
      return { ref: n, attributes: { Arn: arn('events', `archive/${n}`), ArchiveName: n } };
    }
    case 'AWS::Events::Rule': {
      const n = name('Name');
      return { ref: n, attributes: { Arn: arn('events', `rule/${n}`) } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const n = name('StateMachineName');
      const a = arn('states', `stateMachine:${n}`);
      return { ref: a, attributes: { Arn: a, Name: n } };
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const n = name('TableName');
      const a = arn('dynamodb', `table/${n}`);
      return { ref: n, attributes: { Arn: a, StreamArn: `${a}/stream/local` } };
    }
    case 'AWS::SQS::Queue': {
      // CloudFormation ends the name it generates for a FIFO queue with `.fifo`, as SQS requires.
      const fifo = p.FifoQueue === true || String(p.FifoQueue).toLowerCase() === 'true';
      const n = typeof p.QueueName === 'string' || !fifo ? name('QueueName') : `${name('QueueName')}.fifo`;
      return {
        ref: `${env.endpoint}/${env.account}/${n}`,
        attributes: { Arn: arn('sqs', n), QueueName: n, QueueUrl: `${env.endpoint}/${env.account}/${n}` },
      };
    }
    case 'AWS::Lambda::Function': {
      const n = name('FunctionName');
      return { ref: n, attributes: { Arn: arn('lambda', `function:${n}`) } };
    }
    case 'AWS::Lambda::EventSourceMapping': {
      // Lambda names a mapping by a UUID: one derived from the stack and logical id, so it is the same each start.
      const uuid = uuidOf(`${env.stackName}/${id}`);
      return {
        ref: uuid,
        attributes: { Id: uuid, EventSourceMappingArn: arn('lambda', `event-source-mapping:${uuid}`) },
      };
    }
    case 'AWS::Logs::LogGroup': {
      const n = name('LogGroupName');
      return { ref: n, attributes: { Arn: arn('logs', `log-group:${n}:*`) } };
    }
    case SECRET_TYPE: {
      // Ref and Fn::GetAtt Id are both the secret's ARN.
      const a = secretArn(env, name('Name'));
      return { ref: a, attributes: { Id: a } };
    }
    case 'AWS::KMS::Key': {
      const keyId = `${env.stackName}-${id}`;
      return { ref: keyId, attributes: { Arn: arn('kms', `key/${keyId}`), KeyId: keyId } };
    }
    case 'AWS::IAM::Role':
      return {
        ref: `${env.stackName}-${id}`,
        attributes: { Arn: `arn:aws:iam::${env.account}:role/${env.stackName}-${id}` },
      };
    default:
      return { ref: `${env.stackName}-${id}`, attributes: {} };
  }
}

/** A UUID-shaped name derived from `seed`. */
function uuidOf(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
