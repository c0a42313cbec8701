#!/usr/bin/env python3
"""Checks the layering that docs/ARCHITECTURE.md describes, which the linker alone cannot prove
(an I/O header may be all inline):

1. no include cycle among include/recur/*.hpp;
2. no header or source of recur::core (the sources listed for recur_core in CMakeLists.txt)
   includes an I/O adapter header (corpus.hpp, output.hpp, run.hpp), directly or through others;
3. no core source includes <fstream>, <filesystem>, <cstdio> or <iostream>, nor calls open/fopen;
4. no core source includes MPI (<mpi.h>, <boost/mpi...>): MPI lives in the adapter (mpi.hpp,
   src/mpi_report.cpp), and a normal run never needs it.

Exit status 1 with one line per violation. Run by .ci/test."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IO_HEADERS = {"corpus.hpp", "output.hpp", "run.hpp", "mpi.hpp"}
FORBIDDEN_STD = {"fstream", "filesystem", "cstdio", "iostream", "stdio.h", "fcntl.h", "unistd.h", "dirent.h"}
INCLUDE = re.compile(r'#include\s+"(?:recur/)?([A-Za-z0-9_]+\.hpp)"')
STD_INCLUDE = re.compile(r"#include\s+<([^>]+)>")
CALLS = re.compile(r"\b(?:::)?(?:fopen|open|opendir)\s*\(")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def header_path(name):
    for d in ("include/recur", "src"):
        p = os.path.join(ROOT, d, name)
        if os.path.exists(p):
            return p
    return None


def includes(path):
    return INCLUDE.findall(read(path))


def core_sources():
    cmake = read(os.path.join(ROOT, "CMakeLists.txt"))
    m = re.search(r"add_library\(recur_core(.*?)\)", cmake, re.S)
    return [os.path.join(ROOT, s) for s in re.findall(r"src/[A-Za-z0-9_/]+\.cpp", m.group(1))]


def main():
    problems = []
    graph = {}
    for name in sorted(os.listdir(os.path.join(ROOT, "include/recur"))):
        if name.endswith(".hpp"):
            graph[name] = includes(os.path.join(ROOT, "include/recur", name))

    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                problems.append("include cycle: " + " -> ".join(stack + [node, nxt]))
            elif nxt in graph and not state.get(nxt):
                visit(nxt, stack + [node])
        state[node] = 2

    for node in graph:
        if not state.get(node):
            visit(node, [])

    def reach(start_includes):
        seen, todo = set(), list(start_includes)
        while todo:
            h = todo.pop()
            if h in seen:
                continue
            seen.add(h)
            p = header_path(h)
            if p:
                todo.extend(includes(p))
        return seen

    for src in core_sources():
        rel = os.path.relpath(src, ROOT)
        text = read(src)
        bad = reach(includes(src)) & IO_HEADERS
        if bad:
            problems.append(f"{rel} (recur::core) reaches I/O header(s) {sorted(bad)}")
        std = set(STD_INCLUDE.findall(text)) & FORBIDDEN_STD
        if std:
            problems.append(f"{rel} (recur::core) includes {sorted(std)}")
        mpi = [h for h in STD_INCLUDE.findall(text) if h == "mpi.h" or h.startswith("boost/mpi")]
        if mpi:
            problems.append(f"{rel} (recur::core) includes MPI {sorted(mpi)}")
        if CALLS.search(text):
            problems.append(f"{rel} (recur::core) opens files")
    for p in problems:
        print("check_layers:", p)
    if not problems:
        print(f"check_layers: {len(graph)} headers without cycles; {len(core_sources())} core sources reach no I/O header")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
