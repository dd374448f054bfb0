/**
 * What a container does, decided by its image. Tests pick behaviour by tag convention
 * (`web:v2` healthy, `web:crash`, `web:unhealthy`, `web:slow`, `web:5xx`) or define it
 * explicitly for an image or tag with `sim.ecs.images.define(...)`.
 */
import type { EcrSim } from '../ecr/index.js';

export interface ImageBehaviour {
  /** Reported as `version` in every response (default: the tag). */
  version: string;
  /** Exit code when the container exits by itself after starting (0 for a job); undefined = keeps running. */
  crashExitCode?: number;
  /** Simulated ms after RUNNING before a crashing container exits. */
  crashAfterMs?: number;
  /** HTTP status for a path (default 200). */
  status?: (path: string) => number;
  /** Paths answered `302 Found` with this `Location` (absolute, or relative to the request). */
  redirects?: Record<string, string>;
  /** Wall ms of latency added to every response. */
  latencyMs?: number;
  /** Container health check result, when the task definition defines one. */
  containerHealthy: boolean;
  /** Lines the container writes to its output when it starts (its awslogs stream, if any). */
  output?: string[];
}

export interface ResolvedImage {
  /** The tag the image resolves to (for a digest: the tag ECR has on it). */
  tag: string;
  repository: string;
  /** Why it cannot be pulled, if so. */
  pullError?: string;
}

const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/;

/** Split `host/repo:tag` or `host/repo@sha256:…` into repository and tag or digest. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at), digest: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repository: image, tag: 'latest' };
}

export function behaviourForTag(tag: string): ImageBehaviour {
  const t = tag.toLowerCase();
  const behaviour: ImageBehaviour = { version: tag, containerHealthy: true };
  if (t.includes('crash')) {
    behaviour.crashExitCode = t.includes('crash137') ? 137 : 1;
    behaviour.crashAfterMs = 5_000;
    behaviour.containerHealthy = false;
  }
  // A one-off job (RunTask): does its work and exits cleanly.
  if (t.includes('job') && behaviour.crashExitCode === undefined) {
    behaviour.crashExitCode = 0;
    behaviour.crashAfterMs = 10_000;
    behaviour.output = [`${tag}: job started`, `${tag}: job done`];
  }
  if (t.includes('unhealthy')) {
    behaviour.status = () => 503;
    behaviour.containerHealthy = false;
  } else if (t.includes('5xx')) {
    behaviour.status = (path) => (path.startsWith('/api') ? 500 : 200);
  }
  if (t.includes('slow')) behaviour.latencyMs = 800;
  return behaviour;
}

/** A fixed behaviour, or one chosen per container start (`launch` counts from 0 for that key). */
export type BehaviourOverride = Partial<ImageBehaviour> | ((launch: number) => Partial<ImageBehaviour>);

export class ImageCatalog {
  private readonly overrides = new Map<string, BehaviourOverride>();
  private readonly launches = new Map<string, number>();

  constructor(private readonly ecr: EcrSim) {}

  /**
   * Override the behaviour of an image: `key` is a full image reference (`repo:tag`, an ECR URI)
   * or a bare tag (applies to that tag in every repository). Unset fields keep the tag convention.
   */
  define(key: string, behaviour: BehaviourOverride): void {
    this.overrides.set(key, behaviour);
    this.launches.delete(key);
  }

  clear(): void {
    this.overrides.clear();
    this.launches.clear();
  }

  resolve(image: string): ResolvedImage {
    const ref = parseImage(image);
    const ecr = ECR_URI.exec(ref.repository);
    if (ecr) {
      const repoName = ecr[3]!;
      const found = this.ecr.resolve(repoName, { imageTag: ref.tag, imageDigest: ref.digest });
      if ('error' in found) {
        return {
          tag: ref.tag ?? ref.digest ?? 'latest',
          repository: ref.repository,
          pullError:
            `CannotPullContainerError: pull image manifest has been retried 5 time(s): ` +
            `failed to resolve ref ${image}: ${image}: not found`,
        };
      }
      return { tag: found.tag ?? ref.tag ?? found.digest, repository: ref.repository };
    }
    // Any other registry always pulls: the simulator has no way to know better.
    return { tag: ref.tag ?? ref.digest ?? 'latest', repository: ref.repository };
  }

  /**
   * The digest ECS pins for an image when a deployment starts: the ECR digest the tag points to
   * now, or the digest in the reference itself; undefined for other registries.
   */
  digestOf(image: string): string | undefined {
    const ref = parseImage(image);
    if (ref.digest) return ref.digest;
    const ecr = ECR_URI.exec(ref.repository);
    if (!ecr) return undefined;
    const found = this.ecr.resolve(ecr[3]!, { imageTag: ref.tag ?? 'latest' });
    return 'error' in found ? undefined : found.digest;
  }

  behaviour(image: string, resolved: ResolvedImage): ImageBehaviour {
    const base = behaviourForTag(resolved.tag);
    const key = [image, `${resolved.repository}:${resolved.tag}`, resolved.tag].find((k) =>
      this.overrides.has(k),
    );
    if (key === undefined) return base;
    const override = this.overrides.get(key)!;
    if (typeof override !== 'function') return { ...base, ...override };
    const launch = this.launches.get(key) ?? 0;
    this.launches.set(key, launch + 1);
    return { ...base, ...override(launch) };
  }
}
