/**
 * The CDK app: `npx cdk deploy` with the AWS CDK CLI, or `npm run synth` to check the template
 * offline. Values come from CDK context (`cdk.json` or `-c key=value`); the defaults are
 * placeholders to replace.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { DeployTargetStack } from '../lib/deploy-target-stack.js';

export function buildApp(app = new App()): { app: App; stack: DeployTargetStack } {
  const ctx = (key: string, fallback: string): string => String(app.node.tryGetContext(key) ?? fallback);
  const stack = new DeployTargetStack(app, ctx('stackName', 'web-production'), {
    serviceName: ctx('service', 'web'),
    hostedZoneId: ctx('hostedZoneId', 'Z0123456789EXAMPLE'),
    zoneName: ctx('zoneName', 'example.com'),
    appDomain: ctx('appDomain', 'app.example.com'),
    previewDomain: ctx('previewDomain', 'preview.example.com'),
    githubRepository: ctx('githubRepository', 'example-org/web'),
    githubEnvironment: ctx('githubEnvironment', 'production'),
  });
  return { app, stack };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  buildApp().app.synth();
