import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { NoticeError, rotationNotices } from '../../../src/adapters/rotation-notices';
import { rotatedNotice } from '../../../src/domain/rotation/rotation-notice';

const notice = (i: number) =>
  rotatedNotice({
    user: `user-${i}`,
    cluster: { name: 'prod', region: 'eu-west-1' },
    secretName: `eks-access-sync/prod/user-${i}`,
    secretArn: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:eks-access-sync/prod/user-${i}-AbCdEf`,
    versionId: `v${i}`,
    expiresAt: '2026-12-05T10:00:00.000Z',
  });

describe('rotationNotices on EventBridge', () => {
  const eb = mockClient(EventBridgeClient);
  afterEach(() => eb.reset());

  it('puts notices as eks-access-sync, ten a call (the PutEvents limit)', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });

    // Act
    await rotationNotices(new EventBridgeClient({})).announce(
      Array.from({ length: 12 }, (_, i) => notice(i)),
    );

    // Assess
    const calls = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([10, 2]);
    expect(calls[0]?.[0]).toEqual({
      Source: 'eks-access-sync',
      DetailType: 'Kubeconfig Rotated',
      Detail: JSON.stringify(notice(0).detail),
      Resources: [notice(0).detail.secretArn],
    });
  });

  it('fails with the entries EventBridge refused, by user and cluster', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e0' }, { ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }],
    });

    // Act
    const put = rotationNotices(new EventBridgeClient({})).announce([notice(0), notice(1)]);

    // Assess
    await expect(put).rejects.toThrow(NoticeError);
    await expect(put).rejects.toThrow(
      'EventBridge refused 1 rotation notices: user-1@prod: AccessDeniedException',
    );
  });
});
