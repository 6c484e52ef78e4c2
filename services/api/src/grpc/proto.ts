import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/** The platform's .proto files ship with @paas/contracts (libs/contracts/proto). */
export const PLATFORM_PROTO = 'paas/v1/platform.proto';

/** How the messages become JS objects: snake_case fields as in the proto and the JSON API. */
export const PROTO_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

/** The directory holding the .proto files, found from the installed @paas/contracts (works from dist/). */
export function protoRoot(): string {
  const pkg = createRequire(import.meta.url).resolve('@paas/contracts/package.json');
  return join(dirname(pkg), 'proto');
}

/** The paas.v1.Platform service: its definition (for the server) and client constructor. */
export function platformService(): { definition: ServiceDefinition; Client: ServiceClientConstructor } {
  const root = protoRoot();
  let pkg: GrpcObject;
  try {
    pkg = loadPackageDefinition(loadSync(PLATFORM_PROTO, { ...PROTO_OPTIONS, includeDirs: [root] }));
  } catch (err) {
    throw new Error(`loading the gRPC API definition ${join(root, PLATFORM_PROTO)}: ${(err as Error).message}; is @paas/contracts installed with its proto/ directory?`);
  }
  const Client = ((pkg.paas as GrpcObject).v1 as GrpcObject).Platform as ServiceClientConstructor;
  return { definition: Client.service, Client };
}
