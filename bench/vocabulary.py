#!/usr/bin/env python3
"""A custom vocabulary against none, side by side on the bundled audio fixtures.

    cargo build --release --bin bedside --example wer && python3 bench/vocabulary.py [--vocabulary FILE]

For each fixture with audio and a truth transcript it runs `bedside process --no-note` twice in this run,
without a vocabulary and with one (by default `bench/clinic-vocabulary.txt`: a clinic's list of drug
brands, terms and a colleague's name, most of which the fixtures never say), and prints the word error
rate (`examples/wer.rs`) and, for the vocabulary's entries, how often the truth says them, how often each
transcript spells them right, and how often a transcript writes one that was not said. Standard library
only; the outputs go to a temporary folder that is removed afterwards.
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
CLIPS = ["visit_a", "visit_b", "long_120s", "visit_9min"]


def entries(path):
    lines = (l.strip() for l in Path(path).read_text().splitlines())
    return [l for l in lines if l and not l.startswith("#")]


def mentions(text, term):
    return len(re.findall(r"(?<![\w'])" + re.escape(term.lower()) + r"(?![\w'])", text.lower()))


def transcribe(audio, out, extra):
    t0 = time.perf_counter()
    p = subprocess.run([BIN, "process", audio, "--out", out, "--no-note", *extra], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{audio} failed:\n{p.stderr[-2000:]}")
    doc = json.loads((out / "transcript.json").read_text())
    return " ".join(s["Content"] for s in doc["Conversation"]["TranscriptSegments"]), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocabulary", default=str(ROOT / "bench/clinic-vocabulary.txt"), help="one entry per line")
    args = ap.parse_args()
    for tool in (BIN, WER_BIN):
        if not tool.exists():
            sys.exit(f"{tool} is missing: cargo build --release --bin bedside --example wer")
    terms = entries(args.vocabulary)
    print(f"vocabulary: {len(terms)} entries from {args.vocabulary}")
    print("| clip | WER without | WER with | entries said | spelled right without | with | written but not said without | with | seconds without | with |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    totals = [0, 0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for name in CLIPS:
            found = sorted((ROOT / "tests/fixtures" / name).glob("audio.*"))
            truth = ROOT / "tests/fixtures" / name / "truth.json"
            if not found or not truth.exists():
                continue
            said = " ".join(s["text"] for s in json.loads(truth.read_text())["segments"])
            row = []
            for label, extra in (("without", []), ("with", ["--vocabulary", args.vocabulary])):
                out = Path(tmp) / f"{name}-{label}"
                text, secs = transcribe(found[0], out, extra)
                wer = subprocess.run([WER_BIN, truth, out / "transcript.json"], capture_output=True, text=True, check=True).stdout.split()[1]
                right = sum(min(mentions(said, t), mentions(text, t)) for t in terms)
                extra_terms = sum(max(mentions(text, t) - mentions(said, t), 0) for t in terms)
                row.append((wer, right, extra_terms, secs))
            n = sum(mentions(said, t) for t in terms)
            (w0, r0, x0, s0), (w1, r1, x1, s1) = row
            print(f"| {name} | {w0} | {w1} | {n} | {r0} | {r1} | {x0} | {x1} | {s0:.1f} | {s1:.1f} |")
            for i, v in enumerate((n, r0, r1, x0, x1)):
                totals[i] += v
    n, r0, r1, x0, x1 = totals
    print(f"all clips: {n} mentions of vocabulary entries; spelled right {r0} without, {r1} with; written but not said {x0} / {x1}")


if __name__ == "__main__":
    main()
