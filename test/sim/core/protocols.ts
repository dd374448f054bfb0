/**
 * Wire codecs for the three AWS protocols the action's clients speak:
 * - awsJson1_1 (ECS, ECR, Application Auto Scaling) and awsJson1_0 (CloudWatch): JSON in and out,
 *   timestamps as epoch seconds, errors as `{__type, message}` (+ `x-amzn-query-error` for CloudWatch,
 *   whose JSON protocol is "query compatible").
 * - awsQuery (ELBv2): a form body in, XML out, lists as `<member>` elements, errors as `<ErrorResponse>`.
 * Handlers work with plain objects; Dates in results are encoded per protocol.
 */
import type { AwsError } from './errors.js';

export type Protocol = 'json1.1' | 'json1.0' | 'query';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// ---------- JSON ----------

function jsonReplacer(_key: string, value: unknown): unknown {
  return value;
}

/** Dates become epoch seconds, as the JSON protocols expect; undefined values are dropped. */
function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

export function encodeJson(protocol: 'json1.1' | 'json1.0', result: unknown): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${protocol === 'json1.1' ? '1.1' : '1.0'}` },
    body: JSON.stringify(toJsonValue(result ?? {}), jsonReplacer),
  };
}

export function encodeJsonError(protocol: 'json1.1' | 'json1.0', error: AwsError): WireResponse {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${protocol === 'json1.1' ? '1.1' : '1.0'}`,
    'x-amzn-errortype': error.code,
  };
  if (protocol === 'json1.0') headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
  return {
    status: error.status,
    headers,
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

// ---------- Query / XML ----------

/**
 * Decode an awsQuery form body into nested objects: `A.member.1.B=x` becomes `{A: [{B: 'x'}]}`.
 * Scalars stay strings; handlers convert numbers and booleans where the API has them.
 */
export function decodeQuery(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      if (part === 'member' || part === 'entry') continue;
      const isIndex = /^\d+$/.test(part);
      const slot: string | number = isIndex ? Number(part) - 1 : part;
      const nextIsMember = parts[i + 1] === 'member' || parts[i + 1] === 'entry';
      if (last) {
        (node as Record<string | number, unknown>)[slot] = value;
        break;
      }
      const container = node as Record<string | number, unknown>;
      if (container[slot] === undefined) container[slot] = nextIsMember ? [] : {};
      node = container[slot] as Record<string, unknown> | unknown[];
    }
  }
  return root;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function encodeQuery(
  operation: string,
  xmlns: string,
  result: unknown,
  requestId: string,
): WireResponse {
  const body =
    `<${operation}Response xmlns="${xmlns}"><${operation}Result>${toXml(result ?? {})}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

export function encodeQueryError(error: AwsError, requestId: string): WireResponse {
  const body =
    `<ErrorResponse><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { 'content-type': 'text/xml' }, body };
}
