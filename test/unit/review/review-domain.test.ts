import { describe, expect, it } from 'vitest';
import { type AccessEntry, managedTag } from '../../../src/domain/access-entries/access-entries';
import { principalIdTag } from '../../../src/domain/access-entries/principal-id';
import type { DesiredEntry } from '../../../src/domain/aws-auth/desired-state';
import { findingsFor } from '../../../src/domain/review/findings';
import { collectIdentities } from '../../../src/domain/review/identities';
import type { ReviewFacts } from '../../../src/domain/review/review-facts';
import { ownedBySync } from './review-fakes';

const acct = '111122223333';
const ann = `arn:aws:iam::${acct}:user/ann`;
const ghost = `arn:aws:iam::${acct}:user/ghost`;
const nodeRole = `arn:aws:iam::${acct}:role/eks-node-group-role`;
const now = new Date('2026-12-04T12:00:00Z');

const mapRoles = `- rolearn: ${nodeRole}
  username: system:node:{{EC2PrivateDNSName}}
  groups: [system:bootstrappers, system:nodes]
- rolearn: arn:aws:iam::${acct}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1
  username: sso-admin
  groups: [admins]
- rolearn: arn:aws:iam::${acct}:role/Shared
  username: shared
  groups: [viewers]
`;
const mapUsers = `- userarn: ${ann}
  username: ann
  groups: [system:masters]
- userarn: ${ghost}
  username: ghost
  groups: [developers]
- userarn: arn:aws:iam::${acct}:user/bob
  username: bob
  groups: [system:masters]
`;

const desired: DesiredEntry[] = [
  {
    section: 'mapUsers',
    arn: ann,
    key: ann,
    username: 'ann',
    groups: ['system:masters'],
    sources: ['group eks-admins'],
  },
  {
    section: 'mapUsers',
    arn: `arn:aws:iam::${acct}:user/carol`,
    key: `arn:aws:iam::${acct}:user/carol`,
    username: 'carol',
    groups: ['developers'],
    sources: ['group eks-developers'],
  },
];

function facts(over: Partial<ReviewFacts> = {}): ReviewFacts {
  return {
    cluster: 'prod',
    now,
    awsAuth: {
      data: { mapRoles, mapUsers, mapAccounts: '- "444455556666"\n' },
      annotations: ownedBySync([
        { section: 'mapUsers', arn: ann, username: 'ann', groups: ['system:masters'] },
        { section: 'mapUsers', arn: ghost, username: 'ghost', groups: ['developers'] },
      ]),
    },
    desired,
    externalUsers: [],
    principalExists: new Map([
      [ann, true],
      [ghost, false],
    ]),
    principalIds: new Map([[ann, 'AIDAANNNOW']]),
    // eks-admins maps system:masters with allowSystemMasters, as ann's desired entry shows
    allowSystemMasters: true,
    ...over,
  };
}

function review(over: Partial<ReviewFacts> = {}) {
  const f = facts(over);
  const c = collectIdentities(f);
  return { ...c, findings: [...c.findings, ...findingsFor(f, c)] };
}

describe('access review: identities', () => {
  it('lists every aws-auth identity with its source, ours or written by hand, sorted', () => {
    const { identities } = review();
    expect(identities.map((i) => [i.channel, i.principal, i.ours, i.sources])).toEqual([
      [
        'mapRoles',
        `arn:aws:iam::${acct}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1`,
        false,
        ['written by hand'],
      ],
      ['mapRoles', nodeRole, false, ['node role', 'written by hand']],
      ['mapRoles', `arn:aws:iam::${acct}:role/Shared`, false, ['written by hand']],
      ['mapUsers', ann, true, ['IAM group eks-admins']],
      ['mapUsers', `arn:aws:iam::${acct}:user/bob`, false, ['written by hand']],
      ['mapUsers', ghost, true, ['written by this tool, no longer configured']],
      ['mapAccounts', '444455556666', false, ['written by hand']],
    ]);
    expect(identities.find((i) => i.principal === ann)).toMatchObject({
      username: 'ann',
      groups: ['system:masters'],
    });
  });

  it('adds access entries with their policies, external users and the cluster creator', () => {
    const entry: AccessEntry = {
      principalArn: `arn:aws:iam::${acct}:role/Shared`,
      key: `arn:aws:iam::${acct}:role/shared`,
      type: 'STANDARD',
      username: 'shared',
      groups: [],
      tags: {},
      policies: [{ policy: 'AmazonEKSViewPolicy', scope: { namespaces: ['apps'] } }],
    };
    const { identities, findings } = review({
      accessEntries: [entry],
      creatorArn: `arn:aws:iam::${acct}:role/Creator`,
      externalUsers: [
        { name: 'partner-ci', namespace: 'external-access', serviceAccountFound: true, rotateBefore: 28_800 },
      ],
    });
    expect(identities.find((i) => i.channel === 'accessEntry')).toMatchObject({
      sources: ['access entry', 'made by hand'],
      accessPolicies: ['AmazonEKSViewPolicy(apps)'],
    });
    expect(identities.find((i) => i.channel === 'creator')).toMatchObject({
      sources: ['cluster creator'],
      groups: ['system:masters'],
    });
    expect(identities.find((i) => i.channel === 'serviceAccount')).toMatchObject({
      username: 'system:serviceaccount:external-access:partner-ci',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:external-access'],
      sources: ['external user partner-ci'],
    });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'shadowed', subject: entry.key }));
  });

  it('calls a claimed entry ours only while it reads as the tool wrote it; a claim on a node role is ignored', () => {
    // Prepare: ghost was written [developers] but now reads [system:masters]; the node role is claimed too
    const edited = mapUsers.replace(
      'username: ghost\n  groups: [developers]',
      'username: ghost\n  groups: [system:masters]',
    );
    const { identities, findings } = review({
      awsAuth: {
        data: { mapRoles, mapUsers: edited },
        annotations: ownedBySync([
          { section: 'mapUsers', arn: ann, username: 'ann', groups: ['system:masters'] },
          { section: 'mapUsers', arn: ghost, username: 'ghost', groups: ['developers'] },
          {
            section: 'mapRoles',
            arn: nodeRole,
            username: 'system:node:{{EC2PrivateDNSName}}',
            groups: ['system:bootstrappers', 'system:nodes'],
          },
        ]),
      },
    });
    const row = (arn: string) => identities.find((i) => i.principal === arn);
    expect([row(ann)?.ours, row(ghost)?.ours, row(nodeRole)?.ours]).toEqual([true, false, false]);
    expect(row(ghost)?.sources).toEqual(['written by this tool, changed by hand since']);
    expect(row(nodeRole)?.sources).toEqual(['node role', 'written by hand']);
    const kinds = findings.map((f) => `${f.kind} ${f.subject}`);
    // the hand edit made ghost cluster-admin: that is reported, and a sync does not remove it as stale
    expect(kinds).toContain(`hand-written-system-masters ${ghost}`);
    expect(kinds).not.toContain(`drift-stale ${ghost}`);
    expect(kinds).not.toContain(`drift-stale ${nodeRole}`);
  });

  it('does not believe a claim on a system:masters entry when the config may not map system:masters', () => {
    const { identities, findings } = review({ allowSystemMasters: false });
    expect(identities.find((i) => i.principal === ann)?.ours).toBe(false);
    expect(findings.map((f) => `${f.kind} ${f.subject}`)).toContain(`hand-written-system-masters ${ann}`);
  });

  it('reports an aws-auth it cannot parse as a finding instead of failing the review', () => {
    const { identities, findings } = review({
      awsAuth: { data: { mapUsers: `${mapUsers}- userarn: ${ann}\n  username: ann2\n` }, annotations: {} },
    });
    expect(identities).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'high',
        kind: 'aws-auth-unreadable',
        message: expect.stringContaining('mapped twice'),
      }),
    ]);
  });
});

describe('access review: findings', () => {
  it('flags a hand-written system:masters entry, not one an IAM group grants', () => {
    const { findings } = review();
    const masters = findings.filter((f) => f.kind === 'hand-written-system-masters');
    expect(masters.map((f) => f.subject)).toEqual([`arn:aws:iam::${acct}:user/bob`]);
    expect(masters[0]?.severity).toBe('high');
  });

  it('flags a principal IAM no longer has, and not one it has or cannot tell', () => {
    const { findings } = review();
    expect(findings.filter((f) => f.kind === 'principal-gone').map((f) => f.subject)).toEqual([ghost]);
  });

  it('flags a role with a path and a user ARN in mapRoles: the authenticator never matches them', () => {
    const { findings } = review({
      awsAuth: {
        data: { mapRoles: `${mapRoles}- rolearn: ${ann}\n  username: x\n` },
        annotations: {},
      },
    });
    const never = findings.filter((f) => f.kind === 'never-matches').map((f) => f.message);
    expect(never).toHaveLength(2);
    expect(never[0]).toContain('with a path');
    expect(never[1]).toContain('IAM user ARN in mapRoles');
  });

  it('flags drift: missing (carol), stale (ghost), and a whole account in mapAccounts', () => {
    const { findings } = review();
    const kinds = findings.map((f) => `${f.kind} ${f.subject}`);
    expect(kinds).toContain(`drift-missing arn:aws:iam::${acct}:user/carol`);
    expect(kinds).toContain(`drift-stale ${ghost}`);
    expect(kinds).toContain('whole-account 444455556666');
    expect(kinds).not.toContain(`drift-missing ${ann}`);
  });

  it('flags a tagged access entry IAM and the config no longer grant, and not an untagged one', () => {
    const entry = (name: string, tags: Record<string, string>): AccessEntry => ({
      principalArn: `arn:aws:iam::${acct}:user/${name}`,
      key: `arn:aws:iam::${acct}:user/${name}`,
      type: 'STANDARD',
      username: name,
      groups: [],
      tags,
      policies: [],
    });
    const { findings } = review({
      accessEntries: [
        entry('left', { [managedTag.key]: managedTag.value }),
        entry('someone', {}),
        entry('ann', { [managedTag.key]: managedTag.value }),
      ],
    });
    const stale = findings.filter((f) => f.kind === 'drift-stale').map((f) => f.subject);
    expect(stale).toContain(`arn:aws:iam::${acct}:user/left`);
    expect(stale).not.toContain(`arn:aws:iam::${acct}:user/someone`);
    expect(stale).not.toContain(ann);
  });

  it('flags an access entry made for an earlier principal of its ARN, from the recorded id vs IAM’s', () => {
    const entry = (tags: Record<string, string>): AccessEntry => ({
      principalArn: ann,
      key: ann,
      type: 'STANDARD',
      username: 'ann',
      groups: [],
      tags: { [managedTag.key]: managedTag.value, ...tags },
      policies: [],
    });
    const recreated = (tags: Record<string, string>, ids = new Map([[ann, 'AIDAANNNOW']])) =>
      review({ accessEntries: [entry(tags)], principalIds: ids }).findings.filter(
        (f) => f.kind === 'recreated-principal',
      );

    const found = recreated({ [principalIdTag]: 'AIDAANNOLD' });

    expect(found).toEqual([
      expect.objectContaining({
        subject: ann,
        message: expect.stringContaining(
          'recreated principal: the access entry was made for an earlier principal of this ARN',
        ),
      }),
    ]);
    expect(recreated({ [principalIdTag]: 'AIDAANNNOW' })).toEqual([]);
    expect(recreated({})).toEqual([]);
    // IAM could not say (another account): nothing is claimed.
    expect(recreated({ [principalIdTag]: 'AIDAANNOLD' }, new Map())).toEqual([]);
  });

  it('flags an owned entry whose groups differ from what IAM and the config give', () => {
    const { findings } = review({
      desired: [{ ...(desired[0] as DesiredEntry), groups: ['viewers'] }],
    });
    expect(findings.find((f) => f.kind === 'drift-changed')?.message).toContain('[system:masters]');
  });

  it('flags an external token inside its rotation window, and an expired one as high', () => {
    const user = { namespace: 'ext', serviceAccountFound: true, rotateBefore: 8 * 3600 };
    const { findings } = review({
      externalUsers: [
        { ...user, name: 'soon', tokenExpiresAt: new Date(now.getTime() + 3600_000) },
        { ...user, name: 'gone', tokenExpiresAt: new Date(now.getTime() - 1000) },
        { ...user, name: 'fine', tokenExpiresAt: new Date(now.getTime() + 20 * 3600_000) },
        { ...user, name: 'absent', serviceAccountFound: false },
      ],
    });
    const tokens = findings
      .filter((f) => f.subject.startsWith('ext/'))
      .map((f) => [f.severity, f.kind, f.subject]);
    expect(tokens).toEqual([
      ['high', 'token-expired', 'ext/gone'],
      ['medium', 'external-user-missing', 'ext/absent'],
      ['medium', 'token-expiring', 'ext/soon'],
    ]);
  });

  it('sorts findings most severe first, the same way every time', () => {
    const a = review().findings;
    const b = review().findings;
    expect(a).toEqual(b);
    const severities = a.map((f) => f.severity);
    expect(severities).toEqual(
      [...severities].sort(
        (x, y) => ['high', 'medium', 'low'].indexOf(x) - ['high', 'medium', 'low'].indexOf(y),
      ),
    );
  });
});
