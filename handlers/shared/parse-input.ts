import type { z } from 'zod';
import { type InputIssue, InvalidInput } from './errors';

/**
 * Parses a handler's input, turning a schema failure into a named `InvalidInput` error with a readable
 * one-line message (`applicant.dateOfBirth: Invalid ISO date; plan: Invalid option: ...`), so the state
 * machine can Catch it by name and the console shows what was wrong.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  functionName: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidInput(functionName, issuesOf(result.error), { cause: result.error });
}

/** The issues of a zod error as `path: message` pairs; zod 4 leaves input values out of its issues. */
export function issuesOf(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** `['applicant', 'fullName']` -> `applicant.fullName`, `['checks', 0]` -> `checks[0]`, `[]` -> `(input)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(input)';
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const text = String(key);
      return i === 0 ? text : `.${text}`;
    })
    .join('');
}
