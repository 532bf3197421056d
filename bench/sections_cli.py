#!/usr/bin/env python3
"""Section accuracy the way the issue measures it: every MTS-Dialog snippet goes through the `bedside note`
command as a dialogue file, and the snippet's section is the one most of its clinical segments get in the
written transcript.json.

    cargo build --release && python3 bench/sections_cli.py PATH/TO/MTS-Dialog-ValidationSet.csv [--aci-style]

`--aci-style` writes each snippet the way ACI-Bench writes its dialogues instead of as MTS-Dialog does:
`[doctor]` / `[patient]` tags (a family member or other guest counts as `[patient]`, a guest clinician as
`[doctor]`), lower case, punctuation set off by spaces ("hi , martha . how are you ?"), so the figure
shows whether the section reading depends on how the dialogue was typed.

Prints recall per section group and their mean (balanced accuracy). transcript.json holds labels, not
scores, so a tied vote is read two ways: the tied section that comes first wins (Python's
`Counter.most_common`), or the tie counts as wrong. `examples/eval_sections.rs` gives the same figures
through the library in one process, plus ties decided by summed probability. The CSVs are development
data (CC BY 4.0) and are not shipped; nothing here is written outside a temporary folder.
"""
import collections
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time

# The MTS-Dialog headers per group, as in `bedside::sections::header_group`.
GROUPS = {
    "SUBJECTIVE": "GENHX CC ROS PASTMEDICALHX FAM/SOCHX MEDICATIONS ALLERGY PASTSURGICAL OTHER_HISTORY IMMUNIZATIONS GYNHX",
    "OBJECTIVE": "EXAM LABS IMAGING PROCEDURES",
    "ASSESSMENT_AND_PLAN": "ASSESSMENT PLAN DIAGNOSIS DISPOSITION EDCOURSE",
}
GROUP_OF = {h: g for g, hs in GROUPS.items() for h in hs.split()}


def vote(labels):
    """The snippet's section under the two tie readings, and whether the clinical votes tied."""
    counts = collections.Counter(l for l in labels if l in GROUPS).most_common()
    if not counts:
        return "OTHER", "OTHER", False
    tied = len(counts) > 1 and counts[0][1] == counts[1][1]
    return counts[0][0], ("TIE" if tied else counts[0][0]), tied


TAG = re.compile(r"^\s*([A-Za-z_]+?)(?:_?\d+)?\s*:\s*")


def aci_style(dialogue):
    """One snippet in ACI-Bench's typing: a tag per turn, lower case, punctuation spaced out."""
    lines = []
    for line in dialogue.splitlines():
        m = TAG.match(line)
        if m:
            who = m.group(1).lower()
            tag = "[doctor]" if who.startswith("doctor") or who.endswith("clinician") else "[patient]"
            lines.append([tag, line[m.end():]])
        elif lines and line.strip():
            lines[-1][1] += " " + line.strip()
    spaced = lambda t: " ".join(re.sub(r"([,.?!])(?=\s|$)", r" \1", t.lower()).split())
    return "\n".join(f"{tag} {spaced(text)}" for tag, text in lines)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        sys.exit("usage: sections_cli.py MTS-Dialog.csv [path/to/bedside] [--aci-style]")
    aci = "--aci-style" in sys.argv
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    binary = args[1] if len(args) > 1 else os.path.join(target, "release", "bedside")
    rows = [r for r in csv.DictReader(open(args[0], newline="", encoding="utf-8")) if r["section_header"].strip().upper() in GROUP_OF]
    right_first = collections.Counter()
    right_strict = collections.Counter()
    total = collections.Counter()
    ties = 0
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i, row in enumerate(rows):
            path = os.path.join(tmp, f"{i}.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(aci_style(row["dialogue"]) if aci else row["dialogue"])
            out = os.path.join(tmp, f"out{i}")
            run = subprocess.run([binary, "note", path, "--out", out, "--no-note"], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"bedside note failed on snippet {i}: {run.stderr.strip()}")
            with open(os.path.join(out, "transcript.json"), encoding="utf-8") as f:
                segments = json.load(f)["Conversation"]["TranscriptSegments"]
            first, strict, tied = vote([s["SectionDetails"]["SectionName"] for s in segments])
            truth = GROUP_OF[row["section_header"].strip().upper()]
            total[truth] += 1
            right_first[truth] += first == truth
            right_strict[truth] += strict == truth
            ties += tied
    for name, right in (("ties to the section that comes first", right_first), ("ties counted wrong", right_strict)):
        recalls = {g: right[g] / total[g] for g in GROUPS if total[g]}
        parts = ", ".join(f"{g} {r:.3f} (n = {total[g]})" for g, r in recalls.items())
        print(f"{name}: {parts}; balanced accuracy {sum(recalls.values()) / len(recalls):.3f}")
    print(f"{len(rows)} snippets, {ties} tied, {time.time() - start:.0f} s through `bedside note`")


if __name__ == "__main__":
    main()
