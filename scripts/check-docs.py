#!/usr/bin/env python3
"""Checks that the docs and comments describe the code as it is.

1. Every repository file they cite exists: paths such as `core/train/trainer.h`, `docs/cli.md`,
   `scripts/build.sh` (relative to the repository root or to a folder above the citing file),
   and bare Markdown file names (`metrics.md`) somewhere in the repository.
2. Nothing narrates the project's history: no "session 3", "this VM", "issue 15" (a citation of another
   project's issue, owner/repo#123, is fine).

Scans tracked files (git ls-files). Prints one line per finding and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TEXT = (".cpp", ".h", ".md", ".py", ".txt", ".sh", ".cmake", ".json", ".in")
TOP = ("core", "gui", "figures", "cli", "tests", "docs", "scripts", "python", "bench", "resources",
       "sample_runs", "cmake", "debian", ".ci")
# A repository path: a top-level folder, then folders and a file name with an extension.
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w./-]*\w\.(?:h|cpp|md|py|sh|json|txt|cmake|qrc|svg|png|desktop|xml))"
                  % "|".join(re.escape(t) for t in TOP))
MD_NAME = re.compile(r"(?<![\w./-])([\w-]+\.md)\b")
NARRATION = [
    (re.compile(r"\bsessions? \d+\b", re.I), "narrates a work session"),
    (re.compile(r"\b(this|the) VM\b", re.I), "describes the development machine instead of the software"),
    (re.compile(r"(?<![\w/.-])issues? #?\d+\b", re.I), "cites the project's issue tracker"),
]
# Paths that exist only in a build tree or on a user's machine, cited as such.
GENERATED = re.compile(r"^(build|build-\w+)/|/build/|\*")


def tracked():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if f.endswith(TEXT) and os.path.isfile(os.path.join(ROOT, f))]


def main():
    files = tracked()
    names = {os.path.basename(f) for f in files} | {os.path.basename(f) for f in
              subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.splitlines()}
    problems = []
    for f in files:
        if f == "scripts/check-docs.py":
            continue
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        for n, line in enumerate(lines, 1):
            for m in PATH.finditer(line):
                p = m.group(1).rstrip(".")
                if GENERATED.search(p):
                    continue
                # From the repository root, or from a folder above the citing file (python/ cites tests/…).
                folders = [os.path.dirname(f)]
                while folders[-1]:
                    folders.append(os.path.dirname(folders[-1]))
                if not any(os.path.exists(os.path.join(ROOT, d, p)) for d in folders):
                    problems.append(f"{f}:{n}: cites {p}, which does not exist")
            for m in MD_NAME.finditer(line):
                if m.group(1) not in names:
                    problems.append(f"{f}:{n}: cites {m.group(1)}, which is not in the repository")
            for pattern, why in NARRATION:
                if pattern.search(line):
                    problems.append(f"{f}:{n}: {why}: {line.strip()[:100]}")
    for p in problems:
        print(p)
    if problems:
        print(f"check-docs: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check-docs: {len(files)} files, every cited file exists, no history narrated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
