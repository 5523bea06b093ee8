import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSqsBatch, syncBatchFrom } from '../../../src/lambda/sync-batch';

const sample = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../events/iam-add-user-to-group.json'), 'utf8'),
) as { detail: { requestParameters: Record<string, string>; eventName: string } };

const record = (body: unknown, messageId = 'm') => ({
  messageId,
  eventSource: 'aws:sqs',
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const membership = (userName: string, groupName: string, eventName = 'AddUserToGroup') => ({
  ...sample,
  detail: { ...sample.detail, eventName, requestParameters: { userName, groupName } },
});

describe('syncBatchFrom', () => {
  it('folds the membership events of a batch into one command', () => {
    const batch = syncBatchFrom({
      Records: [
        record(membership('a', 'devs')),
        record(membership('b', 'devs')),
        record(membership('a', 'ops', 'RemoveUserFromGroup')),
      ],
    });
    expect(batch.command).toEqual({
      kind: 'membership',
      changes: [
        { userName: 'a', group: 'devs' },
        { userName: 'b', group: 'devs' },
        { userName: 'a', group: 'ops' },
      ],
      why: '3 membership changes',
    });
  });

  it('folds changes that differ only in the case of the names into one, as IAM names are one', () => {
    const batch = syncBatchFrom({
      Records: [record(membership('Dan', 'Devs')), record(membership('dan', 'devs', 'RemoveUserFromGroup'))],
    });
    expect(batch.command).toEqual({
      kind: 'membership',
      changes: [{ userName: 'Dan', group: 'Devs' }],
      why: '2 membership changes',
    });
  });

  it('lets one reconcile in the batch cover everything else in it', () => {
    const deleteGroup = {
      ...sample,
      detail: { ...sample.detail, eventName: 'DeleteGroup', requestParameters: { groupName: 'x' } },
    };
    const batch = syncBatchFrom({ Records: [record(membership('a', 'devs')), record(deleteGroup)] });
    expect(batch.command).toMatchObject({ kind: 'reconcile', apply: true, force: false });
  });

  it('rejects a record that is not JSON or not an IAM event, and keeps the rest', () => {
    const batch = syncBatchFrom({
      Records: [
        record('{not json', 'bad-1'),
        record({ source: 'aws.ec2' }, 'bad-2'),
        record(membership('a', 'devs'), 'ok'),
      ],
    });
    expect(batch.rejected.map((r) => r.messageId)).toEqual(['bad-1', 'bad-2']);
    expect(batch.rejected[1]?.reason).toMatch(/not an event syncAccess handles/);
    expect(batch.command).toMatchObject({ kind: 'membership', changes: [{ userName: 'a' }] });
  });

  it('refuses a queued manual rollback: those are invoked directly', () => {
    const batch = syncBatchFrom({ Records: [record({ action: 'rollback' }, 'r')] });
    expect(batch.command).toBeUndefined();
    expect(batch.rejected[0]?.reason).toMatch(/invoked directly/);
  });

  it('recognises an SQS batch and nothing else', () => {
    expect(isSqsBatch({ Records: [record({})] })).toBe(true);
    expect(isSqsBatch(sample)).toBe(false);
    expect(isSqsBatch({ Records: [{ eventSource: 'aws:s3' }] })).toBe(false);
  });
});
