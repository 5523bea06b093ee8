import { ApiException } from '@kubernetes/client-node';
import {
  KubeAnswerError,
  KubeApiError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeUnauthorizedError,
} from './kube-errors';

const byStatus: Record<number, typeof KubeApiError> = {
  401: KubeUnauthorizedError,
  403: KubeForbiddenError,
  404: KubeNotFoundError,
  409: KubeConflictError,
  422: KubeInvalidError,
};

const reasons: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

/** A metav1.Status as the apiserver sends it with an error; client-node hands it over as text. */
function statusOf(body: unknown): { reason?: string; message?: string } {
  if (typeof body === 'object' && body !== null) return body as { reason?: string; message?: string };
  if (typeof body !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as { reason?: string; message?: string })
      : {};
  } catch {
    return {};
  }
}

/** The domain's error for a client-node ApiException; `what` says which request (method and path). */
export function kubeApiError(what: string, exception: ApiException<unknown>): KubeApiError {
  const status = exception.code;
  const said = statusOf(exception.body);
  const reason = said.reason || reasons[status] || String(status);
  const detail = said.message ?? `HTTP ${status}`;
  const ErrorClass = byStatus[status] ?? KubeApiError;
  // The ApiException's own message repeats the response headers; ours says only what and why.
  return new ErrorClass(status, reason, `${what}: ${status} ${reason}: ${detail}`, { cause: exception });
}

/**
 * Runs one client-node call and says what went wrong in the domain's terms: ApiException becomes
 * the KubeApiError of its status; transport and answer errors (raised below, in kube-http) pass.
 */
export async function kubeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiException) throw kubeApiError(what, error);
    if (error instanceof SyntaxError) {
      throw new KubeAnswerError(`${what}: the API answered with invalid JSON`, { cause: error });
    }
    throw error;
  }
}

/** Like kubeCall, but an object that does not exist is `undefined` rather than an error. */
export async function kubeFind<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await kubeCall(what, call);
  } catch (error) {
    if (error instanceof KubeNotFoundError) return undefined;
    throw error;
  }
}

/** Deletes; `false` when there was nothing to delete. */
export async function kubeDelete(what: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await kubeCall(what, call);
    return true;
  } catch (error) {
    if (error instanceof KubeNotFoundError) return false;
    throw error;
  }
}
