// Imported with import() by clients.ts only when a command needs this client. A module of our
// own in between, because bundlers hand a CommonJS package to import() as `default` only.
export { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
