/**
 * Event patterns for the versioned trigger contract (events/contract.ts `Versioned`). A trigger rule
 * requires a string `userId` and a positive numeric `version`; the malformed pattern matches the events of
 * the same type that lack them, so they are parked in the rejected-events queue instead of matching nothing.
 *
 * Semantics relied on (EventBridge content filtering): `prefix: ''` matches every string and nothing else;
 * `numeric` never matches a string; `anything-but: {wildcard: '*'}` matches only non-strings; exact values
 * `null`, `true`, `false` match those JSON values. No single pattern says "non-empty string", so an empty
 * userId matches both rules: it is parked, and its execution fails at the claim (see the README).
 */
export const versionedDetail = {
  userId: [{ prefix: '' }],
  version: [{ numeric: ['>', 0] }],
};

export const malformedVersionedDetail = {
  $or: [
    { userId: [{ exists: false }, { 'anything-but': { wildcard: '*' } }, ''] },
    { version: [{ exists: false }, { wildcard: '*' }, null, true, false, { numeric: ['<=', 0] }] },
  ],
};
