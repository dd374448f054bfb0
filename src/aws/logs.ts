/**
 * The tail of a container's awslogs stream, as a person would read it after a one-off task
 * stopped: the stream the awslogs driver names (`<prefix>/<container>/<task-id>` in its group),
 * the newest lines. A missing group or stream is not an error here: it is reported as such.
 */
import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';

export interface AwslogsDestination {
  group: string;
  stream: string;
  region?: string;
}

/** Where a container definition's awslogs driver writes for a task, or undefined if it does not use awslogs. */
export function awslogsDestination(
  container: { name?: string; logConfiguration?: { logDriver?: string; options?: Record<string, string> } },
  taskId: string,
): AwslogsDestination | undefined {
  const config = container.logConfiguration;
  if (config?.logDriver !== 'awslogs') return undefined;
  const group = config.options?.['awslogs-group'];
  const prefix = config.options?.['awslogs-stream-prefix'];
  // Without a prefix the stream is named after the Docker container id, which ECS does not report.
  if (!group || !prefix || !container.name) return undefined;
  return {
    group,
    stream: `${prefix}/${container.name}/${taskId}`,
    region: config.options?.['awslogs-region'],
  };
}

export type LogTail = { lines: string[] } | { missing: string };

export async function logTail(
  logs: CloudWatchLogsClient,
  at: AwslogsDestination,
  limit: number,
): Promise<LogTail> {
  try {
    // Without a token GetLogEvents answers the newest events, oldest first: the tail.
    const out = await logs.send(
      new GetLogEventsCommand({
        logGroupName: at.group,
        logStreamName: at.stream,
        limit,
        startFromHead: false,
      }),
    );
    return { lines: (out.events ?? []).map((e) => (e.message ?? '').replace(/\n$/, '')) };
  } catch (err) {
    if (err instanceof ResourceNotFoundException)
      return { missing: `no log stream ${at.stream} in ${at.group} (the container may not have started)` };
    throw err;
  }
}
