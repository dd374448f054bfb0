/**
 * Reads the blue-green pair as it is now: the two services, their target groups, and which
 * colour is live, from the production forward weights (never from memory). Checks the wiring a
 * release relies on, so a mistake fails before anything changes.
 */
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients.js';
import type { BlueGreenSettings } from '../settings/blue-green.js';
import {
  describeWeights,
  type Route,
  readRoute,
  targetGroupName,
  type Weights,
  weightsOf,
} from './traffic.js';

export type Color = 'blue' | 'green';

export interface Side {
  color: Color;
  service: string;
  serviceArn: string;
  targetGroupArn: string;
  desiredCount: number;
  taskDefinition: string;
  raw: Service;
}

export interface Topology {
  cluster: string;
  live: Side;
  idle: Side;
  /** The blue side: the lock lives on it whatever colour is live. */
  blue: Side;
  route: Route;
  weights: Weights;
  testRoute?: Route;
}

export function other(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

export async function readTopology(
  clients: AwsClients,
  cluster: string,
  bg: BlueGreenSettings,
): Promise<Topology> {
  const names = [bg.services.blue, bg.services.green];
  const out = await clients.ecs
    .send(new DescribeServicesCommand({ cluster, services: names, include: ['TAGS'] }))
    .catch((err: Error) => {
      throw new Error(
        `Reading services ${names.join(', ')} in cluster "${cluster}": ${err.name}: ${err.message}`,
      );
    });
  const side = (color: Color): Side => {
    const name = bg.services[color];
    const s = out.services?.find((x) => x.serviceName === name && x.status === 'ACTIVE');
    if (!s) {
      throw new Error(
        `Service "${name}" (the ${color} side) is not an active service in cluster "${cluster}". Expected: two services, each attached to its own target group (inputs "${color}-service", "service").`,
      );
    }
    const attached = s.loadBalancers?.map((l) => l.targetGroupArn).filter((a): a is string => !!a) ?? [];
    const configured = bg.targetGroups[color];
    const targetGroupArn = configured ?? attached[0];
    if (!targetGroupArn) {
      throw new Error(
        `Service "${name}" has no load balancer target group. Expected: the ${color} service attached to the ${color} target group (or input "${color}-target-group").`,
      );
    }
    if (configured && attached.length && !attached.includes(configured)) {
      throw new Error(
        `Service "${name}" is attached to ${attached.map(targetGroupName).join(', ')}, not to ${targetGroupName(configured)} (input "${color}-target-group").`,
      );
    }
    return {
      color,
      service: name,
      serviceArn: s.serviceArn ?? '',
      targetGroupArn,
      desiredCount: s.desiredCount ?? 0,
      taskDefinition: s.taskDefinition ?? '',
      raw: s,
    };
  };
  const blue = side('blue');
  const green = side('green');
  if (blue.targetGroupArn === green.targetGroupArn) {
    throw new Error(
      `Both services use target group ${targetGroupName(blue.targetGroupArn)}. Expected: one target group per colour.`,
    );
  }

  const route = await readRoute(clients.elb, bg.listener);
  const weights = weightsOf(route);
  const strangers = Object.entries(weights).filter(
    ([arn, w]) => w > 0 && arn !== blue.targetGroupArn && arn !== green.targetGroupArn,
  );
  if (strangers.length) {
    throw new Error(
      `The production ${route.kind} forwards to ${strangers.map(([a]) => targetGroupName(a)).join(', ')}, which is neither the blue (${targetGroupName(blue.targetGroupArn)}) nor the green (${targetGroupName(green.targetGroupArn)}) target group.`,
    );
  }
  const blueWeight = weights[blue.targetGroupArn] ?? 0;
  const greenWeight = weights[green.targetGroupArn] ?? 0;
  if (blueWeight > 0 && greenWeight > 0) {
    throw new Error(
      `Production traffic is split (${describeWeights(weights)}): a release did not finish. Nothing was changed. Expected: all weight on one side; set it back on the ${route.kind} ${route.arn}, or let the post step of that run finish.`,
    );
  }
  if (blueWeight === 0 && greenWeight === 0) {
    throw new Error(
      `The production ${route.kind} sends no traffic to either side (${describeWeights(weights)}).`,
    );
  }
  const liveColor: Color = blueWeight > 0 ? 'blue' : 'green';
  const live = liveColor === 'blue' ? blue : green;
  const idle = liveColor === 'blue' ? green : blue;
  const testRoute = bg.testListener ? await readRoute(clients.elb, bg.testListener) : undefined;
  if (testRoute) weightsOf(testRoute); // Fails now, with the reason, if it has no forward action.
  return { cluster, live, idle, blue, route, weights, testRoute };
}
