/**
 * Every change to AWS is a journal step: the clients the action builds refuse a mutating call
 * made outside `Journal.perform`, `Journal.final` or an undo, before it reaches the network.
 * Scenarios run the bundled action through these clients, so a change that bypasses the
 * journal fails them; these tests show the guard itself can fail and lets journal steps pass.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from '@jest/globals';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { type AwsClients, createClients } from '../../src/aws/clients.js';
import { isMutating } from '../../src/aws/mutation-guard.js';
import { Journal } from '../../src/release/journal.js';

/** Clients as the action builds them, answering every call locally with an empty reply. */
async function offlineClients(): Promise<{ clients: AwsClients; sent: string[] }> {
  const clients = await createClients('us-east-1');
  const sent: string[] = [];
  const answerLocally: InitializeMiddleware<object, MetadataBearer> = (_next, context) => async () => {
    sent.push(String(context.commandName));
    return { output: { $metadata: {} }, response: {} };
  };
  clients.ecs.middlewareStack.add(answerLocally, {
    step: 'initialize',
    priority: 'low',
    name: 'answerLocally',
  });
  clients.elb.middlewareStack.add(answerLocally, {
    step: 'initialize',
    priority: 'low',
    name: 'answerLocally',
  });
  return { clients, sent };
}

const STEP = { kind: 'service', cluster: 'prod', service: 'web', taskDefinition: 'web:1' } as const;

describe('the journal guard on the AWS clients', () => {
  it('refuses a change outside a journal step, before it is sent', async () => {
    const { clients, sent } = await offlineClients();
    await expect(
      clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', desiredCount: 0 })),
    ).rejects.toThrow(/UpdateService was sent outside a release journal step/);
    await expect(clients.elb.send(new ModifyListenerCommand({ ListenerArn: 'arn:l' }))).rejects.toThrow(
      /ModifyListener was sent outside/,
    );
    expect(sent).toEqual([]);
  });

  it('lets reads through anywhere, and changes inside a step or an undo', async () => {
    const { clients, sent } = await offlineClients();
    const journal = new Journal(clients, undefined, () => {});
    await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
    await journal.perform(STEP, () =>
      clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', desiredCount: 2 })),
    );
    await journal.final('scale web to 0', () =>
      clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', desiredCount: 0 })),
    );
    const report = await journal.undo(() => {});
    expect(report).toEqual({ done: ['web set back to web:1.'], failed: [] });
    expect(sent).toEqual([
      'DescribeServicesCommand',
      'UpdateServiceCommand',
      'UpdateServiceCommand',
      'UpdateServiceCommand',
    ]);
    // Once a release is being undone, no further change may start.
    await expect(journal.final('late change', async () => {})).rejects.toThrow(/cancelled/);
  });

  it('counts every operation but the reads as a change', () => {
    expect(['DescribeServicesCommand', 'ListTasks', 'GetMetricData'].map(isMutating)).toEqual([
      false,
      false,
      false,
    ]);
    expect(['UpdateService', 'TagResourceCommand', 'StopServiceDeployment'].map(isMutating)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('covers every client: only the factory makes them, and it guards each', () => {
    const src = path.resolve(import.meta.dirname, '../../src');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? files(path.join(dir, e.name))
          : e.name.endsWith('.ts')
            ? [path.join(dir, e.name)]
            : [],
      );
    // The factory is the only place a client is made, and it guards each one it makes.
    const builders = files(src)
      .filter((f) => /new \w+Client\(/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(src, f));
    expect(builders).toEqual([]);
    expect(readFileSync(path.join(src, 'aws/clients.ts'), 'utf8')).toMatch(
      /made\.set\(key, guardMutations\(make\(\)/,
    );
    // Only the journal opens the guard: no module can make a change without recording it.
    const openers = files(src)
      .filter((f) => /allowMutations\(/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(src, f))
      .sort();
    expect(openers).toEqual(['release/journal.ts']);
  });
});
