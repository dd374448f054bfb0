/**
 * ECR images: verify that each tag exists and pin it by digest, so the registered revision
 * runs exactly the image that was tested even if the tag moves later. Non-ECR images pass
 * through unchanged.
 */
import { DescribeImagesCommand, type ImageDetail, type ImageIdentifier } from '@aws-sdk/client-ecr';
import type { AwsClients } from '../aws/clients.js';
import type { TaskDefinitionInput } from './normalize.js';

export interface EcrImageRef {
  registryId: string;
  region: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]` */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const ECR_URI =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._\-/]+?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

export function parseEcrImage(uri: string): EcrImageRef | undefined {
  const m = ECR_URI.exec(uri);
  if (!m) return undefined;
  const [, registryId, region, repository, tag, digest] = m;
  return {
    registryId: registryId!,
    region: region!,
    registry: uri.slice(0, uri.indexOf('/')),
    repository: repository!,
    tag: digest ? tag : (tag ?? 'latest'),
    digest,
  };
}

export class ImageError extends Error {
  override name = 'ImageError';
}

export interface PinnedImage {
  container: string;
  image: string;
  digest?: string;
  /** For an ECR image: the registry host, and the repository and tag as asked for (`web:v2`). */
  registry?: string;
  requested?: string;
}

/**
 * Resolve every ECR image of the definition (one DescribeImages per repository) and, when
 * `pin` is set, rewrite it to `repo@sha256:…`. Returns what each container runs.
 */
export async function pinImages(
  def: TaskDefinitionInput,
  clients: AwsClients,
  pin: boolean,
): Promise<PinnedImage[]> {
  const containers = def.containerDefinitions ?? [];
  const byRepo = new Map<string, { ref: EcrImageRef; containers: number[] }>();
  containers.forEach((c, i) => {
    const ref = c.image ? parseEcrImage(c.image) : undefined;
    if (!ref) return;
    const key = `${ref.region}/${ref.registryId}/${ref.repository}`;
    const entry = byRepo.get(key) ?? { ref, containers: [] };
    entry.containers.push(i);
    byRepo.set(key, entry);
  });
  const results: PinnedImage[] = containers.map((c) => ({ container: c.name ?? '', image: c.image ?? '' }));

  await Promise.all(
    [...byRepo.values()].map(async ({ ref, containers: indexes }) => {
      const refs = indexes.map((i) => parseEcrImage(containers[i]!.image!)!);
      const ids: ImageIdentifier[] = [];
      for (const r of refs) {
        const id = r.digest ? { imageDigest: r.digest } : { imageTag: r.tag };
        if (!ids.some((x) => x.imageDigest === id.imageDigest && x.imageTag === id.imageTag)) ids.push(id);
      }
      let details: Described;
      try {
        details = await describe(clients, ref, ids);
      } catch (err) {
        const e = err as Error;
        if (e.name === 'RepositoryNotFoundException') {
          throw new ImageError(
            `Image ${containers[indexes[0]!]!.image}: ECR repository "${ref.repository}" does not exist in account ${ref.registryId}, region ${ref.region}.`,
          );
        }
        throw new Error(`Checking images in ECR repository ${ref.repository}: ${e.name}: ${e.message}`);
      }
      if (details.failures.length > 0) {
        const missing = details.failures.map((f) => f.imageId?.imageTag ?? f.imageId?.imageDigest).join(', ');
        throw new ImageError(
          `Image not found in ECR repository "${ref.repository}" (account ${ref.registryId}, region ${ref.region}): ${missing}. Push it first, or fix the tag in "images".`,
        );
      }
      for (const i of indexes) {
        const r = parseEcrImage(containers[i]!.image!)!;
        const found = details.images.find((d) =>
          r.digest ? d.imageDigest === r.digest : d.imageTags?.includes(r.tag!),
        );
        if (!found?.imageDigest) {
          throw new ImageError(
            `Image ${containers[i]!.image} not found in ECR repository "${ref.repository}".`,
          );
        }
        const pinned = `${r.registry}/${r.repository}@${found.imageDigest}`;
        results[i] = {
          container: containers[i]!.name ?? '',
          image: pin ? pinned : containers[i]!.image!,
          digest: found.imageDigest,
          registry: r.registry,
          requested: `${r.repository}${r.tag ? `:${r.tag}` : `@${r.digest}`}`,
        };
        if (pin) containers[i]!.image = pinned;
      }
    }),
  );
  return results;
}

interface Described {
  images: ImageDetail[];
  failures: { imageId?: ImageIdentifier }[];
}

async function describe(
  clients: AwsClients,
  ref: EcrImageRef,
  imageIds: ImageIdentifier[],
): Promise<Described> {
  // DescribeImages reports missing tags as an error for the whole call; ask one by one only then,
  // so the common case (all present) is one call per repository.
  const client = clients.ecr(ref.region);
  try {
    const out = await client.send(
      new DescribeImagesCommand({ registryId: ref.registryId, repositoryName: ref.repository, imageIds }),
    );
    return { images: out.imageDetails ?? [], failures: [] };
  } catch (err) {
    if ((err as Error).name !== 'ImageNotFoundException') throw err;
    if (imageIds.length === 1) return { images: [], failures: [{ imageId: imageIds[0] }] };
    const images: ImageDetail[] = [];
    const failures: Described['failures'] = [];
    for (const id of imageIds) {
      const one = await describe(clients, ref, [id]);
      images.push(...one.images);
      failures.push(...one.failures);
    }
    return { images, failures };
  }
}
