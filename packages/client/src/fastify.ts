/// <reference types="fastify" preserve="true" />
/**
 * Types `request.tessera` for the Fastify plugin (declaration merging). A separate entry so that apps without
 * Fastify do not need its types: a Fastify app imports this entry's types once (see the README, Fastify).
 * `null` when the plugin is registered with `required: false` and the request has no valid session.
 */
import type { Validated } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    tessera: Validated | null;
  }
}

export {};
