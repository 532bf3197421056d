// Where are we running? Decides between fetch and the file system, and between a worker and in-process.

export const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export const canUseWorker = !isNode && typeof Worker === 'function';

// OfflineAudioContext exists only in pages (not in workers, not in Node): the only place we can decode
// formats the core does not read itself (webm/opus, mp3, m4a).
export const canDecodeAudio = typeof OfflineAudioContext === 'function';
