/**
 * CloudWatch Logs handlers, for what the action reads (GetLogEvents, FilterLogEvents,
 * DescribeLogStreams) and what infrastructure code and tests create (CreateLogGroup,
 * CreateLogStream, PutLogEvents, DescribeLogGroups). Events are visible only once ingested.
 */
import { AwsError } from '../core/errors.js';
import type { Handler } from '../core/server.js';
import type { LogEvent, LogGroup, LogStream, LogsSim } from './index.js';

type Params = Record<string, unknown>;

const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const notFound = (message: string) => new AwsError('ResourceNotFoundException', message);

const GROUP_NAME = /^[\w.\-/#]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;

const str = (p: Params, key: string) => (typeof p[key] === 'string' ? (p[key] as string) : undefined);
const num = (p: Params, key: string) => (typeof p[key] === 'number' ? (p[key] as number) : undefined);
/** JSON timestamps of this API are epoch milliseconds (longs), unlike ECS's epoch seconds. */
const ms = num;

function limit(p: Params, max: number, fallback: number): number {
  const v = num(p, 'limit');
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw invalid(
      `1 validation error detected: Value '${v}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    );
  return v;
}

/** Tokens are opaque to callers; here they carry an index. */
const token = (prefix: string, i: number) => `${prefix}/${String(i).padStart(56, '0')}`;
function fromToken(t: string | undefined, prefix: string): number | undefined {
  if (t === undefined) return undefined;
  const m = /^([fbn])\/(\d+)$/.exec(t);
  if (!m || (prefix !== 'fb' && m[1] !== prefix) || (prefix === 'fb' && m[1] === 'n'))
    throw invalid('The specified nextToken is invalid.');
  return Number(m[2]);
}

export function logsHandlers(logs: LogsSim): Record<string, Handler> {
  const group = (p: Params): LogGroup => {
    const identifier = str(p, 'logGroupIdentifier');
    const name = str(p, 'logGroupName');
    if (identifier && name)
      throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    const key = identifier
      ? identifier.replace(/^arn:[^:]+:logs:[^:]+:\d+:log-group:/, '').replace(/:\*$/, '')
      : name;
    if (!key) throw invalid('Either logGroupName or logGroupIdentifier must be specified.');
    const found = logs.groups.get(key);
    if (!found) throw notFound('The specified log group does not exist.');
    return found;
  };
  const stream = (g: LogGroup, name: string | undefined): LogStream => {
    if (!name) throw invalid('logStreamName is required.');
    const found = g.streams.get(name);
    if (!found) throw notFound('The specified log stream does not exist.');
    return found;
  };
  const visible = (s: LogStream): LogEvent[] => {
    const now = logs.now();
    return s.events.filter((e) => e.ingestionTime <= now);
  };
  const eventView = (e: LogEvent) => ({
    timestamp: e.timestamp,
    message: e.message,
    ingestionTime: e.ingestionTime,
  });

  const createLogGroup = (p: Params) => {
    const name = str(p, 'logGroupName') ?? '';
    if (!GROUP_NAME.test(name)) throw invalid(`Invalid log group name: ${name}`);
    if (logs.groups.has(name))
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    logs.createGroup(name);
    return {};
  };

  const createLogStream = (p: Params) => {
    const g = group(p);
    const name = str(p, 'logStreamName') ?? '';
    if (!STREAM_NAME.test(name)) throw invalid(`Invalid log stream name: ${name}`);
    if (g.streams.has(name))
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    logs.createStream(g, name);
    return {};
  };

  const putLogEvents = (p: Params) => {
    const g = group(p);
    const s = stream(g, str(p, 'logStreamName'));
    const events = (p.logEvents as { timestamp: number; message: string }[] | undefined) ?? [];
    if (events.length < 1 || events.length > 10_000)
      throw invalid('logEvents must have between 1 and 10000 items.');
    for (let i = 1; i < events.length; i++)
      if (events[i]!.timestamp < events[i - 1]!.timestamp)
        throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
    for (const e of events) logs.write(g.name, s.name, e.timestamp, e.message);
    return {};
  };

  const describeLogGroups = (p: Params) => {
    const prefix = str(p, 'logGroupNamePrefix') ?? '';
    const all = [...logs.groups.values()]
      .filter((g) => g.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const start = fromToken(str(p, 'nextToken'), 'n') ?? 0;
    const size = limit(p, 50, 50);
    const slice = all.slice(start, start + size);
    return {
      logGroups: slice.map((g) => ({
        logGroupName: g.name,
        arn: `${g.arn}:*`,
        logGroupArn: g.arn,
        creationTime: g.creationTime,
      })),
      nextToken: start + size < all.length ? token('n', start + size) : undefined,
    };
  };

  const describeLogStreams = (p: Params) => {
    const g = group(p);
    const prefix = str(p, 'logStreamNamePrefix');
    const orderBy = str(p, 'orderBy') ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
      throw invalid(
        `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
      );
    if (prefix !== undefined && orderBy === 'LastEventTime')
      throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
    const lastEvent = (s: LogStream) => visible(s).at(-1)?.timestamp;
    let all = [...g.streams.values()].filter((s) => prefix === undefined || s.name.startsWith(prefix));
    all =
      orderBy === 'LogStreamName'
        ? all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        : all.sort((a, b) => (lastEvent(a) ?? a.creationTime) - (lastEvent(b) ?? b.creationTime));
    if (p.descending === true) all.reverse();
    const start = fromToken(str(p, 'nextToken'), 'n') ?? 0;
    const size = limit(p, 50, 50);
    const slice = all.slice(start, start + size);
    return {
      logStreams: slice.map((s) => {
        const events = visible(s);
        return {
          logStreamName: s.name,
          arn: s.arn,
          creationTime: s.creationTime,
          firstEventTimestamp: events[0]?.timestamp,
          lastEventTimestamp: events.at(-1)?.timestamp,
          lastIngestionTime: events.at(-1)?.ingestionTime,
        };
      }),
      nextToken: start + size < all.length ? token('n', start + size) : undefined,
    };
  };

  /**
   * GetLogEvents reads one stream as a window. Without a token it starts at the end (the newest
   * events) unless `startFromHead`; the forward token continues after the window, the backward
   * token before it; at either end the same token comes back, as on AWS.
   */
  const getLogEvents = (p: Params) => {
    const s = stream(group(p), str(p, 'logStreamName'));
    const from = ms(p, 'startTime');
    const to = ms(p, 'endTime');
    const events = visible(s).filter(
      (e) => (from === undefined || e.timestamp >= from) && (to === undefined || e.timestamp < to),
    );
    const size = limit(p, 10_000, 10_000);
    const t = str(p, 'nextToken');
    const at = fromToken(t, 'fb');
    let start: number;
    if (t?.startsWith('f/')) start = at!;
    else if (t?.startsWith('b/')) start = Math.max(0, at! - size);
    else start = p.startFromHead === true ? 0 : Math.max(0, events.length - size);
    const end = t?.startsWith('b/') ? at! : Math.min(events.length, start + size);
    return {
      events: events.slice(start, end).map(eventView),
      nextForwardToken: token('f', end),
      nextBackwardToken: token('b', start),
    };
  };

  const filterLogEvents = (p: Params) => {
    const g = group(p);
    const names = p.logStreamNames as string[] | undefined;
    const prefix = str(p, 'logStreamNamePrefix');
    if (names !== undefined && prefix !== undefined)
      throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    if (names !== undefined && (names.length < 1 || names.length > 100))
      throw invalid('logStreamNames must have between 1 and 100 items.');
    const from = ms(p, 'startTime');
    const to = ms(p, 'endTime');
    const pattern = str(p, 'filterPattern');
    // Only the plain-term form of the filter syntax: every term must appear (choice: no JSON or space-delimited patterns).
    const terms = (pattern ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((t) => t.replace(/^"|"$/g, ''));
    const all = [...g.streams.values()]
      .filter((s) => (names ? names.includes(s.name) : prefix === undefined || s.name.startsWith(prefix)))
      .flatMap((s) => visible(s).map((e) => ({ stream: s.name, e })))
      .filter(
        ({ e }) => (from === undefined || e.timestamp >= from) && (to === undefined || e.timestamp <= to),
      )
      .filter(({ e }) => terms.every((t) => e.message.includes(t)))
      .sort((a, b) => a.e.timestamp - b.e.timestamp || (a.e.eventId < b.e.eventId ? -1 : 1));
    const start = fromToken(str(p, 'nextToken'), 'n') ?? 0;
    const size = limit(p, 10_000, 10_000);
    const slice = all.slice(start, start + size);
    return {
      events: slice.map(({ stream: logStreamName, e }) => ({
        logStreamName,
        ...eventView(e),
        eventId: e.eventId,
      })),
      nextToken: start + size < all.length ? token('n', start + size) : undefined,
    };
  };

  return {
    CreateLogGroup: createLogGroup,
    CreateLogStream: createLogStream,
    PutLogEvents: putLogEvents,
    DescribeLogGroups: describeLogGroups,
    DescribeLogStreams: describeLogStreams,
    GetLogEvents: getLogEvents,
    FilterLogEvents: filterLogEvents,
  };
}
