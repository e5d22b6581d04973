/**
 * What the viewer's bundle gives the interpreter's modules for `node:crypto` (serve.ts maps it here): the
 * page imports the engine's JSONPath and JSONata functions for the data flow view (../data-flow.ts), and
 * their intrinsics import Node's crypto. A UUID the browser makes as Node does; a hash it cannot make
 * synchronously (Web Crypto's digest is asynchronous), so States.Hash and $hash say so, and the data
 * flow view shows that stage as one it cannot work out.
 */
export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export function createHash(algorithm: string): never {
  throw new Error(`a ${algorithm} hash cannot be worked out in the browser`);
}
