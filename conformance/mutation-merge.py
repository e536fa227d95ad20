#!/usr/bin/env python3
"""Final figures of several cargo-mutants runs over a tree that changed between them.

    conformance/mutation.sh --list > final.txt            # the mutants of the final tree
    conformance/mutation-merge.py final.txt RUN_DIR [RUN_DIR ...] > figures.txt

Each RUN_DIR is a `--output` directory (it holds `mutants.out/`); later runs override earlier
ones. A mutant is named `file:line:col: description`, and an edit elsewhere in a file shifts the
line numbers of the rest, so a name is matched exactly first, then by file and description, in
order. Writes `retest.txt` (the final tree's mutants that were missed or never tested: run them
again with `mutation.sh -F '^name$' ...`) and prints the counts and every survivor.
"""
import collections
import re
import sys


def loose(name):
    file, rest = name.split(":", 1)
    return file, re.sub(r"^\d+:\d+: ", "", rest)


def main(final_list, *runs):
    names = [line.rstrip("\n") for line in open(final_list) if line.strip()]
    outcome = {}
    for run in runs:
        for kind in ("caught", "missed", "unviable", "timeout"):
            try:
                with open(f"{run}/mutants.out/{kind}.txt") as f:
                    for line in f:
                        if line.strip():
                            outcome[line.rstrip("\n")] = kind
            except FileNotFoundError:
                pass
    by_description = collections.defaultdict(list)
    for name, kind in outcome.items():
        by_description[loose(name)].append(kind)
    final = {n: outcome[n] for n in names if n in outcome}
    for n in names:
        if n not in final and by_description.get(loose(n)):
            final[n] = by_description[loose(n)].pop(0)
    counts = collections.Counter(final.values())
    untested = [n for n in names if n not in final]
    viable = counts["caught"] + counts["missed"] + counts["timeout"]
    print(f"mutants: {len(names)}, untested: {len(untested)}, " + ", ".join(
        f"{k}: {counts[k]}" for k in ("caught", "missed", "timeout", "unviable")))
    if viable:
        print(f"caught of viable: {counts['caught']}/{viable} = {100 * counts['caught'] / viable:.1f} %")
    with open("retest.txt", "w") as f:
        f.writelines(n + "\n" for n in names if final.get(n) in (None, "missed", "timeout"))
    for n in names:
        if final.get(n) in ("missed", "timeout"):
            print(final[n].upper(), n)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
