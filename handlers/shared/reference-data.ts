import { z } from 'zod';
import { issuesOf } from './parse-input';

/**
 * Validates a JSON data file bundled with a handler (sanctions list, country risk table) when the module
 * loads. A broken file is a deployment bug, so it fails the cold start loudly instead of letting every
 * check quietly pass.
 */
export function parseReferenceData<Schema extends z.ZodType>(
  schema: Schema,
  data: unknown,
  fileName: string,
): z.output<Schema> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = issuesOf(result.error).map((issue) => `${issue.path}: ${issue.message}`);
  throw new Error(`${fileName} is invalid: ${problems.join('; ')}`, { cause: result.error });
}

/** A country code as the data files write it; applicants' codes are upper-cased before lookup. */
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'Expected an upper-case ISO 3166-1 alpha-2 code');
