import { BulkActions } from './lib/bulk-actions';
import { RequestTimelines } from './lib/request-timeline';
import { RequesterContacts } from './lib/requester-contact';
import { DeletionProcess } from './lib/deletion.process';
import {
  AnswerVerificationCodeHandler,
  ExecuteRequestHandler,
  ReceiveRequestHandler,
  RunRequestStepHandler,
  SendVerificationCodeHandler,
} from './lib/request.commands';

export * from './lib/ports';
export * from './lib/classifications';
export * from './lib/request.commands';
export * from './lib/deletion.process';
export * from './lib/access-export-html';
export * from './lib/subject-rights';
export * from './lib/deletion-evidence';
export * from './lib/bulk-actions';
export * from './lib/request-timeline';
export * from './lib/requester-contact';

export const requestsHandlers = [
  ReceiveRequestHandler,
  RunRequestStepHandler,
  SendVerificationCodeHandler,
  AnswerVerificationCodeHandler,
  ExecuteRequestHandler,
  DeletionProcess,
  BulkActions,
  RequestTimelines,
  RequesterContacts,
];
