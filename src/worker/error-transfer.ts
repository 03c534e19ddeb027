// Comlink transfer handlers that keep an EngineError whole across the worker boundary.
// Comlink's built-in "throw" handler copies only name/message/stack, so the page would
// lose kind, structure and offset — the fields the UI uses to explain what went wrong.
// Both the worker and the page import this module; registering is idempotent.
// Reference: comlink 4.4 README, "Transfer handlers and event listeners".

import { type TransferHandler, transferHandlers } from 'comlink';
import { EngineError } from '../engine/errors.js';

/** What crosses the wire for a thrown value. */
type WireThrown =
  | { as: 'engine'; value: Record<string, unknown> }
  | { as: 'error'; value: { name: string; message: string; stack?: string } }
  | { as: 'value'; value: unknown };

/** Comlink wraps thrown values as `{ value, [throwMarker]: 0 }`; the marker is a private
 * symbol, so the wrapper is recognised by being the one object whose single own symbol key
 * is Comlink's (its description is stable: "Comlink.thrown"). */
function isThrownWrapper(v: unknown): v is { value: unknown } {
  if (typeof v !== 'object' || v === null) return false;
  return Object.getOwnPropertySymbols(v).some((s) => s.description === 'Comlink.thrown');
}

function serializeThrown(value: unknown): WireThrown {
  if (value instanceof EngineError) return { as: 'engine', value: value.toJSON() };
  if (value instanceof Error) {
    return { as: 'error', value: { name: value.name, message: value.message, stack: value.stack } };
  }
  return { as: 'value', value };
}

function deserializeThrown(wire: WireThrown): never {
  if (wire.as === 'engine') throw EngineError.fromJSON(wire.value);
  if (wire.as === 'error') throw Object.assign(new Error(wire.value.message), wire.value);
  throw wire.value;
}

const throwHandler: TransferHandler<{ value: unknown }, WireThrown> = {
  canHandle: isThrownWrapper,
  serialize: ({ value }) => [serializeThrown(value), []],
  deserialize: deserializeThrown,
};

/** An EngineError passed as an argument or returned as a value (not thrown). */
const engineErrorHandler: TransferHandler<EngineError, Record<string, unknown>> = {
  canHandle: (v): v is EngineError => v instanceof EngineError,
  serialize: (e) => [e.toJSON(), []],
  deserialize: (obj) => EngineError.fromJSON(obj),
};

export function registerErrorTransfer(): void {
  transferHandlers.set('throw', throwHandler as TransferHandler<unknown, unknown>);
  transferHandlers.set('EngineError', engineErrorHandler as TransferHandler<unknown, unknown>);
}

registerErrorTransfer();
