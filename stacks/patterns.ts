/**
 * Event patterns for the versioned trigger contract (events/contract.ts `Versioned`). A trigger rule
 * requires a string `userId` and a positive numeric `version`; the malformed pattern matches the events of
 * the same type that lack them, so they are parked in the rejected-events queue instead of matching nothing.
 */
export const versionedDetail = {
  // `prefix: ''` matches any string and nothing else; `numeric` never matches a string.
  userId: [{ prefix: '' }],
  version: [{ numeric: ['>', 0] }],
};

export const malformedVersionedDetail = {
  $or: [
    { userId: [{ exists: false }] },
    { userId: [''] },
    { version: [{ exists: false }] },
    { version: [{ numeric: ['<=', 0] }] },
    // A version sent as a string ("3") is malformed too: versions compare as numbers.
    { version: [{ prefix: '' }] },
  ],
};
