// Records the microphone with MediaRecorder. The browser picks the container (webm/opus in Chromium);
// the package decodes it, so nothing here needs to know the format.

export async function startRecording() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
  let recorder;
  try {
    recorder = new MediaRecorder(stream);
  } catch (e) {
    stream.getTracks().forEach((t) => t.stop());
    throw e;
  }
  const chunks = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  const finished = new Promise((resolve, reject) => {
    recorder.onstop = () => {
      stream.getTracks().forEach((t) => t.stop()); // releases the mic (and the browser's recording indicator)
      resolve(new Blob(chunks, { type: recorder.mimeType || 'audio/webm' }));
    };
    recorder.onerror = (e) => {
      stream.getTracks().forEach((t) => t.stop());
      reject(e.error ?? new Error('recording failed'));
    };
  });
  // A timeslice makes the recorder hand over data regularly, so a long visit is not held in one piece.
  recorder.start(1000);
  return {
    /** Stops recording; resolves to the recording as a Blob. */
    stop() {
      if (recorder.state !== 'inactive') recorder.stop();
      return finished;
    },
  };
}
