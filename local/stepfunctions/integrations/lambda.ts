import type { LocalLambdas } from '../../lambda';
import type { Integration } from '.';

/** `lambda:invoke`: the function's result as `Payload`; its error is thrown under the function's error name. */
export function lambdaInvokeIntegration(lambdas: LocalLambdas): Integration {
  return async ({ parameters }) => {
    const input = parameters as { FunctionName?: unknown; Payload?: unknown };
    const payload = await lambdas.invoke(String(input.FunctionName), input.Payload);
    return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
  };
}
