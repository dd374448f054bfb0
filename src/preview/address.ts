/**
 * Where smoke tests reach a preview. Normally at its own URL (a wildcard DNS record points the
 * preview domain at the load balancer). With `preview-test-url` they connect to the listener's
 * own address instead — before DNS exists, or for an internal load balancer — while still
 * sending the preview's host name, which is what the listener rule matches on. Like curl's
 * `--resolve`: the host name is kept, only the address it resolves to changes.
 */
import dns from 'node:dns';
import { Agent, setGlobalDispatcher } from 'undici';
import type { PreviewSettings } from '../settings/preview.js';
import type { PreviewNames } from './naming.js';

export function smokeBaseUrl(names: PreviewNames, preview: PreviewSettings): string {
  const pathPrefix = names.condition.field === 'path-pattern' ? `/${names.environment}` : '';
  if (!preview.testUrl) return names.url.replace(/\/+$/, '');
  const test = new URL(preview.testUrl);
  if (names.condition.field === 'path-pattern') return `${test.origin}${pathPrefix}`;
  const host = names.condition.values[0]!;
  return `${test.protocol}//${host}${test.port ? `:${test.port}` : ''}`;
}

/** Resolve the preview host to the test URL's host for every later `fetch` of this process. */
export function connectPreviewHostTo(names: PreviewNames, preview: PreviewSettings): void {
  if (!preview.testUrl || names.condition.field !== 'host-header') return;
  const previewHost = names.condition.values[0]!;
  const address = new URL(preview.testUrl).hostname.replace(/^\[|\]$/g, '');
  setGlobalDispatcher(
    new Agent({
      connect: {
        lookup: (hostname, options, callback) =>
          dns.lookup(hostname === previewHost ? address : hostname, options, callback),
      },
    }),
  );
}
