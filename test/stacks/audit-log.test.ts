import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNTS } from '../../events/accounts';
import { readTemplate } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
type Statement = {
  Action: string | string[];
  Effect: string;
  Principal?: { Service?: unknown; AWS?: unknown };
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const template = readTemplate();
const resources = Object.entries(template.Resources) as [string, Resource][];
const logGroupName = '/aws/events/onboarding-kyc-audit';

function only(type: string, where: (r: Resource) => boolean = () => true): [string, Resource] {
  const found = resources.filter(([, r]) => r.Type === type && where(r));
  if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}.`);
  return found[0] as [string, Resource];
}

const [auditLogId, auditLog] = only('AWS::Logs::LogGroup', (r) => r.Properties.LogGroupName === logGroupName);
const [auditRuleId] = only('AWS::Events::Rule', (r) =>
  (r.Properties.Targets as { Arn: unknown }[]).some(
    (t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [auditLogId, 'Arn'] }),
  ),
);

/** The ARN of the Region's or account's resource, as CDK joins it: `arn:<partition>:<service>:<region>:…`. */
const regional = (service: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

/** A resource policy's JSON document, each intrinsic in it written `${LogicalId.Attribute}` or `${Ref}`. */
function policyDocument(document: unknown): { Statement: Statement[] } {
  if (typeof document === 'string') return JSON.parse(document);
  const [, parts] = (document as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const p = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return p.Ref !== undefined ? `\${${p.Ref}}` : `\${${p['Fn::GetAtt']?.join('.')}}`;
    })
    .join('');
  return JSON.parse(text);
}

const actions = (s: Statement) => [s.Action].flat();

describe('the audit log', () => {
  it('encrypts the log group with its own rotating key that only CloudWatch Logs may use, for that group', () => {
    // Prepare
    const keyRef = auditLog.Properties.KmsKeyId as { 'Fn::GetAtt': [string, string] };

    // Act
    const keyId = keyRef['Fn::GetAtt'][0];
    const key = template.Resources[keyId] as Resource;
    const statements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    const services = statements.filter((s) => s.Principal?.Service !== undefined);

    // Assess
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(keyRef['Fn::GetAtt'][1]).toBe('Arn');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(services).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: {
          Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
        Action: expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
        // The log group's own ARN, without the `:*` of its Fn::GetAtt Arn: what CloudWatch Logs puts there.
        Condition: {
          ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': regional('logs', `log-group:${logGroupName}`) },
        },
      }),
    ]);
    // Everything else is the account's own administration of the key (IAM policies decide who).
    const root = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
    };
    for (const s of statements.filter((s) => s.Principal?.Service === undefined))
      expect(s.Principal).toEqual({ AWS: root });
  });

  it('masks names, birth dates, identity documents and the applicant data of Account Requested', () => {
    // Prepare
    const policy = auditLog.Properties.DataProtectionPolicy as {
      Statement: { DataIdentifier: unknown[]; Operation: Record<string, unknown> }[];
      Configuration: { CustomDataIdentifier: { Name: string; Regex: string }[] };
    };
    const identifierName = (arn: unknown) =>
      typeof arn === 'string'
        ? arn
        : String((arn as { 'Fn::Join': [string, string[]] })['Fn::Join'][1].at(-1));

    // Act
    const [audit, deidentify] = policy.Statement;
    const masked = (deidentify?.DataIdentifier ?? []).map(identifierName);

    // Assess
    expect(audit?.Operation).toHaveProperty('Audit');
    expect(deidentify?.Operation).toEqual({ Deidentify: { MaskConfig: {} } });
    expect((audit?.DataIdentifier ?? []).map(identifierName)).toEqual(masked);
    for (const name of [
      'Name',
      'DateOfBirth',
      'PassportNumber-GB',
      'PassportNumber-US',
      'DriversLicense-NL',
      'DriversLicense-US',
      'NationalIdentificationNumber-DE',
    ])
      expect(masked).toContain(`:dataprotection::aws:data-identifier/${name}`);
    expect(masked).toContain('ApplicantData');
    expect(policy.Configuration.CustomDataIdentifier).toEqual([
      { Name: 'ApplicantData', Regex: expect.any(String) },
      { Name: 'TaskToken', Regex: expect.any(String) },
    ]);
  });

  it('masks the task token of a Manual Review Required event, and keeps the rest', () => {
    // Prepare: a Manual Review Required event as EventBridge writes it to the log group.
    const policy = auditLog.Properties.DataProtectionPolicy as {
      Configuration: { CustomDataIdentifier: { Name: string; Regex: string }[] };
    };
    const tokenRegex = policy.Configuration.CustomDataIdentifier.find((c) => c.Name === 'TaskToken')?.Regex;
    const token = 'AQCEAAAAKgAAAAMAAAAAAAAAAaJ8y+Zk/3qV0w7nGq2b1Q==';
    const line = JSON.stringify({
      'detail-type': 'Manual Review Required',
      source: 'app.kyc',
      detail: { userId: 'user-1003', version: 1, riskScore: 40, taskToken: token },
    });

    // Act
    const shown = line.replace(new RegExp(tokenRegex ?? '$^', 'g'), '****');

    // Assess
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(token.slice(-10));
    expect(shown).toContain('"userId":"user-1003"');
    expect(shown).toContain('"riskScore":40');
  });

  it('masks every applicant value of the Account Requested samples, and nothing the audit needs', () => {
    // Prepare: each sample as EventBridge writes it to the log group, one JSON event per line.
    const policy = auditLog.Properties.DataProtectionPolicy as {
      Configuration: { CustomDataIdentifier: { Regex: string }[] };
    };
    const regex = new RegExp(policy.Configuration.CustomDataIdentifier[0]?.Regex ?? '$^', 'g');
    const samples = join(__dirname, '..', '..', 'events', 'samples');
    const entries = readdirSync(samples)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => JSON.parse(readFileSync(join(samples, file), 'utf8')) as Record<string, string>[])
      .filter((entry) => entry.Source === ACCOUNTS);
    expect(entries.length).toBeGreaterThan(0);

    for (const entry of entries) {
      const detail = JSON.parse(entry.Detail as string);
      const line = JSON.stringify({
        version: '0',
        id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '111122223333',
        time: '2026-12-01T12:00:00Z',
        region: 'eu-west-1',
        resources: [],
        detail,
      });

      // Act
      const shown = line.replace(regex, '****');

      // Assess
      for (const value of Object.values(detail.applicant as Record<string, string>))
        expect(shown).not.toContain(value);
      for (const kept of [
        entry.DetailType,
        entry.Source,
        `"userId":"${detail.userId}"`,
        `"plan":"${detail.plan}"`,
      ])
        expect(shown).toContain(kept);
    }
  });

  it('lets EventBridge put log events into the group only on behalf of the audit rule', () => {
    // Prepare
    const [, policy] = only('AWS::Logs::ResourcePolicy');
    const groupArns = [
      `\${${auditLogId}.Arn}`,
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${auditLogId}}`,
    ];

    // Act
    const statements = policyDocument(policy.Properties.PolicyDocument).Statement;
    const puts = statements.filter((s) => actions(s).includes('logs:PutLogEvents'));

    // Assess
    expect(puts.length).toBeGreaterThan(0);
    for (const statement of puts)
      expect(statement.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': `\${${auditRuleId}.Arn}` } });
    for (const statement of statements) {
      expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } });
      // CreateLogStream carries no aws:SourceArn from EventBridge; it can only add an empty stream.
      expect(actions(statement).every((a) => ['logs:PutLogEvents', 'logs:CreateLogStream'].includes(a))).toBe(
        true,
      );
      for (const arn of [statement.Resource].flat()) expect(groupArns).toContain(arn);
    }
  });
});
