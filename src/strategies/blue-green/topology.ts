/**
 * Reads the blue-green pair as it is now: the two services, their target groups, and which
 * colour is live, from the production forward weights (never from memory). Checks the wiring a
 * release relies on, so a mistake fails before anything changes.
 */

import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../aws/clients.js';
import {
  describeWeights,
  type Route,
  readRoute,
  targetGroupName,
  type Weights,
  weightsOf,
} from '../../aws/traffic.js';
import type { Step } from '../../release/steps.js';
import type { BlueGreenSettings } from '../../settings/blue-green.js';

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
  /** The blue side: the deploy lock lives on it whatever colour is live. */
  blue: Side;
  route: Route;
  weights: Weights;
  testRoute?: Route;
  /** The side whose service does not exist yet (first release on a single service). */
  missing?: Color;
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
  const found = (color: Color) =>
    out.services?.find((x) => x.serviceName === bg.services[color] && x.status === 'ACTIVE');
  const side = (color: Color, s: Service): Side => {
    const name = bg.services[color];
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
  const blueService = found('blue');
  const greenService = found('green');
  if (!blueService && !greenService) {
    throw new Error(
      `Neither "${bg.services.blue}" nor "${bg.services.green}" is an active service in cluster "${cluster}". Expected: at least the live service, attached to its target group (inputs "service", "blue-service", "green-service").`,
    );
  }
  const route = await readRoute(clients.elb, bg.listener);
  const weights = weightsOf(route);

  // First release on a single service: the missing side's target group is the other group in
  // the production forward, unless given; the release creates the service from the live one.
  let missing: Topology['missing'];
  let blue: Side;
  let green: Side;
  if (blueService && greenService) {
    blue = side('blue', blueService);
    green = side('green', greenService);
  } else {
    const presentColor: Color = blueService ? 'blue' : 'green';
    const present = side(presentColor, (blueService ?? greenService)!);
    const absentColor = other(presentColor);
    const targetGroupArn =
      bg.targetGroups[absentColor] ?? Object.keys(weights).find((arn) => arn !== present.targetGroupArn);
    if (!targetGroupArn) {
      throw new Error(
        `Service "${bg.services[absentColor]}" (the ${absentColor} side) does not exist and its target group is unknown. Expected: the ${absentColor} target group in the production forward action with weight 0 (or input "${absentColor}-target-group"); the release then creates the service from ${present.service}'s configuration.`,
      );
    }
    const placeholder: Side = {
      color: absentColor,
      service: bg.services[absentColor],
      serviceArn: '',
      targetGroupArn,
      desiredCount: 0,
      taskDefinition: present.taskDefinition,
      raw: {},
    };
    missing = absentColor;
    blue = presentColor === 'blue' ? present : placeholder;
    green = presentColor === 'green' ? present : placeholder;
  }
  if (blue.targetGroupArn === green.targetGroupArn) {
    throw new Error(
      `Both services use target group ${targetGroupName(blue.targetGroupArn)}. Expected: one target group per colour.`,
    );
  }

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
  if (missing === liveColor) {
    throw new Error(
      `Production traffic goes to ${targetGroupName(liveColor === 'blue' ? blue.targetGroupArn : green.targetGroupArn)}, but the ${liveColor} service "${bg.services[liveColor]}" does not exist.`,
    );
  }
  const live = liveColor === 'blue' ? blue : green;
  const idle = liveColor === 'blue' ? green : blue;
  const testRoute = bg.testListener ? await readRoute(clients.elb, bg.testListener) : undefined;
  if (testRoute) weightsOf(testRoute); // Fails now, with the reason, if it has no forward action.
  return { cluster, live, idle, blue, route, weights, testRoute, missing };
}

/**
 * The journal step of every production traffic move of a release: what undoes it is the
 * weights (and whole action list) production had before, whichever step moved them last, and
 * the route settle its undo waits before the steps undone after it.
 */
export function productionRouteStep(t: Topology, settleMs: number): Extract<Step, { kind: 'route' }> {
  return {
    kind: 'route',
    role: 'production',
    arn: t.route.arn,
    weights: t.weights,
    actions: t.route.actions,
    settleMs,
  };
}
