/**
 * Brings one pull request's preview up, or updates it in place: target group, listener rule,
 * task definition, service — each found again when it exists, so a re-run for a new push
 * only registers a revision and deploys it. Then waits until the preview is healthy and runs
 * the smoke tests against its URL. Never throws for an AWS failure: the outcome carries the
 * reason, so the pull request can be told why.
 */
import { setTimeout as wait } from 'node:timers/promises';
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { diagnoseDeployment, rootCause } from '../aws/diagnose.js';
import { allHealthy, describeHealth, readTargetHealth } from '../aws/target-health.js';
import { watchDeployments } from '../aws/watch.js';
import type { Journal } from '../release/journal.js';
import type { PreviewSettings } from '../settings/preview.js';
import type { ServiceTarget } from '../settings/settings.js';
import { formatDuration } from '../settings/values.js';
import { runSmokeTests, type SmokeResult } from '../smoke/smoke.js';
import type { TaskDefinitionInput } from '../taskdef/normalize.js';
import { connectPreviewHostTo, smokeBaseUrl } from './address.js';
import { readBaseService } from './base.js';
import type { PreviewNames } from './naming.js';
import { ensureRule } from './rule.js';
import { describePreviewService, ensurePreviewService } from './service.js';
import type { PreviewTags } from './tags.js';
import { ensureTargetGroup } from './target-group.js';
import { registerPreviewTaskDefinition } from './task-definition.js';

export interface UpOptions {
  target: ServiceTarget;
  preview: PreviewSettings;
  names: PreviewNames;
  tags: PreviewTags;
  rendered?: TaskDefinitionInput;
  pinImageDigests: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
  /**
   * Each change is a journal step with nothing to undo: a preview that fails half-way is kept
   * as it is, for the pull request to show why and for `preview-down` to remove.
   */
  journal: Pick<Journal, 'final'>;
}

export interface UpOutcome {
  ok: boolean;
  reason?: string;
  smoke: SmokeResult[];
  taskDefinitionArn?: string;
  targetGroupArn?: string;
  ruleArn?: string;
  priority?: number;
  serviceArn?: string;
  /** True when this run created the service (the first push), false when it updated it. */
  created?: boolean;
}

/** Ends a fragment with exactly one full stop (AWS reasons sometimes bring their own). */
export function sentence(text: string): string {
  return `${text.trim().replace(/\.+$/, '')}.`;
}

async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  o: { timeoutMs: number; pollIntervalMs: number; describe: () => Promise<string> },
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) {
      throw new Error(
        `${what} did not happen within ${formatDuration(o.timeoutMs)} (input "timeout"): ${await o.describe()}`,
      );
    }
    await wait(o.pollIntervalMs);
  }
}

export async function bringUp(clients: AwsClients, o: UpOptions): Promise<UpOutcome> {
  const outcome: UpOutcome = { ok: false, smoke: [] };
  const { names, target } = o;
  try {
    const base = await core.group(`Read base service ${target.service}`, () =>
      readBaseService(clients, target.cluster, target.service),
    );
    await core.group('Target group and listener rule', async () => {
      const tg = await o.journal.final(`target group ${names.targetGroup}`, () =>
        ensureTargetGroup(clients.elb, names, base.targetGroup, o.tags),
      );
      outcome.targetGroupArn = tg.arn;
      core.info(`${tg.created ? 'Created' : 'Reusing'} target group ${names.targetGroup}.`);
      const rule = await o.journal.final(`listener rule of ${names.service}`, () =>
        ensureRule(clients.elb, {
          listenerArn: o.preview.listener,
          names,
          targetGroupArn: tg.arn,
          tags: o.tags,
          priorities: o.preview.priorities,
          log: core.info,
        }),
      );
      outcome.ruleArn = rule.arn;
      outcome.priority = rule.priority;
      core.info(
        `${rule.created ? 'Created' : 'Reusing'} listener rule at priority ${rule.priority}: ${names.condition.field} ${names.condition.values.join(', ')}.`,
      );
    });
    const td = await core.group('Register task definition', async () => {
      const registered = await o.journal.final(`register the task definition of ${names.service}`, () =>
        registerPreviewTaskDefinition(clients, {
          target,
          preview: o.preview,
          names,
          baseTaskDefinitionArn: base.taskDefinitionArn,
          rendered: o.rendered,
          tags: o.tags,
          pinImageDigests: o.pinImageDigests,
        }),
      );
      for (const i of registered.images) core.info(`  container ${i.container}: ${i.image}`);
      core.info(`Task definition ${registered.arn}`);
      return registered;
    });
    outcome.taskDefinitionArn = td.arn;

    const deployment = await core.group(`Deploy service ${names.service}`, async () => {
      const started = await o.journal.final(`service ${names.service}`, () =>
        ensurePreviewService(clients.ecs, {
          cluster: target.cluster,
          names,
          base,
          taskDefinitionArn: td.arn,
          targetGroupArn: outcome.targetGroupArn!,
          desiredCount: o.preview.desiredCount,
          tags: o.tags,
          waitWhileDraining: () =>
            waitUntil(
              `The earlier service ${names.service} finishing its removal`,
              async () =>
                (await describePreviewService(clients.ecs, target.cluster, names.service))?.status !==
                'DRAINING',
              {
                timeoutMs: o.timeoutMs,
                pollIntervalMs: o.pollIntervalMs,
                describe: async () => 'still DRAINING',
              },
            ),
        }),
      );
      outcome.serviceArn = started.serviceArn;
      outcome.created = started.created;
      core.info(
        `${started.created ? 'Created' : 'Updated'} service ${names.service}: deployment ${started.deploymentId}.`,
      );
      const [result] = await watchDeployments(
        clients.ecs,
        [{ cluster: target.cluster, service: names.service, deploymentId: started.deploymentId }],
        { pollIntervalMs: o.pollIntervalMs, timeoutMs: o.timeoutMs, circuitBreaker: true, log: core.info },
      );
      return result!;
    });
    if (deployment.verdict.state !== 'succeeded') {
      // What a reviewer needs is the task's own reason (exit code, failing health check).
      const cause = await diagnoseDeployment(
        clients.ecs,
        target.cluster,
        names.service,
        deployment.target.deploymentId,
      )
        .then((d) => rootCause(d)[0]?.replace(/^task \w+: /, ''))
        .catch(() => undefined);
      throw new Error(
        `The preview service did not become healthy: ${sentence(deployment.verdict.reason)}${cause ? ` Last stopped task: ${sentence(cause)}` : ''}`,
      );
    }
    await core.group('Wait for healthy targets', () =>
      waitUntil(
        `Every target of ${names.targetGroup} becoming healthy`,
        async () => allHealthy(await readTargetHealth(clients.elb, outcome.targetGroupArn!), 1),
        {
          timeoutMs: o.timeoutMs,
          pollIntervalMs: o.pollIntervalMs,
          describe: async () => describeHealth(await readTargetHealth(clients.elb, outcome.targetGroupArn!)),
        },
      ),
    );

    if (o.preview.smokeTests.length) {
      connectPreviewHostTo(names, o.preview);
      const baseUrl = smokeBaseUrl(names, o.preview);
      outcome.smoke = await core.group(`Smoke tests against ${baseUrl}`, () =>
        runSmokeTests(baseUrl, o.preview.smokeTests, { timeoutMs: o.preview.smokeTimeoutMs, log: core.info }),
      );
      const failed = outcome.smoke.find((s) => !s.ok);
      if (failed)
        throw new Error(
          `Smoke test ${failed.request} failed: expected ${failed.expected}, got ${failed.got}.`,
        );
    }
    outcome.ok = true;
  } catch (err) {
    const e = err as Error & { $metadata?: unknown };
    outcome.reason = e.$metadata !== undefined ? `${e.name}: ${e.message}` : e.message;
  }
  return outcome;
}
