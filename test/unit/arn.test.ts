import { describe, expect, it } from '@jest/globals';
import {
  familyRevision,
  loadBalancerDimension,
  loadBalancerOfRule,
  resourceId,
  serviceName,
  targetGroupDimension,
  targetGroupName,
} from '../../src/aws/arn.js';

const account = '123456789012';
const ecs = `arn:aws:ecs:eu-west-1:${account}`;
const elb = `arn:aws:elasticloadbalancing:eu-west-1:${account}`;

describe('ARN helpers', () => {
  it('reads family:revision from a task-definition ARN and leaves a bare one as it is', () => {
    expect(familyRevision(`${ecs}:task-definition/web:7`)).toBe('web:7');
    expect(familyRevision(`arn:aws-cn:ecs:cn-north-1:${account}:task-definition/api-pr-12:103`)).toBe(
      'api-pr-12:103',
    );
    expect(familyRevision('web:7')).toBe('web:7');
    expect(familyRevision('')).toBe('');
  });

  it('reads the service name from long and short service ARNs and from a bare name', () => {
    expect(serviceName(`${ecs}:service/prod/web`)).toBe('web');
    expect(serviceName(`${ecs}:service/web`)).toBe('web');
    expect(serviceName('web')).toBe('web');
    expect(serviceName('prod/web')).toBe('prod/web');
  });

  it('reads the last resource segment: task id, deployment id, cluster name', () => {
    expect(resourceId(`${ecs}:task/prod/0a1b2c3d4e5f`)).toBe('0a1b2c3d4e5f');
    expect(resourceId(`${ecs}:service-deployment/prod/web/AbCdEf123`)).toBe('AbCdEf123');
    expect(resourceId(`${ecs}:cluster/prod`)).toBe('prod');
    expect(resourceId('prod')).toBe('prod');
  });

  it('reads the target-group name and returns anything else unchanged', () => {
    expect(targetGroupName(`${elb}:targetgroup/web-blue/0123456789abcdef`)).toBe('web-blue');
    expect(targetGroupName(`${elb}:loadbalancer/app/front/50dc6c495c0c9188`)).toBe(
      `${elb}:loadbalancer/app/front/50dc6c495c0c9188`,
    );
    expect(targetGroupName('web-blue')).toBe('web-blue');
  });

  it('reads the CloudWatch load-balancer and target-group dimensions', () => {
    expect(loadBalancerDimension(`${elb}:listener/app/front/50dc6c495c0c9188/f2f7dc8efc522ab2`)).toBe(
      'app/front/50dc6c495c0c9188',
    );
    expect(
      loadBalancerDimension(
        `${elb}:listener-rule/app/front/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`,
      ),
    ).toBe('app/front/50dc6c495c0c9188');
    expect(
      loadBalancerDimension(`${elb}:listener/net/front/50dc6c495c0c9188/f2f7dc8efc522ab2`),
    ).toBeUndefined();
    expect(loadBalancerDimension(`${elb}:loadbalancer/app/front/50dc6c495c0c9188`)).toBeUndefined();
    expect(targetGroupDimension(`${elb}:targetgroup/web-blue/0123456789abcdef`)).toBe(
      'targetgroup/web-blue/0123456789abcdef',
    );
    expect(
      targetGroupDimension(`${elb}:listener/app/front/50dc6c495c0c9188/f2f7dc8efc522ab2`),
    ).toBeUndefined();
    expect(targetGroupDimension('web-blue')).toBeUndefined();
  });

  it('finds the load balancer of a listener rule', () => {
    expect(
      loadBalancerOfRule(`${elb}:listener-rule/app/front/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`),
    ).toBe(`${elb}:loadbalancer/app/front/50dc6c495c0c9188`);
    expect(loadBalancerOfRule(`${elb}:listener/app/front/50dc6c495c0c9188/f2f7dc8efc522ab2`)).toBeUndefined();
    expect(
      loadBalancerOfRule('arn:aws:elasticloadbalancing:eu-west-1:12:listener-rule/app/front/1/2/3'),
    ).toBeUndefined();
    expect(loadBalancerOfRule('not-an-arn')).toBeUndefined();
  });
});
