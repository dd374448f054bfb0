/**
 * The load balancer's quotas, worded so a user knows what to do: forgotten previews are the
 * usual reason a preview listener runs out of rules or the account out of target groups.
 */
export class PreviewQuotaError extends Error {
  override name = 'PreviewQuotaError';
}

const QUOTAS: Record<string, string> = {
  TooManyRulesException:
    'the preview load balancer has reached its quota of listener rules (100 per load balancer by default)',
  TooManyTargetGroupsException:
    'the account has reached its quota of target groups (3000 per region by default)',
};

/** Rewrites a quota error into advice; returns undefined for any other error. */
export function explainQuota(err: unknown, doing: string): PreviewQuotaError | undefined {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  const what = QUOTAS[name] ?? QUOTAS[`${name}Exception`];
  if (!what) return undefined;
  return new PreviewQuotaError(
    `${doing}: ${what}. Remove previews of closed or forgotten pull requests with \`command: preview-sweep\` (or \`preview-down\`), or ask AWS for a higher quota.`,
  );
}
