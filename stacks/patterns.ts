/**
 * Event patterns for the versioned trigger contract (events/contract.ts `Versioned`). A trigger rule
 * requires a string `userId` and a `version` that is there; the malformed pattern matches the events of the
 * same type that lack them, so they are parked in the rejected-events queue instead of matching nothing.
 *
 * The rule cannot check that the version is a positive number: EventBridge's numeric matching stops at
 * +/-5.0e9 ("Content filtering in Amazon EventBridge event patterns"), and a partner's version, its change
 * time in milliseconds, is about 1.8e12. So each workflow's first state checks it (statemachines/kit.ts
 * `checkTrigger`), with the empty userId no pattern can tell from other strings, and parks what it refuses
 * in the same queue, with the reason.
 *
 * Semantics relied on (EventBridge content filtering): `prefix: ''` matches every string and nothing else;
 * `anything-but: {wildcard: '*'}` matches only non-strings; `exists` is about leaf values, so a field
 * holding an object or an empty array does not exist, and one holding null does.
 */
export const versionedDetail = {
  userId: [{ prefix: '' }],
  version: [{ exists: true }],
};

export const malformedVersionedDetail = {
  $or: [
    { userId: [{ exists: false }, { 'anything-but': { wildcard: '*' } }] },
    { version: [{ exists: false }] },
  ],
};
