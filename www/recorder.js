// Records a visit two ways at once: MediaRecorder keeps the recording as a file (for playing evidence back and
// for export; webm/opus in Chromium, which the package decodes), and an AudioWorklet hands the raw samples to
// `onAudio` as they come, so the scribe can transcribe while the visit goes on.
//
// A visit in the room is the microphone alone (one channel). A telehealth call is two channels: the
// microphone (the clinician) on one, and on the other the call's sound, taken from the browser tab or window
// the clinician shares, so each side of the call is heard on its own channel.

const TAP_URL = new URL('./pcm-tap.js', import.meta.url);

/** The call's sound could not be had (nothing shared, or shared without its audio). */
export class CallAudioError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CallAudioError';
  }
}

/** Starts `node`'s samples (`channels` of them) flowing to `onAudio`; resolves to a function that stops them. */
async function tapSamples(context, node, channels, onAudio) {
  await context.audioWorklet.addModule(TAP_URL);
  const tap = new AudioWorkletNode(context, 'pcm-tap', {
    channelCount: channels, channelCountMode: 'explicit', channelInterpretation: channels === 1 ? 'speakers' : 'discrete',
    processorOptions: { channels },
  });
  tap.port.onmessage = ({ data }) => onAudio(data);
  // A node the destination does not pull from may never be run; a silent gain keeps it in the graph.
  const silent = context.createGain();
  silent.gain.value = 0;
  node.connect(tap).connect(silent).connect(context.destination);
  return () => { tap.port.onmessage = null; };
}

/** Asks the browser for the call's sound: the clinician picks the call's tab (or window) and shares its audio. */
async function openCall() {
  if (!navigator.mediaDevices.getDisplayMedia) {
    throw new CallAudioError('This browser cannot share another tab’s sound; record the call with a tool that writes each side to its own channel, then choose that file.');
  }
  // Browsers only share sound together with a picture; the picture is stopped at once.
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true, selfBrowserSurface: 'exclude' });
  } catch (e) {
    if (e.name !== 'NotAllowedError') throw e;
    throw new CallAudioError('The call’s tab was not shared: record again and choose the tab (or window) the call is in.');
  }
  for (const track of stream.getVideoTracks()) track.stop();
  if (stream.getAudioTracks().length === 0) {
    throw new CallAudioError('The shared tab gave no sound: record again, choose the call’s tab and tick “Share tab audio”.');
  }
  return stream;
}

/**
 * Opens the microphone (and for `call`, the call's sound) and starts recording. `call`: `{ clinicianChannel }`,
 * the channel (0 or 1) the microphone goes on; the call's sound goes on the other. With `onAudio`, also streams
 * the samples (a Float32Array, or one per channel for a call) at `sampleRate`; `sampleRate` is null when the
 * browser cannot (no AudioWorklet), and then only the file is made. `onCallEnded` is called if the call's share
 * ends first (the tab closed, "Stop sharing"). Resolves to { sampleRate, channels, pause, resume, stop }.
 */
export async function startRecording({ onAudio, call = null, onCallEnded } = {}) {
  const streams = [];
  const context = call || onAudio ? new AudioContext() : null;
  const release = () => {
    context?.close();
    for (const s of streams) s.getTracks().forEach((t) => t.stop()); // releases the mic and the share indicators
  };
  let recorder;
  let sampleRate = null;
  // While paused, neither the file nor the samples take anything in, so both keep the same time line.
  let paused = false;
  const forward = onAudio && ((samples) => { if (!paused) onAudio(samples); });
  try {
    const mic = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
    streams.push(mic);
    let source = context?.createMediaStreamSource(mic);
    let recorded = mic;
    if (call) {
      const callStream = await openCall();
      streams.push(callStream);
      // Each side on its own channel, in the file as in the samples: a merger's inputs are mono each.
      const merger = context.createChannelMerger(2);
      source.connect(merger, 0, call.clinicianChannel);
      context.createMediaStreamSource(callStream).connect(merger, 0, 1 - call.clinicianChannel);
      const file = context.createMediaStreamDestination();
      file.channelCount = 2;
      file.channelInterpretation = 'discrete';
      merger.connect(file);
      source = merger;
      recorded = file.stream;
    }
    recorder = new MediaRecorder(recorded);
    if (onAudio && typeof AudioWorkletNode === 'function') {
      try {
        await tapSamples(context, source, call ? 2 : 1, forward);
        sampleRate = context.sampleRate;
      } catch (e) {
        console.warn('live transcription unavailable:', e.message);
      }
    }
    if (context?.state === 'suspended') await context.resume();
  } catch (e) {
    release();
    throw e;
  }
  const chunks = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
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
  for (const track of streams[1]?.getAudioTracks() ?? []) track.addEventListener('ended', () => onCallEnded?.(), { once: true });
  // A timeslice makes the recorder hand over data regularly, so a long visit is not held in one piece.
  recorder.start(1000);
  return {
    sampleRate,
    channels: call ? 2 : 1,
    /** Holds the recording (the clinician steps out, a private aside): nothing is recorded until resume(). */
    pause() {
      if (recorder.state === 'recording') recorder.pause();
      paused = true;
    },
    resume() {
      if (recorder.state === 'paused') recorder.resume();
      paused = false;
    },
    /** Stops recording; resolves to the recording as a Blob. */
    stop() {
      if (recorder.state !== 'inactive') recorder.stop();
      return finished;
    },
  };
}
