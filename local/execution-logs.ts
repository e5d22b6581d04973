import {
  type DerivedStream,
  executionLogEntry,
  executionLogStream,
  loggedAt,
  type StreamSource,
} from './logs';
import type { Execution, LocalStateMachine, LocalStepFunctions } from './stepfunctions/service';

/**
 * The execution logs of the state machines that log to one group, as Step Functions writes them: a stream per
 * execution (`states/<machine>/<start minute>/<name>`), an entry per history event of the configured level.
 * They are read from the executions' histories when asked for, never kept a second time: the history is the
 * one record of an execution, and the journal already makes it survive a restart.
 */
export function executionLogSource(
  stepFunctions: LocalStepFunctions,
  machines: readonly LocalStateMachine[],
): StreamSource {
  const arns = machines.map((m) => m.arn);
  const streamOf = (execution: Execution): DerivedStream | undefined => {
    const machine = machines.find((m) => m.arn === execution.stateMachineArn);
    const config = machine?.loggingConfiguration;
    if (!machine || !config) return undefined;
    return {
      name: executionLogStream(machine.name, execution.startDate, execution.name),
      creationTime: execution.startDate.getTime(),
      lastEventTimestamp:
        execution.stopDate?.getTime() ?? execution.events.at(-1)?.timestamp ?? execution.startDate.getTime(),
      serial: execution.serial,
      events: () => {
        // Each entry carries the redrive count of its moment: the events after a redrive count it.
        let redriveCount = 0;
        const entries = [];
        for (const event of execution.events) {
          if (event.type === 'ExecutionRedriven') redriveCount++;
          if (!loggedAt(config.level, event.type)) continue;
          entries.push({
            id: event.id,
            timestamp: event.timestamp,
            message: executionLogEntry(
              execution.executionArn,
              event,
              config.includeExecutionData,
              redriveCount,
            ),
          });
        }
        return entries;
      },
    };
  };
  return {
    streams: (since) => stepFunctions.executionsSince(arns, since).flatMap((e) => streamOf(e) ?? []),
    stream: (name) => {
      const [, machineName, , executionName] = name.split('/');
      const machine = machines.find((m) => m.name === machineName);
      if (!machine || executionName === undefined) return undefined;
      const execution = stepFunctions.execution(
        `${machine.arn.replace(':stateMachine:', ':execution:')}:${executionName}`,
      );
      const stream = execution && streamOf(execution);
      return stream?.name === name ? stream : undefined;
    },
  };
}
