import { ArnFormat, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { type IEventBus, Match, Rule } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  CustomDataIdentifier,
  DataIdentifier,
  DataProtectionPolicy,
  LogGroup,
  RetentionDays,
} from 'aws-cdk-lib/aws-logs';

export interface AuditLogProps {
  readonly prefix: string;
  readonly bus: IEventBus;
}

/**
 * The personal data CloudWatch Logs masks in the audit log (masked at ingestion, on every way out; only
 * `logs:Unmask` reads it). The managed identifiers catch what they recognise anywhere in an event; most of
 * them need a keyword within 30 characters of the value (`dateOfBirth` is one for DateOfBirth), which an
 * `Account Requested` applicant's `documentNumber` does not carry, so `ApplicantData` masks that event's
 * whole `applicant` object (events/accounts.ts) by its field name, whatever its fields hold.
 */
const auditLogIdentifiers: readonly DataIdentifier[] = [
  DataIdentifier.NAME,
  new DataIdentifier('DateOfBirth'),
  DataIdentifier.ADDRESS,
  DataIdentifier.EMAILADDRESS,
  ...['CA', 'DE', 'ES', 'FR', 'GB', 'IT', 'US'].map((c) => new DataIdentifier(`PassportNumber-${c}`)),
  ...['DE', 'ES', 'IT'].map((c) => new DataIdentifier(`NationalIdentificationNumber-${c}`)),
  // Every country CloudWatch Logs recognises a driver's licence of.
  ...['AT', 'AU', 'BE', 'BG', 'CA', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GB', 'GR', 'HR', 'HU']
    .concat(['IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'US'])
    .map((c) => new DataIdentifier(`DriversLicense-${c}`)),
  // From the field name to the object's closing brace: `applicant":{"fullName":"…","documentNumber":"…"`.
  // CloudWatch Logs' custom identifiers allow no quote, colon or parenthesis, hence \W+ and [^}].
  new CustomDataIdentifier('ApplicantData', 'applicant\\W+[^}]+'),
  // A waiting task's token (`Manual Review Required`) answers the task for whoever holds it: the audit log
  // keeps the event, not the token. Tokens are base64 text.
  new CustomDataIdentifier('TaskToken', 'taskToken\\W+[A-Za-z0-9+/=_-]+'),
];

/**
 * The audit log: a rule that copies every event on the bus into a log group kept for a year, encrypted with
 * its own customer-managed key and masking personal data (see the README, "The audit log").
 *
 * A function, not a construct: the log group's and the rule's construct IDs (`AuditLog`, `AuditRule`, at the
 * stack's root) are the deployed contract, and a new construct around them would replace them.
 */
export function addAuditLog(
  stack: Stack,
  { prefix, bus }: AuditLogProps,
): { logGroup: LogGroup; rule: Rule } {
  const logGroupName = `/aws/events/${prefix}-audit`;
  // The ARN CloudWatch Logs puts in the encryption context: the log group's, without the `:*` that
  // Fn::GetAtt Arn appends (and the group cannot be referenced anyway: it depends on the key).
  const logGroupArn = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: logGroupName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

  const key = new Key(stack, 'AuditLogKey', {
    description: `Encrypts the audit log group ${logGroupName}`,
    enableKeyRotation: true,
    // The retained log group's events can only be read with this key.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // "Encrypt log data in CloudWatch Logs using AWS KMS": the Region's CloudWatch Logs service principal,
  // for this one log group only.
  key.grant(
    new ServicePrincipal(`logs.${stack.region}.amazonaws.com`).withConditions({
      ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn },
    }),
    'kms:Encrypt*',
    'kms:Decrypt*',
    'kms:ReEncrypt*',
    'kms:GenerateDataKey*',
    'kms:Describe*',
  );

  const logGroup = new LogGroup(stack, 'AuditLog', {
    logGroupName,
    retention: RetentionDays.ONE_YEAR,
    encryptionKey: key,
    dataProtectionPolicy: new DataProtectionPolicy({
      name: `${prefix}-audit-personal-data`,
      description: 'Masks applicant personal data in the audit log; logs:Unmask reads it.',
      identifiers: [...auditLogIdentifiers],
    }),
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const rule = new Rule(stack, 'AuditRule', {
    eventBus: bus,
    description: 'Every event on the bus, for the audit log',
    eventPattern: { source: Match.prefix('') },
    targets: [{ bind: () => ({ arn: logGroup.logGroupArn }) }],
  });

  // EventBridge writes through the log group's resource policy (AWS::Logs::ResourcePolicy), scoped to this
  // group; the CloudWatchLogGroup target would deploy a custom-resource Lambda with no source condition.
  // PutLogEvents, which writes, is allowed only on behalf of the audit rule. CreateLogStream carries no
  // aws:SourceArn from EventBridge (AWS's serverless-patterns eventbridge-cloudwatch splits it out the same
  // way), so it stays unconditioned: it can only add an empty stream to this group.
  const events = new ServicePrincipal('events.amazonaws.com');
  logGroup.grant(events, 'logs:CreateLogStream');
  logGroup.grant(
    events.withConditions({ ArnEquals: { 'aws:SourceArn': rule.ruleArn } }),
    'logs:PutLogEvents',
  );

  return { logGroup, rule };
}
