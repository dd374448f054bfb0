/**
 * Deploy settings for parity with the official deploy action: ECS managed tags and tag
 * propagation, not waiting, and the service-managed EBS volume configured at deploy time.
 */
import * as z from 'zod';
import { bool, custom } from './zod-values.js';

const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const VOLUME_TYPES = ['gp2', 'gp3', 'io1', 'io2', 'sc1', 'st1', 'standard'];

/** `ServiceManagedEBSVolumeConfiguration` plus the task definition's volume `name`. */
const ebsVolumeObject = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/),
    roleArn: z.string().regex(ROLE),
    sizeInGiB: z.number().int().min(1).max(65536).optional(),
    volumeType: z.enum(VOLUME_TYPES as [string, ...string[]]).optional(),
    iops: z.number().int().positive().optional(),
    throughput: z.number().int().positive().optional(),
    snapshotId: z
      .string()
      .regex(/^snap-[0-9a-f]{8,17}$/)
      .optional(),
    encrypted: z.boolean().optional(),
    kmsKeyId: z.string().min(1).optional(),
    filesystemType: z.enum(['ext3', 'ext4', 'xfs', 'ntfs']).optional(),
    volumeInitializationRate: z.number().int().positive().optional(),
  })
  .strict();

const ebsVolume = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((v, ctx) => {
  let raw: unknown = v;
  if (typeof v === 'string') {
    try {
      raw = JSON.parse(v);
    } catch {
      return custom(ctx, 'not a JSON object');
    }
  }
  const parsed = ebsVolumeObject.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return custom(ctx, `${issue.path.join('.') || 'the object'}: ${issue.message}`);
  }
  if (parsed.data.sizeInGiB === undefined && parsed.data.snapshotId === undefined)
    return custom(ctx, 'sizeInGiB (or snapshotId) is required');
  return parsed.data;
});

export type EbsVolumeSetting = z.output<typeof ebsVolumeObject>;

export const DEPLOY_FIELDS = {
  wait: {
    schema: bool,
    expected:
      '`true` or `false` (false: register and update, report the deployment id, do not watch; the outcome is then unknown)',
  },
  'enable-ecs-managed-tags': {
    schema: bool,
    expected: '`true` or `false` (ECS tags the tasks with aws:ecs:clusterName and aws:ecs:serviceName)',
  },
  'propagate-tags': {
    schema: z.enum(['SERVICE', 'TASK_DEFINITION', 'NONE']),
    expected: "`SERVICE`, `TASK_DEFINITION` or `NONE` (where the tasks' tags come from)",
  },
  'ebs-volume': {
    schema: ebsVolume,
    expected:
      'a JSON object (YAML map in the config file) `{"name": "<volume configured at launch>", "roleArn": "arn:aws:iam::…:role/…", "sizeInGiB": 20, "volumeType": "gp3", …}`',
  },
} as const;
