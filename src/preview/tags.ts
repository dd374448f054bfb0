/**
 * The tags that make a preview findable and sweepable: every resource of a preview carries the
 * app, repository, pull request, commit, creation time and expiry. The sweep trusts nothing
 * else: a resource without these tags is never touched.
 */
export const TAG = {
  preview: 'deploy-action:preview',
  repository: 'deploy-action:repository',
  pullRequest: 'deploy-action:pull-request',
  commit: 'deploy-action:commit',
  created: 'deploy-action:created',
  expires: 'deploy-action:expires',
} as const;

export interface PreviewTags {
  app: string;
  repository: string;
  pullRequest: number;
  commit: string;
  created: string;
  expires: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export function previewTags(t: PreviewTags): KeyValue[] {
  return [
    { key: TAG.preview, value: t.app },
    { key: TAG.repository, value: t.repository },
    { key: TAG.pullRequest, value: String(t.pullRequest) },
    { key: TAG.commit, value: t.commit },
    { key: TAG.created, value: t.created },
    { key: TAG.expires, value: t.expires },
  ];
}

/**
 * The tags an update rewrites on a resource that already exists: everything but the creation
 * time, which stays the first push's (the expiry moves with every push).
 */
export function updatedTags(t: PreviewTags): KeyValue[] {
  return previewTags(t).filter((tag) => tag.key !== TAG.created);
}

/** ELBv2 spells tags `Key`/`Value`, ECS `key`/`value`. */
export function elbTags(
  t: PreviewTags,
  options: { update?: boolean } = {},
): { Key: string; Value: string }[] {
  return (options.update ? updatedTags(t) : previewTags(t)).map(({ key, value }) => ({
    Key: key,
    Value: value,
  }));
}

/** Reads the preview tags back; undefined when the resource is not a preview. */
export function readPreviewTags(tags: { key?: string; value?: string }[]): PreviewTags | undefined {
  const get = (k: string) => tags.find((t) => t.key === k)?.value;
  const app = get(TAG.preview);
  const pr = Number(get(TAG.pullRequest));
  if (!app || !Number.isInteger(pr) || pr < 1) return undefined;
  return {
    app,
    repository: get(TAG.repository) ?? '',
    pullRequest: pr,
    commit: get(TAG.commit) ?? '',
    created: get(TAG.created) ?? '',
    expires: get(TAG.expires) ?? '',
  };
}

export function fromElbTags(tags: { Key?: string; Value?: string }[] | undefined): PreviewTags | undefined {
  return readPreviewTags((tags ?? []).map((t) => ({ key: t.Key, value: t.Value })));
}
