import aslValidator from 'asl-validator';
import { allStates, type Definition, type State, synthesizedDefinitions } from '../support/definitions';

const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const UPDATE_ITEM = 'arn:aws:states:::dynamodb:updateItem';
const definitions = synthesizedDefinitions();

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

  it('starts by claiming the version with a conditional updateItem', () => {
    const first = definition.States[definition.StartAt];
    expect(first?.Resource).toBe(UPDATE_ITEM);
    expect(first?.Parameters?.ConditionExpression).toBe(
      'attribute_not_exists(#version) OR #version < :version',
    );
    expect(first?.Catch?.[0]?.ErrorEquals).toEqual(['DynamoDB.ConditionalCheckFailedException']);
  });

  it('gives every putEvents state one entry, a jittered FailedEntry retry and a FailedEntry catch', () => {
    const emits = states.filter(([, s]) => s.Resource === PUT_EVENTS);
    expect(emits.length).toBeGreaterThan(0);
    for (const [, state] of emits) {
      expect(state.Parameters?.Entries).toHaveLength(1);
      const retry = state.Retry?.find((r) => r.ErrorEquals.includes('EventBridge.FailedEntry'));
      expect(retry?.JitterStrategy).toBe('FULL');
      expect(state.Catch?.some((c) => c.ErrorEquals.includes('EventBridge.FailedEntry'))).toBe(true);
    }
  });

  it('parks every uncaught emit in the undelivered-events queue before failing with EventUndelivered', () => {
    for (const [, emit] of states.filter(([, s]) => s.Resource === PUT_EVENTS)) {
      for (const c of emit.Catch ?? []) {
        const park = definition.States[c.Next];
        expect(park?.Resource).toBe('arn:aws:states:::sqs:sendMessage');
        expect(String(park?.Parameters?.QueueUrl)).toMatch(/onboarding-kyc-undelivered-events$/);
        expect(definition.States[park?.Next ?? '']).toMatchObject({
          Type: 'Fail',
          Error: 'EventUndelivered',
        });
      }
    }
  });

  it('fences every emit: the only way into a putEvents state is a version-conditioned updateItem', () => {
    for (const [name] of states.filter(([, s]) => s.Resource === PUT_EVENTS)) {
      const before = predecessors(definition, name);
      expect(before).toHaveLength(1);
      expect(before[0]?.Resource).toBe(UPDATE_ITEM);
      expect(before[0]?.Parameters?.ConditionExpression).toBe('#version = :version');
    }
  });

  it('puts events that carry the ordering fields and never an aws. source', () => {
    for (const [, state] of states.filter(([, s]) => s.Resource === PUT_EVENTS)) {
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
