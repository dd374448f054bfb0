import { resourceId } from '../aws/arn.js';

/** Links into the AWS console for the job summary: one click from a failure to the resource. */

function host(region: string): string {
  return `https://${region}.console.aws.amazon.com`;
}

export function serviceUrl(region: string, cluster: string, service: string): string {
  const clusterName = resourceId(cluster);
  return `${host(region)}/ecs/v2/clusters/${encodeURIComponent(clusterName)}/services/${encodeURIComponent(service)}/health?region=${region}`;
}

export function targetGroupUrl(region: string, targetGroupArn: string): string {
  return `${host(region)}/ec2/home?region=${region}#TargetGroup:targetGroupArn=${targetGroupArn}`;
}

export function alarmUrl(region: string, alarmName: string): string {
  return `${host(region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

export function link(text: string, url: string): string {
  return `[${text.replace(/[[\]]/g, '')}](${url})`;
}
