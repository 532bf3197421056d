#!/usr/bin/env python3
"""Recognisers side by side on the bundled audio fixtures: word error rate, punctuation and time.

    cargo build --release --bin bedside --example wer && python3 bench/asr_models.py [--asr tiny.en,base]

For each fixture with audio and a truth transcript it runs `bedside process --no-note` with each speech
model, one after the other in this run, and prints the word error rate (`examples/wer.rs`), how many
sentence stops (. ? !) the recogniser wrote per 100 words (a transcript without them is harder for
people and for the sections and note stages to read), and the wall time. Standard library only; the
outputs go to a temporary folder that is removed afterwards.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BIN = TARGET / "release" / "bedside"
WER_BIN = TARGET / "release" / "examples" / "wer"
# Fixture, extra CLI arguments (the stereo visit is two telehealth channels).
CLIPS = [
    ("long_120s", []),
    ("visit_9min", []),
    ("visit_a", []),
    ("visit_b", []),
    ("visit_a_stereo", ["--channels", "clinician,patient"]),
]


def audio_of(name):
    found = sorted((ROOT / "tests/fixtures" / name).glob("audio.*"))
    return found[0] if found else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--asr", default="tiny.en,base", help="comma-separated manifest names")
    args = ap.parse_args()
    for tool in (BIN, WER_BIN):
        if not tool.exists():
            sys.exit(f"{tool} is missing: cargo build --release --bin bedside --example wer")
    models = args.asr.split(",")
    print("| clip | model | WER | stops / 100 words | seconds |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in CLIPS:
            audio = audio_of(name)
            truth = ROOT / "tests/fixtures" / name / "truth.json"
            if audio is None or not truth.exists():
                continue
            for model in models:
                out = Path(tmp) / f"{name}-{model}"
                t0 = time.perf_counter()
                p = subprocess.run([BIN, "process", audio, "--out", out, "--no-note", "--asr", model, *extra], cwd=ROOT, capture_output=True, text=True)
                secs = time.perf_counter() - t0
                if p.returncode != 0:
                    sys.exit(f"{name} with {model} failed:\n{p.stderr[-2000:]}")
                w = subprocess.run([WER_BIN, truth, out / "transcript.json"], capture_output=True, text=True, check=True).stdout.split()[1]
                doc = json.loads((out / "transcript.json").read_text())
                text = " ".join(s["Content"] for s in doc["Conversation"]["TranscriptSegments"])
                words = max(len(text.split()), 1)
                stops = 100 * len(re.findall(r"[.?!]", text)) / words
                print(f"| {name} | {model} | {w} | {stops:.1f} | {secs:.1f} |")


if __name__ == "__main__":
    main()
