/** What a syncAccess invoke asks for, whatever triggered it (an IAM event, the schedule, a person). */
export type SyncCommand =
  | { kind: 'reconcile'; apply: boolean; force: boolean; clusters?: string[]; why: string }
  | { kind: 'membership'; userName: string; group: string; why: string }
  | { kind: 'rollback'; clusters?: string[]; why: string };
