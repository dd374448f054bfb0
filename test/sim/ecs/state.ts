/** The ECS store and its lookups, which raise the errors ECS raises for unknown names. */
import { AwsError } from '../core/errors.js';
import { arns, type Cluster, nameOf, type Service, type Task, type TaskDefinition } from './model.js';

export class EcsState {
  readonly clusters = new Map<string, Cluster>();
  /** By ARN. */
  readonly taskDefinitions = new Map<string, TaskDefinition>();
  /** Revisions by family, oldest first. */
  readonly families = new Map<string, TaskDefinition[]>();
  /** By ARN; an INACTIVE service stays until a new one with its name replaces it. */
  readonly services = new Map<string, Service>();
  /** By ARN, stopped ones included (ECS keeps them for about an hour; the simulator keeps them all). */
  readonly tasks = new Map<string, Task>();
  /** PutAccountSetting values by name (unset: AWS's default, `enabled`). */
  readonly accountSettings = new Map<string, string>();

  cluster(nameOrArn: string | undefined): Cluster {
    const name = nameOf(nameOrArn ?? 'default');
    const cluster = this.clusters.get(name);
    if (cluster?.status !== 'ACTIVE') throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  findService(cluster: Cluster, nameOrArn: string): Service | undefined {
    return this.services.get(arns.service(cluster.name, nameOf(nameOrArn)));
  }

  service(cluster: Cluster, nameOrArn: string): Service {
    const service = this.findService(cluster, nameOrArn);
    if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return service;
  }

  activeService(cluster: Cluster, nameOrArn: string): Service {
    const service = this.service(cluster, nameOrArn);
    if (service.status !== 'ACTIVE')
      throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    return service;
  }

  /** `family`, `family:revision` or a full ARN; a bare family means its latest ACTIVE revision. */
  findTaskDefinition(ref: string): TaskDefinition | undefined {
    if (ref.startsWith('arn:')) return this.taskDefinitions.get(ref);
    const colon = ref.lastIndexOf(':');
    if (colon > 0) {
      const revision = Number(ref.slice(colon + 1));
      return this.families.get(ref.slice(0, colon))?.find((t) => t.revision === revision);
    }
    const revisions = this.families.get(ref) ?? [];
    return [...revisions].reverse().find((t) => t.status === 'ACTIVE');
  }

  tasksOf(service: Service): Task[] {
    return [...this.tasks.values()].filter((t) => t.service === service);
  }
}
