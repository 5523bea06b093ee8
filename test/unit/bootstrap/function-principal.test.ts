import { describe, expect, it } from 'vitest';
import { ForeignFunctionRoleError, functionPrincipal } from '../../../src/app/bootstrap/function-principal';

const own = 'arn:aws:iam::111122223333:role/eks-access-sync-prod-bootstrap';
const caller = async () => own;

describe('the principal bootstrap grants itself cluster-admin as', () => {
  it('refuses a configured functionRoleArn that is not the function own role', async () => {
    // Prepare
    const principal = functionPrincipal('arn:aws:iam::111122223333:role/attacker', undefined, caller);

    // Act + Assess
    await expect(principal()).rejects.toThrow(ForeignFunctionRoleError);
    await expect(principal()).rejects.toThrow(
      /is not this function's own role .*cluster-admin on every cluster/,
    );
  });

  it('refuses the same role name in another account', async () => {
    const principal = functionPrincipal(own.replace('111122223333', '444455556666'), undefined, caller);

    await expect(principal()).rejects.toThrow(ForeignFunctionRoleError);
  });

  it('accepts the function own role, named with the path STS does not say', async () => {
    const withPath = 'arn:aws:iam::111122223333:role/service/EKS-Access-Sync-Prod-Bootstrap';

    await expect(functionPrincipal(withPath, undefined, caller)()).resolves.toBe(withPath);
  });

  it('uses FUNCTION_ROLE_ARN or the caller when nothing is configured', async () => {
    await expect(functionPrincipal(undefined, own, async () => 'unused')()).resolves.toBe(own);
    await expect(functionPrincipal(undefined, undefined, caller)()).resolves.toBe(own);
  });
});
