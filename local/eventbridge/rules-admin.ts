import { AwsError, UnsupportedTemplateError } from '../errors';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../json-depth';
import { busNameOf, type LocalEventBridge, type LocalRule, type Target } from './bus';
import { InvalidEventPatternError, parsePattern } from './pattern';
import type { EventBridgeStore } from './store';
import { checkTargetInput } from './transform';

/*
 * The EventBridge control plane for rules a team creates at run time: PutRule, DeleteRule, EnableRule,
 * DisableRule, PutTargets, RemoveTargets (EventBridge API reference, each action). Such rules are marked
 * `local` and kept in the EventBridge store, so they work again after a restart. The template's rules are the
 * CDK app's: changing them here would make the runtime disagree with what `cdk deploy` deploys, so each of
 * these actions refuses them with ManagedRuleException (AWS's error for a rule another owner manages).
 */

/** Rule and target names: `[\.\-_A-Za-z0-9]+`, 1 to 64 characters (API reference, PutRule `Name`, Target `Id`). */
const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
/** PutRule `EventPattern`: at most 4096 characters; `Description`: at most 512. */
const MAX_PATTERN_LENGTH = 4096;
const MAX_DESCRIPTION_LENGTH = 512;
/** A rule has at most 5 targets (EventBridge quotas: "Targets per rule"). */
const MAX_TARGETS_PER_RULE = 5;
/** PutTargets takes 1 to 10 targets, RemoveTargets 1 to 100 ids (API reference). */
const MAX_PUT_TARGETS = 10;
const MAX_REMOVE_TARGETS = 100;

/** The services a target of this runtime can be, by the ARN's service and resource type. */
const DELIVERABLE_TARGETS: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /^arn:aws[\w-]*:sqs:[^:]+:\d{12}:[\w-]+(\.fifo)?$/, what: 'an SQS queue' },
  {
    pattern: /^arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:[\w-]+$/,
    what: 'a Step Functions state machine',
  },
  { pattern: /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/, what: 'a Lambda function' },
  {
    pattern: /^arn:aws[\w-]*:logs:[^:]+:\d{12}:log-group:[\w./#-]+(:\*)?$/,
    what: 'a CloudWatch Logs log group',
  },
];

/** A rule as it is stored: everything but the parsed pattern, which is parsed again when it is read. */
type StoredRuleBody = Omit<LocalRule, 'pattern'>;

export class RulesAdmin {
  /** When the runtime started: the creation time DescribeEventBus gives the template's buses. */
  private readonly startedAt = new Date();

  constructor(
    private readonly bus: LocalEventBridge,
    private readonly store: EventBridgeStore,
  ) {}

  /**
   * Puts back the rules a team created in an earlier run. One whose bus is gone, or whose name a template rule
   * now has, is left out with a warning: the template wins.
   */
  restore(): void {
    for (const stored of this.store.rules()) {
      const body = JSON.parse(stored.body) as StoredRuleBody;
      if (!this.bus.buses.has(body.busName) || this.templateRule(body.busName, body.name)) {
        console.warn(
          `local runtime: the rule ${body.name} a team created on ${body.busName} is not restored: its bus is gone or the template now has a rule of that name.`,
        );
        continue;
      }
      try {
        for (const target of body.targets) checkTargetInput(target, `rule ${body.name}`);
        this.bus.rules.push({ ...body, pattern: parsePattern(body.patternJson), local: true });
      } catch (error) {
        console.warn(`local runtime: the stored rule ${body.name} is not restored: ${String(error)}`);
      }
    }
  }

  /** PutRule: creates a rule, or replaces one of the team's own (keeping its targets, as AWS does). */
  putRule(params: {
    Name: string;
    EventBusName?: string;
    EventPattern?: string;
    ScheduleExpression?: string;
    State?: string;
    Description?: string;
  }): { RuleArn: string } {
    checkName('name', params.Name);
    const busName = this.existingBus(params.EventBusName);
    if (params.ScheduleExpression !== undefined)
      throw new AwsError(
        'ValidationException',
        'Parameter ScheduleExpression is not supported by the local runtime, which runs no schedules; give the rule an EventPattern.',
      );
    if (params.EventPattern === undefined)
      throw new AwsError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    if (params.EventPattern.length > MAX_PATTERN_LENGTH)
      throw lengthError('eventPattern', params.EventPattern, MAX_PATTERN_LENGTH);
    if (params.Description !== undefined && params.Description.length > MAX_DESCRIPTION_LENGTH)
      throw lengthError('description', params.Description, MAX_DESCRIPTION_LENGTH);
    const state = params.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED')
      throw new AwsError(
        'ValidationException',
        state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'
          ? 'State ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is not supported by the local runtime, which has no CloudTrail; use ENABLED.'
          : `1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`,
      );
    const pattern = parseEventPattern(params.EventPattern);
    this.refuseTemplateRule(busName, params.Name);
    const existing = this.localRule(busName, params.Name);
    const rule: LocalRule = {
      name: params.Name,
      arn: this.ruleArn(busName, params.Name),
      busName,
      ...(params.Description === undefined ? {} : { description: params.Description }),
      pattern,
      patternJson: params.EventPattern,
      state,
      targets: existing?.targets ?? [],
      local: true,
    };
    this.save(rule);
    return { RuleArn: rule.arn };
  }

  /** DeleteRule: deleting a rule that does not exist succeeds (API reference: "all calls will succeed"). */
  deleteRule(params: { Name: string; EventBusName?: string }): void {
    checkName('name', params.Name);
    const busName = this.existingBus(params.EventBusName);
    this.refuseTemplateRule(busName, params.Name);
    const rule = this.localRule(busName, params.Name);
    if (!rule) return;
    if (rule.targets.length > 0)
      throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.");
    const at = this.bus.rules.indexOf(rule);
    this.bus.rules.splice(at, 1);
    this.store.deleteRule(busName, rule.name);
  }

  /** EnableRule and DisableRule. */
  setState(params: { Name: string; EventBusName?: string }, state: LocalRule['state']): void {
    const rule = this.ownRule(params.Name, params.EventBusName);
    this.save({ ...rule, state });
  }

  /**
   * PutTargets: adds targets or replaces those with the same Id. A target the runtime cannot take (a service
   * it does not deliver to, input settings PutTargets refuses) is a FailedEntry; the others are put.
   */
  putTargets(params: { Rule: string; EventBusName?: string; Targets: Target[] }): {
    FailedEntryCount: number;
    FailedEntries: { TargetId: string; ErrorCode: string; ErrorMessage: string }[];
  } {
    if (
      !Array.isArray(params.Targets) ||
      params.Targets.length < 1 ||
      params.Targets.length > MAX_PUT_TARGETS
    )
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PUT_TARGETS} and greater than or equal to 1`,
      );
    for (const [i, target] of params.Targets.entries()) {
      if (typeof target.Id !== 'string' || typeof target.Arn !== 'string')
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value null at 'targets.${i + 1}.member.${typeof target.Id !== 'string' ? 'id' : 'arn'}' failed to satisfy constraint: Member must not be null`,
        );
      checkName(`targets.${i + 1}.member.id`, target.Id);
    }
    const rule = this.ownRule(params.Rule, params.EventBusName);
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const targets = [...rule.targets];
    for (const target of params.Targets) {
      const problem = targetProblem(target);
      if (problem) {
        failed.push({ TargetId: target.Id, ErrorCode: 'ValidationException', ErrorMessage: problem });
        continue;
      }
      const at = targets.findIndex((t) => t.Id === target.Id);
      if (at < 0) targets.push(target);
      else targets[at] = target;
    }
    if (targets.length > MAX_TARGETS_PER_RULE)
      throw new AwsError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed: a rule has at most ${MAX_TARGETS_PER_RULE} targets, and ${rule.name} would have ${targets.length}.`,
      );
    this.save({ ...rule, targets });
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  /** RemoveTargets: Ids the rule does not have are ignored, as the targets they name are already gone. */
  removeTargets(params: { Rule: string; EventBusName?: string; Ids: string[] }): {
    FailedEntryCount: number;
    FailedEntries: never[];
  } {
    if (!Array.isArray(params.Ids) || params.Ids.length < 1 || params.Ids.length > MAX_REMOVE_TARGETS)
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length less than or equal to ${MAX_REMOVE_TARGETS} and greater than or equal to 1`,
      );
    for (const [i, id] of params.Ids.entries()) checkName(`ids.${i + 1}.member`, id);
    const rule = this.ownRule(params.Rule, params.EventBusName);
    this.save({ ...rule, targets: rule.targets.filter((t) => !params.Ids.includes(t.Id)) });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  /** DescribeEventBus: the default bus when no Name is given. */
  describeEventBus(params: { Name?: string }): {
    Name: string;
    Arn: string;
    CreationTime: Date;
    LastModifiedTime: Date;
  } {
    const name = this.existingBus(params.Name);
    const bus = this.bus.buses.get(name) as { name: string; arn: string };
    return { Name: bus.name, Arn: bus.arn, CreationTime: this.startedAt, LastModifiedTime: this.startedAt };
  }

  /** The name of an existing bus from a name or ARN (the default bus when absent). */
  private existingBus(nameOrArn: string | undefined): string {
    const name = busNameOf(nameOrArn ?? 'default');
    if (!this.bus.buses.has(name))
      throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return name;
  }

  /** A rule of the team's that Enable/Disable/PutTargets/RemoveTargets may change, or their errors. */
  private ownRule(name: string, busNameOrArn: string | undefined): LocalRule {
    checkName('name', name);
    const busName = this.existingBus(busNameOrArn);
    this.refuseTemplateRule(busName, name);
    const rule = this.localRule(busName, name);
    if (!rule)
      throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${busName}.`);
    return rule;
  }

  private templateRule(busName: string, name: string): LocalRule | undefined {
    return this.bus.rules.find((r) => r.busName === busName && r.name === name && !r.local);
  }

  private localRule(busName: string, name: string): LocalRule | undefined {
    return this.bus.rules.find((r) => r.busName === busName && r.name === name && r.local);
  }

  private refuseTemplateRule(busName: string, name: string): void {
    if (this.templateRule(busName, name))
      throw new AwsError(
        'ManagedRuleException',
        `Rule ${name} on EventBus ${busName} belongs to the CDK app's template, which the local runtime keeps read-only: change it in the CDK app (stacks/) and restart the runtime, or create a rule of your own under another name.`,
      );
  }

  /** A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another (as AWS names them). */
  private ruleArn(busName: string, name: string): string {
    const { region, account } = this.bus.env;
    return `arn:aws:events:${region}:${account}:rule/${busName === 'default' ? '' : `${busName}/`}${name}`;
  }

  /** Puts the rule in place of the one of the same name (or adds it), and stores it. */
  private save(rule: LocalRule): void {
    const at = this.bus.rules.findIndex((r) => r.busName === rule.busName && r.name === rule.name && r.local);
    if (at < 0) this.bus.rules.push(rule);
    else this.bus.rules[at] = rule;
    const { pattern: _parsed, ...body } = rule;
    this.store.putRule(rule.busName, rule.name, JSON.stringify(body));
  }
}

/** A pattern parsed by the matcher, or InvalidEventPatternException with its reason. */
export function parseEventPattern(patternJson: string): ReturnType<typeof parsePattern> {
  try {
    // Matching recurses through the pattern: past MAX_PAYLOAD_DEPTH it is refused rather than overflow.
    if (nestsDeeperThan(patternJson, MAX_PAYLOAD_DEPTH))
      throw new InvalidEventPatternError(`it is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`, '');
    return parsePattern(patternJson);
  } catch (error) {
    // The matcher's message already reads "Event pattern is not valid. Reason: ...".
    if (error instanceof InvalidEventPatternError)
      throw new AwsError('InvalidEventPatternException', error.message);
    throw error;
  }
}

/** Why the runtime cannot take a target, or undefined when it can. */
function targetProblem(target: Target): string | undefined {
  if (!DELIVERABLE_TARGETS.some((t) => t.pattern.test(target.Arn)))
    return `Target ${target.Id}: the local runtime delivers to ${DELIVERABLE_TARGETS.map((t) => t.what).join(', ')}; ${target.Arn} is none of these.`;
  const dlq = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined && !DELIVERABLE_TARGETS[0]?.pattern.test(dlq))
    return `Target ${target.Id}: a dead-letter queue must be an SQS queue ARN, not ${dlq}.`;
  try {
    checkTargetInput(target, `Target ${target.Id}`);
  } catch (error) {
    if (error instanceof UnsupportedTemplateError) return error.message;
    throw error;
  }
  return undefined;
}

function checkName(member: string, name: string): void {
  if (!NAME.test(name))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64`,
    );
}

function lengthError(member: string, value: string, max: number): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max} (it has ${value.length})`,
  );
}
