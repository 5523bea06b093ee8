/** What a syncAccess invoke asks for, whatever triggered it (an IAM event, the schedule, a person). */
export type SyncCommand =
  | { kind: 'reconcile'; apply: boolean; force: boolean; clusters?: string[]; why: string }
  | { kind: 'membership'; changes: MembershipChange[]; why: string }
  | {
      kind: 'rollback';
      clusters?: string[];
      why: string;
      /** Applied once per aws-auth: a retried invoke with the same id does nothing again. */
      requestId: string;
    };

/** `{"action": "fleet"}`: list the managed clusters and their last sync; changes nothing. */
export interface FleetRequest {
  kind: 'fleet';
  why: string;
}

/** One AddUserToGroup or RemoveUserFromGroup: IAM, read afresh, says what the user's entry becomes. */
export interface MembershipChange {
  userName: string;
  group: string;
}
