/** gRPC errors shaped like the real server's: a status code, a message, and typed failure details. */
import { status } from '@grpc/grpc-js';
import { google, packAny, temporal } from './proto';

const details = temporal.api.errordetails.v1;

export class ServiceError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly detail?: google.protobuf.IAny,
  ) {
    super(message);
  }

  /** The `grpc-status-details-bin` trailer the SDK decodes. */
  statusDetails(): Buffer | undefined {
    if (!this.detail) return undefined;
    const bytes = google.rpc.Status.encode({
      code: this.code,
      message: this.message,
      details: [this.detail],
    }).finish();
    return Buffer.from(bytes);
  }
}

export function invalidArgument(message: string): ServiceError {
  return new ServiceError(status.INVALID_ARGUMENT, message);
}

export function notFound(message: string): ServiceError {
  return new ServiceError(
    status.NOT_FOUND,
    message,
    packAny('temporal.api.errordetails.v1.NotFoundFailure', details.NotFoundFailure.encode({}).finish()),
  );
}

export function workflowNotFound(workflowId: string): ServiceError {
  return notFound(`workflow not found for ID: ${workflowId}`);
}

export function workflowCompleted(): ServiceError {
  return notFound('workflow execution already completed');
}

export function namespaceNotFound(namespace: string): ServiceError {
  return new ServiceError(
    status.NOT_FOUND,
    `Namespace ${namespace} is not found.`,
    packAny(
      'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
      details.NamespaceNotFoundFailure.encode({ namespace }).finish(),
    ),
  );
}

export function namespaceAlreadyExists(): ServiceError {
  return new ServiceError(
    status.ALREADY_EXISTS,
    'Namespace already exists.',
    packAny(
      'temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure',
      details.NamespaceAlreadyExistsFailure.encode({}).finish(),
    ),
  );
}

export function alreadyStarted(workflowId: string, runId: string, startRequestId: string): ServiceError {
  return new ServiceError(
    status.ALREADY_EXISTS,
    `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${runId}.`,
    packAny(
      'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
      details.WorkflowExecutionAlreadyStartedFailure.encode({ startRequestId, runId }).finish(),
    ),
  );
}

export function queryFailed(
  message: string,
  failure?: temporal.api.failure.v1.IFailure | null,
): ServiceError {
  return new ServiceError(
    status.INVALID_ARGUMENT,
    message,
    packAny(
      'temporal.api.errordetails.v1.QueryFailedFailure',
      details.QueryFailedFailure.encode({ failure: failure ?? null }).finish(),
    ),
  );
}

export function unimplemented(method: string): ServiceError {
  return new ServiceError(status.UNIMPLEMENTED, `${method} is not implemented by the Yidi devserver.`);
}

export function resourceExhausted(message: string): ServiceError {
  return new ServiceError(
    status.RESOURCE_EXHAUSTED,
    message,
    packAny(
      'temporal.api.errordetails.v1.ResourceExhaustedFailure',
      details.ResourceExhaustedFailure.encode({
        cause: temporal.api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
      }).finish(),
    ),
  );
}

/**
 * How the server answers an ExecuteMultiOperation whose operation `failed` (0 start, 1 update) was refused:
 * the error of that operation, with every operation's status in a MultiOperationExecutionFailure (the
 * others ABORTED), which clients unpack to the operation's own error.
 */
export function multiOperationFailure(err: ServiceError, failed: number, count: number): ServiceError {
  const aborted = packAny(
    'temporal.api.failure.v1.MultiOperationExecutionAborted',
    temporal.api.failure.v1.MultiOperationExecutionAborted.encode({}).finish(),
  );
  const statuses = Array.from({ length: count }, (_, i) =>
    i === failed
      ? { code: err.code, message: err.message, details: err.detail ? [err.detail] : [] }
      : { code: status.ABORTED, message: 'Operation was aborted.', details: [aborted] },
  );
  return new ServiceError(
    err.code,
    `Update-with-Start could not be executed. ${err.message}`,
    packAny(
      'temporal.api.errordetails.v1.MultiOperationExecutionFailure',
      details.MultiOperationExecutionFailure.encode({ statuses }).finish(),
    ),
  );
}

export function failedPrecondition(message: string): ServiceError {
  return new ServiceError(status.FAILED_PRECONDITION, message);
}

/** Require a non-empty string field, with the real server's wording. */
export function required(value: string | null | undefined, message: string): string {
  if (!value) throw invalidArgument(message);
  return value;
}
