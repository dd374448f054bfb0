/**
 * Invalid settings fail the step before any AWS call, with an error that names the input (and
 * file and line) and shows the expected form. The simulator's call log proves nothing was sent.
 */
import { describe, expect, it } from '@jest/globals';
import { runAgainst, useSimulator, workspace } from './support.js';

const sim = useSimulator();

const taskDefinition = {
  family: 'web',
  containerDefinitions: [{ name: 'web', image: 'nginx:1.27', essential: true }],
};

const cases: {
  name: string;
  files?: Record<string, string | object>;
  inputs: Record<string, string>;
  error: RegExp;
}[] = [
  {
    name: 'a missing required input',
    inputs: { command: 'register' },
    error: /Input "cluster" is required .*Expected: an ECS cluster name/,
  },
  {
    name: 'a malformed images value',
    files: { 'td.json': taskDefinition },
    inputs: { command: 'register', 'task-definition': 'td.json', images: 'web=nginx:2, worker' },
    error: /Input "images" is invalid .*"worker" has no "=".*Expected: `container=image-uri` pairs/,
  },
  {
    name: 'an image for a container that does not exist',
    files: { 'td.json': taskDefinition },
    inputs: { command: 'register', 'task-definition': 'td.json', images: 'api=nginx:2' },
    error: /Input "images": no container named "api" .*Expected one of: web/,
  },
  {
    name: 'an unreadable task-definition file',
    files: { 'td.json/placeholder': 'a directory, not a file' },
    inputs: { command: 'register', 'task-definition': 'td.json' },
    error: /Input "task-definition": cannot read td\.json \(EISDIR\)/,
  },
  {
    name: 'a task-definition file that does not exist',
    inputs: { command: 'register', 'task-definition': 'missing.json' },
    error: /Input "task-definition": file missing\.json does not exist/,
  },
  {
    name: 'invalid JSON',
    files: { 'td.json': '{\n  "family": "web",\n  "containerDefinitions": [\n}' },
    inputs: { command: 'register', 'task-definition': 'td.json' },
    error: /Input "task-definition": td\.json line 4 is not valid JSON/,
  },
  {
    name: 'a duration without a unit (wait-for-minutes habits)',
    inputs: { cluster: 'prod', service: 'web', timeout: '15' },
    error: /Input "timeout" is invalid .*"15" has no unit: did you mean `15m`\?.*Expected: a duration/,
  },
  {
    name: 'an unknown command',
    inputs: { command: 'deplyo', cluster: 'prod', service: 'web' },
    error: /Input "command" is invalid \("deplyo"\)\. Expected one of: deploy, register/,
  },
  {
    name: 'a config file with a type error',
    files: {
      'deploy.yml': 'cluster: prod\nenvironments:\n  production:\n    service: web\n    timeout: soon\n',
    },
    inputs: { config: 'deploy.yml', environment: 'production' },
    error:
      /Config file deploy\.yml line 5 \("environments\.production\.timeout"\): "soon" is not a duration\. Expected: a duration/,
  },
  {
    name: 'an unknown key in the config file',
    files: { 'deploy.yml': 'cluster: prod\nservice: web\nimagez: web=nginx\n' },
    inputs: { config: 'deploy.yml' },
    error: /Config file deploy\.yml line 3: unknown key "imagez"/,
  },
  {
    name: 'an environment the config file does not define',
    files: { 'deploy.yml': 'cluster: prod\nenvironments:\n  staging:\n    service: web\n' },
    inputs: { config: 'deploy.yml', environment: 'production' },
    error: /Input "environment": "production" is not in deploy\.yml\. Expected one of: staging/,
  },
  {
    name: 'a strategy typo',
    inputs: { cluster: 'prod', service: 'web', strategy: 'blue-gren' },
    error:
      /Input "strategy" is invalid \("blue-gren"\).*Expected: `rolling`, `blue-green` or `ecs-blue-green`/,
  },
  {
    name: 'a traffic plan ECS-native deployments cannot run',
    inputs: {
      cluster: 'prod',
      service: 'web',
      strategy: 'ecs-blue-green',
      'traffic-steps': '10%, 50%, 100%',
    },
    error:
      /Input "traffic-steps" \(10%, 50%, 100%\) cannot be run by ECS-native deployments\. Expected: `all-at-once`, `canary N%`, or `linear N%`/,
  },
  {
    name: 'an infrastructure role that is not a role ARN',
    inputs: {
      cluster: 'prod',
      service: 'web',
      strategy: 'ecs-blue-green',
      'infrastructure-role': 'ecs-role',
    },
    error: /Input "infrastructure-role" is invalid/,
  },
  {
    name: 'a negative timeout',
    inputs: { cluster: 'prod', service: 'web', timeout: '-5m' },
    error: /Input "timeout" is invalid \("-5m"\): "-5m" is not a duration/,
  },
  {
    name: 'a secret given as a value instead of a reference',
    inputs: { cluster: 'prod', service: 'web', secrets: 'DB_PASSWORD=hunter2 is my password' },
    error:
      /Input "secrets" is invalid: the value of DB_PASSWORD is not valid\. Expected: `NAME=arn:aws:secretsmanager/,
  },
  {
    name: 'a deployment alarm name longer than CloudWatch allows',
    inputs: { cluster: 'prod', service: 'web', 'deployment-alarms': 'a'.repeat(256) },
    error: /Input "deployment-alarms" is invalid: an alarm name is 1 to 255 characters/,
  },
  {
    name: 'a container given two images',
    inputs: { cluster: 'prod', service: 'web', images: 'web=nginx:1\nweb=nginx:2' },
    error: /Input "images" is invalid: container "web" is given two images/,
  },
  {
    name: 'an image reference that is not one',
    inputs: { cluster: 'prod', service: 'web', images: 'web=Nginx:latest:2' },
    error:
      /Input "images" is invalid .*"Nginx:latest:2" is not an image reference \(`\[registry\/\]repository\[:tag\]\[@sha256:digest\]`/,
  },
  {
    name: 'a service name longer than ECS allows',
    inputs: { cluster: 'prod', service: 's'.repeat(256) },
    error: /Input "service" is invalid: not a service name \(1 to 255 letters.*Expected: an ECS service name/,
  },
  {
    name: 'a cluster name with a character ECS does not allow',
    inputs: { cluster: 'prod cluster', service: 'web' },
    error:
      /Input "cluster" is invalid \("prod cluster"\): not a cluster name .*Expected: an ECS cluster name or ARN/,
  },
  {
    name: 'a smoke test whose method is not an HTTP method',
    inputs: {
      cluster: 'prod',
      service: 'web',
      strategy: 'blue-green',
      'test-url': 'http://test.example.com',
      'smoke-tests': 'FETCH /health 200',
    },
    error:
      /Input "smoke-tests" is invalid: .*the method is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/,
  },
  {
    name: 'an environment value whose line has no name, never echoed',
    inputs: { cluster: 'prod', service: 'web', 'environment-variables': 'MODE=blue\ncorrect-horse-battery' },
    error:
      /^Input "environment-variables" is invalid: line 2 has no "NAME=" before its value\.(?!.*correct-horse)/,
  },
];

describe('invalid settings change nothing', () => {
  it.each(cases)('$name', async ({ files, inputs, error }) => {
    sim().log.clear();
    const result = await runAgainst(sim(), { inputs, workspace: workspace(files) });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(error);
    expect(sim().log.calls).toEqual([]);
  });
});
