// Ties a promise to an AbortSignal: the returned promise rejects with an AbortError as soon as the
// signal fires (even if the work behind it is queued or mid-step), and `onAbort` tells that work to stop.

import { abortError } from './errors.js';

export function abortable(promise, signal, onAbort) {
  if (!signal) return promise;
  if (signal.aborted) {
    onAbort?.();
    promise.catch(() => {}); // its outcome no longer matters; keep it from surfacing as unhandled
    return Promise.reject(abortError());
  }
  return new Promise((resolve, reject) => {
    const stop = () => {
      onAbort?.();
      reject(abortError());
    };
    signal.addEventListener('abort', stop, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', stop); resolve(v); },
      (e) => { signal.removeEventListener('abort', stop); reject(e); },
    );
  });
}
