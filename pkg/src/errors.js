// Errors the package raises itself, shaped like the ones the wasm core throws ({ code, stage, message }),
// so callers handle one kind of error whichever layer failed.

export function bedsideError(code, stage, message) {
  const err = new Error(message);
  err.name = 'BedsideError';
  err.code = code;
  err.stage = stage;
  return err;
}

// Aborts always surface as a DOMException named AbortError, as fetch() does, so one
// `err.name === 'AbortError'` check covers downloads and processing alike.
export function abortError() {
  return new DOMException('The operation was aborted.', 'AbortError');
}

export function throwIfAborted(signal) {
  if (signal?.aborted) throw abortError();
}

// Errors cross the worker boundary as plain data: structured clone keeps neither the prototype
// nor the extra fields reliably, so both ends agree on this shape.
export function toWire(err) {
  return {
    name: err?.name ?? 'Error',
    message: err?.message ?? String(err),
    code: err?.code,
    stage: err?.stage,
  };
}

export function fromWire(w) {
  if (w.name === 'AbortError') return abortError();
  const err = new Error(w.message);
  err.name = w.name;
  if (w.code !== undefined) err.code = w.code;
  if (w.stage !== undefined) err.stage = w.stage;
  return err;
}
