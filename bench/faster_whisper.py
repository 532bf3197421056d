#!/usr/bin/env python3
"""Comparison baseline: transcribe one audio file with faster-whisper (CTranslate2) and print JSON.

The interpreter is expected to be the benchmark virtual environment `.venv-bench/` (git-ignored), which
the Makefile creates with `python3 -m venv .venv-bench && .venv-bench/bin/pip install faster-whisper`.

Example:
    .venv-bench/bin/python bench/faster_whisper.py --model-dir /tmp/ct2-tiny-en \
        tests/fixtures/visit_a/audio.wav > /tmp/hyp.json

Output (stdout, one JSON object):
    {"text", "segments": [{"start", "end", "text"}], "audio_seconds", "load_seconds",
     "transcribe_seconds", "rtf"}
rtf = transcribe_seconds / audio_seconds (model loading excluded).  Use --text-out to also write the
plain transcript to a file (handy for `cargo run --release --example wer -- truth.json hyp.txt`).
"""
import argparse
import json
import os
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("audio", help="audio file (wav, flac, ... anything PyAV decodes)")
    ap.add_argument("--model-dir", required=True,
                    help="CTranslate2 Whisper model directory (model.bin, config.json, tokenizer.json)")
    ap.add_argument("--beam-size", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for CTranslate2 (default 1)")
    ap.add_argument("--compute-type", default="int8",
                    help="CTranslate2 compute type: int8 (default), float32, int8_float32, float16, ...")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--language", default="en")
    ap.add_argument("--vad", action="store_true", help="enable faster-whisper's Silero VAD filter (off by default)")
    ap.add_argument("--text-out", help="also write the joined transcript text to this file")
    a = ap.parse_args()

    # This file is itself named faster_whisper.py: drop its folder from the import path so that the
    # import below finds the installed package rather than this script.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    t0 = time.perf_counter()
    model = WhisperModel(a.model_dir, device=a.device, compute_type=a.compute_type,
                         cpu_threads=a.threads, num_workers=1)
    load_seconds = time.perf_counter() - t0

    audio = decode_audio(a.audio, sampling_rate=16000)
    audio_seconds = len(audio) / 16000.0

    t1 = time.perf_counter()
    segments_iter, _info = model.transcribe(audio, beam_size=a.beam_size, language=a.language,
                                            vad_filter=a.vad)
    # transcribe() is lazy: decoding happens while iterating, so time the iteration too.
    segments = [{"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text.strip()}
                for s in segments_iter]
    transcribe_seconds = time.perf_counter() - t1

    text = " ".join(s["text"] for s in segments if s["text"])
    if a.text_out:
        with open(a.text_out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    json.dump({
        "text": text,
        "segments": segments,
        "audio_seconds": round(audio_seconds, 3),
        "load_seconds": round(load_seconds, 3),
        "transcribe_seconds": round(transcribe_seconds, 3),
        "rtf": round(transcribe_seconds / audio_seconds, 4) if audio_seconds > 0 else None,
        "model_dir": a.model_dir,
        "beam_size": a.beam_size,
        "compute_type": a.compute_type,
        "threads": a.threads,
        "vad_filter": a.vad,
    }, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
