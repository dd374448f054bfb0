/**
 * Names and ids read out of ARNs. The ARN itself is split by @aws-sdk/util-arn-parser; only the
 * resource part (`service/cluster/web`, `targetgroup/web-blue/0123…`) is cut here, because its
 * shape differs per resource type.
 */
import { parse, validate } from '@aws-sdk/util-arn-parser';

/** The resource part of an ARN, or undefined when the text is not an ARN (a bare name). */
function resourceOf(text: string): string | undefined {
  return validate(text) ? parse(text).resource : undefined;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The last `/` segment of the resource: a task id, a service-deployment id, a cluster name. */
export function resourceId(arnOrName: string): string {
  return lastSegment(resourceOf(arnOrName) ?? arnOrName);
}

/** `web:7` from `arn:…:task-definition/web:7` (a `family:revision` is returned as it is). */
export function familyRevision(taskDefinitionArn: string): string {
  return resourceId(taskDefinitionArn);
}

/** `web` from a long (`service/<cluster>/web`) or short (`service/web`) service ARN, or a bare name. */
export function serviceName(nameOrArn: string): string {
  const resource = resourceOf(nameOrArn);
  return resource === undefined ? nameOrArn : lastSegment(resource);
}

/** `web-blue` from `arn:…:targetgroup/web-blue/0123…`; anything else is returned as it is. */
export function targetGroupName(arn: string): string {
  const [type, name] = (resourceOf(arn) ?? '').split('/');
  return type === 'targetgroup' && name ? name : arn;
}

/** `app/<lb>/<id>` (the CloudWatch LoadBalancer dimension) from a listener or listener-rule ARN. */
export function loadBalancerDimension(listenerArn: string): string | undefined {
  const [type, kind, name, id, ...rest] = (resourceOf(listenerArn) ?? '').split('/');
  return (type === 'listener' || type === 'listener-rule') && kind === 'app' && name && id && rest.length > 0
    ? `app/${name}/${id}`
    : undefined;
}

/** `targetgroup/<name>/<id>` (the CloudWatch TargetGroup dimension) from a target-group ARN. */
export function targetGroupDimension(targetGroupArn: string): string | undefined {
  const resource = resourceOf(targetGroupArn) ?? '';
  const [type, name, id, ...rest] = resource.split('/');
  return type === 'targetgroup' && name && id && rest.length === 0 ? resource : undefined;
}

/** `arn:…:loadbalancer/app/<name>/<id>` of a listener-rule ARN. */
export function loadBalancerOfRule(ruleArn: string): string | undefined {
  if (!validate(ruleArn)) return undefined;
  const { partition, service, region, accountId, resource } = parse(ruleArn);
  const lb = loadBalancerDimension(ruleArn);
  if (
    service !== 'elasticloadbalancing' ||
    !/^\d{12}$/.test(accountId) ||
    !resource.startsWith('listener-rule/') ||
    !lb
  )
    return undefined;
  return `arn:${partition}:elasticloadbalancing:${region}:${accountId}:loadbalancer/${lb}`;
}
