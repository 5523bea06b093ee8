import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { seedSandbox } from '../../scripts/sandbox/seed';
import { reviewCommand } from '../../src/cli/review-command';
import { sandbox } from '../support/sandbox';

const root = resolve(import.meta.dirname, '../..');

describe('eks-access-sync review against the sandbox, wired as in production', () => {
  it('reaches the cluster as the functions do (DescribeCluster, EKS token) and prints JSON without a secret', async () => {
    // Prepare
    const out: string[] = [];
    const err: string[] = [];
    const envFile = inject('sandboxEnvFile');
    await seedSandbox(sandbox()); // moto's EKS cluster `sandbox`, the example's IAM groups, aws-auth with node roles

    // Act
    const code = await reviewCommand(
      { config: resolve(root, 'examples/sandbox/access.yaml'), sandbox: envFile, output: 'json' },
      { write: (t) => out.push(t), error: (t) => err.push(t) },
    );

    // Assess: the seeded node roles are there, written by hand, and the cluster answered for them
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const text = out.join('');
    const [review] = JSON.parse(text).clusters as {
      error?: string;
      accessReviews: number;
      identities: {
        principal: string;
        sources: string[];
        ours: boolean;
        rights?: { clusterAdmin: boolean };
      }[];
    }[];
    expect(review?.error).toBeUndefined();
    const node = review?.identities.find((i) => i.principal.endsWith(':role/eks-node-group-role'));
    expect(node).toMatchObject({
      ours: false,
      sources: ['node role', 'written by hand'],
      rights: { clusterAdmin: false },
    });
    expect(review?.accessReviews).toBeGreaterThan(0);
    const env = sandbox();
    const secrets = [
      env.kube.adminToken,
      env.aws.function.secretAccessKey,
      env.aws.function.sessionToken,
      'k8s-aws-v1.',
    ];
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    expect(readFileSync(envFile, 'utf8')).toContain(env.kube.adminToken); // the check above looked for the real one
  });
});
