/**
 * ECR: repositories and image tags, enough for the action to resolve `repo:tag` to a digest and
 * for the ECS scheduler to decide whether a task's image can be pulled. Images are never real:
 * a digest is sha256(repository + tag), so the same push gives the same digest on every run.
 */
import { createHash } from 'node:crypto';
import { ACCOUNT, REGION } from '../contracts.js';
import { AwsError } from '../core/errors.js';
import type { ServiceDefinition } from '../core/server.js';
import type { Simulator } from '../index.js';

export const REGISTRY_HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

interface ImageRecord {
  digest: string;
  tags: Set<string>;
  pushedAt: Date;
  sizeInBytes: number;
}

interface Repository {
  name: string;
  arn: string;
  uri: string;
  createdAt: Date;
  imageTagMutability: string;
  /** By digest. */
  images: Map<string, ImageRecord>;
  tags: Record<string, string>;
}

export interface PushedImage {
  repositoryName: string;
  tag: string;
  digest: string;
  /** `<registry>/<repo>`, what a task definition's image starts with. */
  repositoryUri: string;
  /** `<registry>/<repo>:<tag>`. */
  imageUri: string;
  /** `<registry>/<repo>@sha256:…`. */
  digestUri: string;
}

interface ImageIdentifier {
  imageTag?: string;
  imageDigest?: string;
}

export class EcrSim {
  readonly repositories = new Map<string, Repository>();
  readonly service: ServiceDefinition;

  constructor(readonly sim: Simulator) {
    this.service = {
      name: 'ecr',
      protocol: 'json1.1',
      targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
      throttleCode: 'ThrottlingException',
      handlers: {
        CreateRepository: (p: { repositoryName: string; imageTagMutability?: string; tags?: Tag[] }) =>
          this.createRepository(p),
        DescribeRepositories: (p: { repositoryNames?: string[] }) => this.describeRepositories(p),
        DescribeImages: (p: { repositoryName: string; imageIds?: ImageIdentifier[] }) =>
          this.describeImages(p),
        BatchGetImage: (p: { repositoryName: string; imageIds: ImageIdentifier[] }) => this.batchGetImage(p),
        ListImages: (p: { repositoryName: string }) => ({
          imageIds: [...this.repo(p.repositoryName).images.values()].flatMap((i) =>
            i.tags.size
              ? [...i.tags].map((t) => ({ imageDigest: i.digest, imageTag: t }))
              : [{ imageDigest: i.digest }],
          ),
        }),
      },
    };
  }

  // ---------- test API ----------

  /** Push (or re-tag) an image; creates the repository if needed. A tag moves to the new image. */
  putImage(repositoryName: string, tag: string): PushedImage {
    if (!this.repositories.has(repositoryName)) this.createRepository({ repositoryName });
    const record = this.repositories.get(repositoryName)!;
    const digest = `sha256:${createHash('sha256').update(`${repositoryName}:${tag}`).digest('hex')}`;
    for (const image of record.images.values()) image.tags.delete(tag);
    const image = record.images.get(digest) ?? {
      digest,
      tags: new Set<string>(),
      pushedAt: new Date(this.sim.clock.now()),
      sizeInBytes: 31_457_280,
    };
    image.tags.add(tag);
    record.images.set(digest, image);
    return {
      repositoryName,
      tag,
      digest,
      repositoryUri: record.uri,
      imageUri: `${record.uri}:${tag}`,
      digestUri: `${record.uri}@${digest}`,
    };
  }

  /** Move an existing tag onto the image another tag points at (like `docker tag` + push). */
  retag(repositoryName: string, fromTag: string, toTag: string): void {
    const repo = this.repo(repositoryName);
    const image = this.findImage(repo, { imageTag: fromTag });
    for (const other of repo.images.values()) other.tags.delete(toTag);
    image.tags.add(toTag);
  }

  /**
   * Resolve an image reference for the scheduler: undefined when not an ECR URI of this
   * registry (pulled from elsewhere, always succeeds); otherwise the tag it carries (or the first
   * tag of the digest), or an error when the repository or image is missing.
   */
  resolve(
    repositoryName: string,
    ref: ImageIdentifier,
  ): { tag?: string; digest: string } | { error: string } {
    const repo = this.repositories.get(repositoryName);
    if (!repo) return { error: 'repository does not exist' };
    for (const image of repo.images.values()) {
      if (ref.imageDigest && image.digest === ref.imageDigest)
        return { tag: [...image.tags][0], digest: image.digest };
      if (ref.imageTag && image.tags.has(ref.imageTag)) return { tag: ref.imageTag, digest: image.digest };
    }
    return { error: 'not found' };
  }

  async stop(): Promise<void> {}

  // ---------- API ----------

  private createRepository(p: { repositoryName: string; imageTagMutability?: string; tags?: Tag[] }) {
    if (this.repositories.has(p.repositoryName)) {
      throw new AwsError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${p.repositoryName}' already exists in the registry with id '${ACCOUNT}'`,
      );
    }
    const repo: Repository = {
      name: p.repositoryName,
      arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${p.repositoryName}`,
      uri: `${REGISTRY_HOST}/${p.repositoryName}`,
      createdAt: new Date(this.sim.clock.now()),
      imageTagMutability: p.imageTagMutability ?? 'MUTABLE',
      images: new Map(),
      tags: Object.fromEntries((p.tags ?? []).map((t) => [t.Key, t.Value])),
    };
    this.repositories.set(repo.name, repo);
    return { repository: repoView(repo) };
  }

  private describeRepositories(p: { repositoryNames?: string[] }) {
    const names = p.repositoryNames ?? [...this.repositories.keys()];
    return { repositories: names.map((n) => repoView(this.repo(n))) };
  }

  private describeImages(p: { repositoryName: string; imageIds?: ImageIdentifier[] }) {
    const repo = this.repo(p.repositoryName);
    const images = p.imageIds?.length
      ? p.imageIds.map((id) => this.findImage(repo, id))
      : [...repo.images.values()];
    return {
      imageDetails: images.map((i) => ({
        registryId: ACCOUNT,
        repositoryName: repo.name,
        imageDigest: i.digest,
        imageTags: [...i.tags],
        imageSizeInBytes: i.sizeInBytes,
        imagePushedAt: i.pushedAt,
        imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        artifactMediaType: 'application/vnd.docker.container.image.v1+json',
      })),
    };
  }

  private batchGetImage(p: { repositoryName: string; imageIds: ImageIdentifier[] }) {
    const repo = this.repo(p.repositoryName);
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of p.imageIds) {
      const found = this.lookup(repo, id);
      if (found) {
        images.push({
          registryId: ACCOUNT,
          repositoryName: repo.name,
          imageId: { imageDigest: found.digest, imageTag: id.imageTag },
          imageManifest: JSON.stringify({ schemaVersion: 2, config: { digest: found.digest } }),
          imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        });
      } else {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
      }
    }
    return { images, failures };
  }

  private repo(name: string): Repository {
    const repo = this.repositories.get(name);
    if (!repo) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'`,
      );
    }
    return repo;
  }

  private lookup(repo: Repository, id: ImageIdentifier): ImageRecord | undefined {
    for (const image of repo.images.values()) {
      if (id.imageDigest && image.digest !== id.imageDigest) continue;
      if (id.imageTag && !image.tags.has(id.imageTag)) continue;
      if (id.imageDigest || id.imageTag) return image;
    }
    return undefined;
  }

  private findImage(repo: Repository, id: ImageIdentifier): ImageRecord {
    const image = this.lookup(repo, id);
    if (!image) {
      const shown = [
        id.imageDigest ? `imageDigest=${id.imageDigest}` : '',
        id.imageTag ? `imageTag=${id.imageTag}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      throw new AwsError(
        'ImageNotFoundException',
        `The image with imageId {${shown}} does not exist within the repository with name '${repo.name}' in the registry with id '${ACCOUNT}'`,
      );
    }
    return image;
  }
}

interface Tag {
  Key: string;
  Value: string;
}

function repoView(r: Repository) {
  return {
    repositoryArn: r.arn,
    registryId: ACCOUNT,
    repositoryName: r.name,
    repositoryUri: r.uri,
    createdAt: r.createdAt,
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
  };
}
