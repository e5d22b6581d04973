import { JsonPath } from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Typed JSONPath references into a state's data. `paths<KycData>().detail.userId.$` is the CDK token for
 * `$.detail.userId`, typed as the field's type, so a misspelled field fails `tsc` instead of failing an
 * execution at run time. `.path` is the plain JSONPath string, for ResultPath and Choice conditions.
 */
export type Paths<T> = {
  readonly $: T;
  readonly path: string;
} & (T extends readonly unknown[]
  ? unknown
  : T extends object
    ? { readonly [K in keyof T & string]-?: Paths<NonNullable<T[K]>> }
    : unknown);

export function paths<T>(root = '$'): Paths<T> {
  return new Proxy({} as Paths<T>, {
    get(_target, key) {
      if (typeof key !== 'string') return undefined;
      // A token renders as `"key.$": "<path>"` inside TaskInput.fromObject whatever the field's type.
      if (key === '$') return JsonPath.stringAt(root);
      if (key === 'path') return root;
      return paths(`${root}.${key}`);
    },
  });
}

/** The execution's context object, for the fields this app records. */
export const context = {
  executionId: JsonPath.stringAt('$$.Execution.Id'),
  startTime: JsonPath.stringAt('$$.Execution.StartTime'),
};
