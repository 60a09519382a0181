import type { JsonObject } from '@attest/kernel';

/**
 * Who did it, for which tenant, why, and what caused it. Every event carries
 * this; none of it may hold personal data (ids and references only).
 */
export interface EventMetadata {
  readonly tenantId: string;
  /** Actor reference such as `user:<uuid>`, `service:<key-id>` or `system:<job>`. */
  readonly actor: string;
  readonly correlationId: string;
  /** Id of the event or command that caused this one; null for an external trigger. */
  readonly causationId: string | null;
  readonly commandId: string | null;
  /** ISO-8601 instant at which the fact happened (from the command's clock). */
  readonly occurredAt: string;
  /** Declared purpose of processing, where the action processes personal data. */
  readonly purpose?: string;
}

/** An event about to be appended. `id` is a UUIDv7 and the idempotency key. */
export interface NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly id: string;
  /** Stable, versioned contract name such as `ConsentGranted.v1`; never a class name. */
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * An event as stored. `globalPosition` is opaque: compare two positions of the
 * same store with `comparePositions`, store it as text, never parse it.
 */
export interface RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject> extends NewEvent<Type, Data> {
  readonly streamId: string;
  /** 0-based position of the event in its stream. */
  readonly streamPosition: number;
  readonly globalPosition: GlobalPosition;
  readonly recordedAt: Date;
}

declare const globalPositionBrand: unique symbol;
/** Opaque, totally ordered position in the global log; comparable as a string. */
export type GlobalPosition = string & { readonly [globalPositionBrand]: true };
