import { join } from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Architecture, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface HandlerFunctionProps {
  readonly prefix: string;
  /** The folder under handlers/ whose handler.ts exports `handler`. */
  readonly name: string;
  readonly environment?: Record<string, string>;
}

/** A Lambda function for one folder in handlers/, bundled offline by esbuild from node_modules. */
export class HandlerFunction extends Construct {
  readonly function: IFunction;

  constructor(scope: Construct, id: string, { prefix, name, environment }: HandlerFunctionProps) {
    super(scope, id);
    const fn = new NodejsFunction(this, 'Function', {
      functionName: `${prefix}-${name}`,
      entry: join(__dirname, '..', 'handlers', name, 'handler.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      ...(environment ? { environment } : {}),
      tracing: Tracing.ACTIVE,
      logGroup: new LogGroup(this, 'Logs', {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      bundling: { format: OutputFormat.CJS, minify: true, sourceMap: true, target: 'node24' },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole only lets the function write its own logs; it reads and writes nothing else.',
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (Resource: *).',
    });
    this.function = fn;
  }
}
