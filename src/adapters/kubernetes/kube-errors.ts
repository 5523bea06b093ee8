/** A Kubernetes API answer that is not a success, with the status the server gave. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401: the cluster does not know the token's identity. */
export class KubeUnauthorizedError extends KubeApiError {
  override name = 'KubeUnauthorizedError';
}

/** 403: the identity is known but RBAC does not allow the request. */
export class KubeForbiddenError extends KubeApiError {
  override name = 'KubeForbiddenError';
}

/** 404: the object (or its namespace) does not exist. */
export class KubeNotFoundError extends KubeApiError {
  override name = 'KubeNotFoundError';
}

/** 409: the object changed since it was read (resourceVersion), or it exists already (create). */
export class KubeConflictError extends KubeApiError {
  override name = 'KubeConflictError';
}

/** 422: the server refuses the object as invalid (e.g. annotations over 256 KiB). */
export class KubeInvalidError extends KubeApiError {
  override name = 'KubeInvalidError';
}

/** The server could not be reached at all (refused, reset, timed out): retryable, nothing was written. */
export class KubeUnreachableError extends Error {
  override name = 'KubeUnreachableError';
}

/** The server answered something that is not the JSON the API promises. */
export class KubeAnswerError extends Error {
  override name = 'KubeAnswerError';
}
