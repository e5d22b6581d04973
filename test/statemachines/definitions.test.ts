import aslValidator from 'asl-validator';
import { TRANSIENT_ERRORS } from '../../statemachines/kit';
import { allStates, type Definition, type State, synthesizedDefinitions } from '../support/definitions';

const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const UPDATE_ITEM = 'arn:aws:states:::dynamodb:updateItem';
const definitions = synthesizedDefinitions();

/** A putEvents state: a plain emit, or one that waits for its task token (`.waitForTaskToken`). */
function isPutEvents(state: State): boolean {
  return state.Resource === PUT_EVENTS || state.Resource === `${PUT_EVENTS}.waitForTaskToken`;
}

/** Names of the states that transition to `target` (Next, Choice branches, Default, Catch). */
function predecessors(definition: Definition, target: string): State[] {
  return allStates(definition)
    .map(([, s]) => s)
    .filter(
      (s) =>
        s.Next === target ||
        s.Default === target ||
        s.Choices?.some((c) => c.Next === target) ||
        s.Catch?.some((c) => c.Next === target),
    );
}

describe.each([...definitions])('the synthesized %s state machine', (_name, definition) => {
  const states = allStates(definition);

  it('is valid ASL according to asl-validator', () => {
    const result = aslValidator(definition);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses only JSONPath: no JSONata, Arguments, Output or Assign, which the local engine would ignore', () => {
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [name, state] of states) {
      expect({ name, queryLanguage: state.QueryLanguage ?? 'JSONPath' }).toEqual({
        name,
        queryLanguage: 'JSONPath',
      });
      for (const field of ['Arguments', 'Output', 'Assign']) {
        expect({ name, field, present: field in state }).toEqual({ name, field, present: false });
      }
    }
  });

  it('starts by checking the trigger, then claims the version with a conditional updateItem', () => {
    const check = definition.States[definition.StartAt];
    expect(definition.StartAt).toBe('Check trigger');
    expect(check?.Type).toBe('Choice');
    expect(check?.Default).toBe('Describe malformed trigger');
    const first = definition.States[check?.Choices?.[0]?.Next ?? ''];
    expect(first?.Resource).toBe(UPDATE_ITEM);
    expect(first?.Parameters?.ConditionExpression).toBe(
      'attribute_not_exists(#version) OR #version < :version OR (#version = :version AND #executionArn = :executionArn)',
    );
    expect(first?.Catch?.[0]?.ErrorEquals).toEqual(['DynamoDB.ConditionalCheckFailedException']);
  });

  it('gives every putEvents state one entry and a jittered FailedEntry retry', () => {
    const emits = states.filter(([, s]) => isPutEvents(s));
    expect(emits.length).toBeGreaterThan(0);
    for (const [, state] of emits) {
      expect(state.Parameters?.Entries).toHaveLength(1);
      const retry = state.Retry?.find((r) => r.ErrorEquals.includes('EventBridge.FailedEntry'));
      expect(retry?.JitterStrategy).toBe('FULL');
    }
  });

  it('parks an emit that runs out of retries, then puts the event again in a state a redrive repeats', () => {
    const firstEmits = states.filter(([name, s]) => isPutEvents(s) && !name.endsWith(' again'));
    for (const [name, emit] of firstEmits) {
      expect(emit.Catch?.some((c) => c.ErrorEquals.includes('EventBridge.FailedEntry'))).toBe(true);
      const emitFailures = (emit.Catch ?? []).filter((c) => c.ResultPath === '$.emitError');
      expect(emitFailures.length).toBeGreaterThan(0);
      for (const c of emitFailures) {
        const park = definition.States[c.Next];
        expect(park?.Resource).toBe('arn:aws:states:::sqs:sendMessage');
        expect(String(park?.Parameters?.QueueUrl)).toMatch(/onboarding-kyc-undelivered-events$/);
        // The second put has no Catch: if it fails, the execution fails there, and a redrive repeats it.
        const again = definition.States[park?.Next ?? ''];
        expect(park?.Next).toBe(`${name} again`);
        expect(again?.Resource).toBe(emit.Resource);
        expect([again?.Next, again?.End]).toEqual([emit.Next, emit.End]);
        expect(again?.Parameters?.Entries).toEqual(emit.Parameters?.Entries);
        // A waiting put keeps the wait's own endings (its deadline), and nothing else.
        expect(again?.Catch ?? []).toEqual((emit.Catch ?? []).filter((c) => c.ResultPath !== '$.emitError'));
      }
    }
  });

  it('fences every emit: the only way into a putEvents state is a version-conditioned updateItem', () => {
    for (const [name] of states.filter(([n, s]) => isPutEvents(s) && !n.endsWith(' again'))) {
      const before = predecessors(definition, name);
      expect(before).toHaveLength(1);
      expect(before[0]?.Resource).toBe(UPDATE_ITEM);
      expect(before[0]?.Parameters?.ConditionExpression).toBe('#version = :version');
    }
  });

  it("retries every state-writing task on its service's transient errors, never on a failed condition", () => {
    const writes = states.filter(([, s]) => /^arn:aws:states:::(dynamodb|sqs):/.test(String(s.Resource)));
    expect(writes.length).toBeGreaterThan(0);
    for (const [name, state] of writes) {
      const service = String(state.Resource).includes(':dynamodb:') ? 'dynamodb' : 'sqs';
      const retriedErrors = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect({ name, retriedErrors }).toEqual({
        name,
        retriedErrors: expect.arrayContaining([...TRANSIENT_ERRORS[service]]),
      });
      for (const retrier of state.Retry ?? []) {
        expect(retrier.JitterStrategy).toBe('FULL');
        expect(retrier.BackoffRate).toBeGreaterThan(1);
      }
      // A failed condition is an answer (stale, duplicate, superseded); retrying it would only delay it.
      expect(retriedErrors).not.toContain('DynamoDB.ConditionalCheckFailedException');
      expect(retriedErrors).not.toContain('States.ALL');
    }
  });

  it('reads the task token only in callback tasks, the only ones that have one', () => {
    for (const [name, state] of states.filter(([, s]) =>
      JSON.stringify(s.Parameters ?? {}).includes('$$.Task.Token'),
    ))
      expect({ name, resource: state.Resource }).toEqual({
        name,
        resource: expect.stringMatching(/\.waitForTaskToken$/),
      });
  });

  it('puts events that carry the ordering fields and never an aws. source', () => {
    for (const [, state] of states.filter(([, s]) => isPutEvents(s))) {
      const [entry] = (state.Parameters?.Entries ?? []) as {
        Source: string;
        Detail: Record<string, unknown>;
      }[];
      expect(entry?.Source.startsWith('aws.')).toBe(false);
      expect(Object.keys(entry?.Detail ?? {})).toEqual(
        expect.arrayContaining(['userId.$', 'version.$', 'workflow', 'triggerEventId.$']),
      );
    }
  });

  it('says what happened in every successful ending: each terminal Pass sets outcome', () => {
    for (const [, state] of states.filter(([, s]) => s.Type === 'Pass' && s.End)) {
      expect(state.Parameters?.outcome).toEqual(
        expect.stringMatching(/^(completed|stale|duplicate|superseded|rejected)$/),
      );
    }
  });
});

it('synthesizes the three workflows', () => {
  expect([...definitions.keys()].sort()).toEqual([
    'onboarding-kyc-access-change',
    'onboarding-kyc-kyc',
    'onboarding-kyc-onboarding',
  ]);
});
