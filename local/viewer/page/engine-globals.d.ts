/**
 * The Node APIs the interpreter's JSONPath and JSONata modules name, for the page's type check (which has
 * no Node types): the data flow view imports those modules. `node:crypto` is the bundle's stand-in
 * (node-crypto.ts); `Buffer` is used only by States.Base64Encode and Base64Decode, which in the browser
 * fail, and the view then says it cannot work that stage out.
 */
declare module 'node:crypto' {
  export function randomUUID(): string;
  export function createHash(algorithm: string): {
    update(data: string, encoding: string): { digest(encoding: string): string };
  };
}

declare const Buffer: {
  from(data: string, encoding: string): { toString(encoding: string): string };
};
