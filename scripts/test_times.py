#!/usr/bin/env python3
"""The time guard printed at the end of scripts/test.sh: how long each phase took and the slowest tests.

    test_times.py --phase "build=612" --phase "tests=540" --junit build/ctest.xml [--junit ...] [--top 10]

Phases are name=seconds in the order they ran; each --junit is a file that `ctest --output-junit` wrote.
The budget (docs/RESULTS.md, "CI time") is 25 minutes for the whole of scripts/test.sh on 2 cores; a phase
that grows by minutes shows here in the run that made it grow.
"""
import argparse
import os
import xml.etree.ElementTree as ET


def minutes(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def cpu_isa():
    try:
        flags = next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown ISA"
    for name, flag in (("AMX", "amx_tile"), ("AVX-512 VNNI", "avx512_vnni"), ("AVX-512", "avx512f"),
                       ("AVX2", "avx2")):
        if flag in flags:
            return name
    return "pre-AVX2"


def tests_of(junit):
    """(seconds, name, status) of every test case in a ctest JUnit file."""
    cases = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        status = case.get("status", "run")
        if case.find("failure") is not None:
            status = "failed"
        elif case.find("skipped") is not None:
            status = "skipped"
        cases.append((float(case.get("time", 0)), case.get("name"), status))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", action="append", default=[], help="name=seconds")
    parser.add_argument("--junit", action="append", default=[], help="a ctest --output-junit file")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    phases = [(p.split("=", 1)[0], float(p.split("=", 1)[1])) for p in args.phase]
    total = sum(s for _, s in phases)
    print(f"test: time on {os.cpu_count()} cores ({cpu_isa()}): " +
          ", ".join(f"{name} {minutes(s)}" for name, s in phases) + f"; total {minutes(total)}")
    cases = []
    for junit in args.junit:
        if os.path.exists(junit):
            cases += [(s, n, st, os.path.dirname(junit)) for s, n, st in tests_of(junit)]
    if not cases:
        return
    counts = {status: sum(1 for c in cases if c[2] == status) for status in ("run", "failed", "skipped")}
    summed = sum(c[0] for c in cases)
    print(f"test: {len(cases)} tests took {minutes(summed)} summed over their processes; the slowest {args.top}:")
    for seconds, name, status, where in sorted(cases, reverse=True)[:args.top]:
        print(f"  {seconds:7.1f} s  {name}  ({os.path.basename(where)}{'' if status == 'run' else ', ' + status})")
    # The plain closing line CI reads, over both trees.
    print(f"tests: {counts['run']} passed, {counts['failed']} failed, {counts['skipped']} skipped")


if __name__ == "__main__":
    main()
