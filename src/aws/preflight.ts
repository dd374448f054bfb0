/**
 * What ECS would refuse halfway through a release, refused before anything changes, each with
 * what to do about it:
 * - a service with the old short ARN (`…:service/<name>`): ECS cannot tag it, and the
 *   deployment history lives in its tags;
 * - a `CODE_DEPLOY` or `EXTERNAL` deployment controller: UpdateService cannot change their task
 *   definition (CodeDeploy or task sets own that);
 * - a service whose own tags leave no room under ECS's 50 for one history entry.
 * The task-definition size is checked where the definition is rendered (`taskdef/register.ts`).
 */
import type { Service, Tag } from '@aws-sdk/client-ecs';

const MAX_TAGS = 50;
const OURS = /^deploy-action:history:/;

export function hasShortArn(serviceArn: string): boolean {
  return /:service\/[^/]+$/.test(serviceArn);
}

export function preflightProblems(service: Service, options: { history: boolean }): string[] {
  const name = service.serviceName ?? service.serviceArn ?? 'the service';
  const problems: string[] = [];
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    problems.push(
      `Service "${name}" uses the ${controller} deployment controller: ECS does not let UpdateService change its task definition (${controller === 'CODE_DEPLOY' ? 'CodeDeploy deploys it' : 'its task sets do'}). Deploy it the way its controller expects, or create it with the ECS controller (deploymentController type ECS) to deploy it with this action.`,
    );
  }
  if (options.history && service.serviceArn && hasShortArn(service.serviceArn)) {
    problems.push(
      `Service "${name}" still has the old short ARN (${service.serviceArn}), which ECS cannot tag; the deployment history is kept in its tags. Turn on the account setting serviceLongArnFormat (aws ecs put-account-setting --name serviceLongArnFormat --value enabled) and migrate the service to the long ARN (ECS developer guide: "Migrate an Amazon ECS short service ARN to a long ARN"), then run again.`,
    );
  }
  if (options.history) {
    const own = (service.tags ?? []).filter(
      (t: Tag) => !OURS.test(t.key ?? '') && !/^aws:/i.test(t.key ?? ''),
    );
    if (own.length >= MAX_TAGS) {
      problems.push(
        `Service "${name}" has ${own.length} tags of its own, ECS's limit of ${MAX_TAGS}: the deployment history needs at least one. Remove a tag from the service, then run again.`,
      );
    }
  }
  return problems;
}

export function preflightMessage(problems: string[]): string {
  return `${problems.join(' ')} Nothing was changed.`;
}
