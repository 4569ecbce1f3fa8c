/**
 * Everything that needs the proto definitions (the reflection root, the engine, the error mapping). index.ts
 * loads this after the server listens: decoding @temporalio/proto's JSON module is most of the start-up time.
 */
import type * as protobuf from 'protobufjs';
import { encodeHistoriesFromEventBytes } from './engine/event-bytes';
import * as errors from './errors';
import { createServices } from './service';

// The json-module root is a full reflection root (methods, request/response types).
export const reflectionRoot: protobuf.Root = require('@temporalio/proto/protos/json-module');
encodeHistoriesFromEventBytes(reflectionRoot);

export { createServices, errors };
