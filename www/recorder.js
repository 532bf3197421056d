// Records the microphone two ways at once: MediaRecorder keeps the recording as a file (for playing evidence
// back and for export; webm/opus in Chromium, which the package decodes), and an AudioWorklet hands the raw
// samples to `onAudio` as they come, so the scribe can transcribe while the visit goes on.

const TAP_URL = new URL('./pcm-tap.js', import.meta.url);

/** Starts the samples flowing to `onAudio(Float32Array)`; resolves to { sampleRate, close }. */
async function tapSamples(stream, onAudio) {
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(TAP_URL);
    const source = context.createMediaStreamSource(stream);
    const tap = new AudioWorkletNode(context, 'pcm-tap', { channelCount: 1, channelCountMode: 'explicit', channelInterpretation: 'speakers' });
    tap.port.onmessage = ({ data }) => onAudio(data);
    // A node the destination does not pull from may never be run; a silent gain keeps it in the graph.
    const silent = context.createGain();
    silent.gain.value = 0;
    source.connect(tap).connect(silent).connect(context.destination);
    if (context.state === 'suspended') await context.resume();
    return { sampleRate: context.sampleRate, close: () => { tap.port.onmessage = null; return context.close(); } };
  } catch (e) {
    context.close();
    throw e;
  }
}

/**
 * Opens the microphone and starts recording. With `onAudio`, also streams its samples (one channel, at
 * `sampleRate`); `sampleRate` is null when the browser cannot (no AudioWorklet), and then only the file is made.
 */
export async function startRecording({ onAudio } = {}) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
  let recorder;
  let tap = null;
  try {
    recorder = new MediaRecorder(stream);
    if (onAudio && typeof AudioWorkletNode === 'function') {
      try {
        tap = await tapSamples(stream, onAudio);
      } catch (e) {
        console.warn('live transcription unavailable:', e.message);
      }
    }
  } catch (e) {
    stream.getTracks().forEach((t) => t.stop());
    throw e;
  }
  const chunks = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  const release = () => {
    tap?.close();
    stream.getTracks().forEach((t) => t.stop()); // releases the mic (and the browser's recording indicator)
  };
  const finished = new Promise((resolve, reject) => {
    recorder.onstop = () => {
      release();
      resolve(new Blob(chunks, { type: recorder.mimeType || 'audio/webm' }));
    };
    recorder.onerror = (e) => {
      release();
      reject(e.error ?? new Error('recording failed'));
    };
  });
  // A timeslice makes the recorder hand over data regularly, so a long visit is not held in one piece.
  recorder.start(1000);
  return {
    sampleRate: tap?.sampleRate ?? null,
    /** Stops recording; resolves to the recording as a Blob. */
    stop() {
      if (recorder.state !== 'inactive') recorder.stop();
      return finished;
    },
  };
}
