import { describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../../src/domain/config/config-file';
import { InvalidConfigError } from '../../../src/domain/errors';

function issuesOf(selector: string): string[] {
  try {
    parseAccessConfig(
      `clusters: [{ name: prod, region: eu-west-1 }]\nbootstrap: { selectors: [${selector}] }\n`,
    );
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("a selector's {account} role, which the IAM policy must name exactly (issue 16)", () => {
  it('refuses {account} in the role name', () => {
    expect(
      issuesOf(
        '{ namePattern: team-*, accounts: ["111122223333"], roleArn: "arn:aws:iam::{account}:role/{account}" }',
      ),
    ).toEqual([
      'bootstrap.selectors[0].roleArn (line 2): {account} may only stand for the account id (arn:aws:iam::{account}:role/name)',
    ]);
  });

  it('refuses {account} without the accounts it may stand for', () => {
    expect(
      issuesOf('{ namePattern: team-*, roleArn: "arn:aws:iam::{account}:role/eks-access-sync" }'),
    ).toEqual([
      "bootstrap.selectors[0].roleArn (line 2): {account} needs the selector's accounts: the IAM policy names the role in each of them, never in any account",
    ]);
  });

  it('accepts {account} as the account of a role, with accounts', () => {
    expect(
      issuesOf(
        '{ namePattern: team-*, accounts: ["111122223333"], roleArn: "arn:aws:iam::{account}:role/eks-access-sync" }',
      ),
    ).toEqual([]);
  });
});
