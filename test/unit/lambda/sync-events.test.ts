import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, syncCommandFrom } from '../../../src/lambda/sync-events';

const events = resolve(import.meta.dirname, '../../../events');
const load = (file: string) =>
  JSON.parse(readFileSync(resolve(events, file), 'utf8')) as Record<string, unknown>;

describe('syncCommandFrom', () => {
  it('turns the AddUserToGroup sample into a membership command for that user and group', () => {
    expect(syncCommandFrom(load('iam-add-user-to-group.json'))).toEqual({
      kind: 'membership',
      changes: [{ userName: 'carol', group: 'eks-developers' }],
      why: 'AddUserToGroup 0e9d8c7b-0000-4000-8000-000000000001',
    });
  });

  it('treats RemoveUserFromGroup like a join: IAM, not the event, says what the entry becomes', () => {
    expect(syncCommandFrom(load('iam-remove-user-from-group.json'))).toMatchObject({
      kind: 'membership',
      changes: [{ userName: 'carol', group: 'eks-developers' }],
    });
  });

  it('reconciles and applies on the schedule', () => {
    expect(syncCommandFrom(load('scheduled-reconcile.json'))).toMatchObject({
      kind: 'reconcile',
      apply: true,
      force: false,
    });
  });

  it.each([
    ['sync-plan.json', { kind: 'reconcile', apply: false }],
    ['sync-apply.json', { kind: 'reconcile', apply: true }],
    ['sync-rollback.json', { kind: 'rollback', clusters: ['sandbox'] }],
    ['sync-fleet.json', { kind: 'fleet', why: 'manual fleet' }],
  ])('reads the manual invoke %s', (file, expected) => {
    expect(syncCommandFrom(load(file))).toMatchObject(expected);
  });

  it('keys a rollback by its requestId, or else by the invocation (the same on a Lambda retry)', () => {
    expect(syncCommandFrom({ action: 'rollback', requestId: 'change-4711' }, 'lambda-req')).toMatchObject({
      kind: 'rollback',
      requestId: 'change-4711',
    });
    expect(syncCommandFrom({ action: 'rollback' }, 'lambda-req')).toMatchObject({ requestId: 'lambda-req' });
    expect(() => syncCommandFrom({ action: 'rollback', requestId: 'a b' })).toThrow(/requestId/);
  });

  it('parses every sample syncAccess event in events/', () => {
    const files = readdirSync(events).filter(
      (f) => f.startsWith('iam-') || f.startsWith('sync-') || f.startsWith('scheduled-'),
    );
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(() => syncCommandFrom(load(file))).not.toThrow();
  });

  it.each(['DeleteGroup', 'UpdateGroup', 'DeleteUser', 'UpdateUser'])('reconciles on %s', (eventName) => {
    const event = load('iam-add-user-to-group.json');
    (event.detail as Record<string, unknown>).eventName = eventName;
    expect(syncCommandFrom(event)).toMatchObject({ kind: 'reconcile', apply: true });
  });

  it('ignores an IAM call that failed, since it changed nothing', () => {
    const event = load('iam-add-user-to-group.json');
    (event.detail as Record<string, unknown>).errorCode = 'AccessDenied';
    expect(syncCommandFrom(event)).toEqual({
      ignored: 'AddUserToGroup failed in IAM (AccessDenied); nothing changed',
    });
  });

  it.each([
    [
      'another service',
      { source: 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail', detail: {} },
      /not an event syncAccess handles/,
    ],
    [
      'a read-only IAM call',
      {
        ...load('iam-add-user-to-group.json'),
        detail: { eventSource: 'iam.amazonaws.com', eventName: 'GetGroup' },
      },
      /eventName/,
    ],
    ['no event at all', null, /not an event syncAccess handles/],
    ['a manual invoke with an unknown action', { action: 'destroy' }, /manual invoke: action/],
    ['a manual invoke with an unknown key', { action: 'plan', cluster: 'x' }, /manual invoke: .*cluster/],
  ])('rejects %s with a message that says what is wrong', (_, event, message) => {
    expect(() => syncCommandFrom(event)).toThrow(InvalidEventError);
    expect(() => syncCommandFrom(event)).toThrow(message);
  });

  it('rejects a membership event without the user name', () => {
    const event = load('iam-add-user-to-group.json');
    (event.detail as Record<string, unknown>).requestParameters = { groupName: 'eks-admins' };
    expect(() => syncCommandFrom(event)).toThrow(/AddUserToGroup event: requestParameters userName/);
  });
});
