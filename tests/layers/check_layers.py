#!/usr/bin/env python3
"""make check-layers: the engine's layers call only downwards, and no files call in a circle.

Reads the symbols of every object of lib/ (nm): a file that uses a symbol another file
defines depends on it.  A file's layer is its first folder under lib/; LAYERS lists them
from the bottom up (docs/design.md says what each holds).  Fails on a call from a layer
to one above it, on a cycle between files (also within a layer), and on a folder of lib/
that is not a layer.  Each finding names the files and the symbols.

usage: check_layers.py BUILD_DIR/lib OBJECT...   (the objects of lib/'s sources)
"""
import os
import subprocess
import sys

LAYERS = ["base", "sys", "fs", "formats", "config", "items", "clouds", "plan"]


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDRBCV":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            used.add(f[1])
    return defined, used


def cycles(graph):
    """Strongly connected components of more than one file (Tarjan, iterative)."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n[0]
        n[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n[0]
                    n[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                scc = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    scc.append(w)
                    if w == v:
                        break
                if len(scc) > 1:
                    out.append(sorted(scc))
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    top, objs = sys.argv[1], sorted(sys.argv[2:])
    defs, uses, bad = {}, {}, []
    for o in objs:
        name = os.path.relpath(o, top)[:-2]
        if name.split("/")[0] not in LAYERS or "/" not in name:
            bad.append(f"lib/{name}.c: not in a layer's folder ({', '.join(LAYERS)})")
        d, u = symbols(o)
        for s in d:
            defs[s] = name
        uses[name] = u
    graph = {n: set() for n in uses}
    why = {}
    for n, used in uses.items():
        for s in used:
            t = defs.get(s)
            if t and t != n:
                graph[n].add(t)
                why.setdefault((n, t), []).append(s)
    rank = {n: LAYERS.index(n.split("/")[0]) if n.split("/")[0] in LAYERS else -1 for n in uses}
    for (a, b), syms in sorted(why.items()):
        if rank[a] < rank[b]:
            bad.append(f"lib/{a}.c ({LAYERS[rank[a]]}) calls up into lib/{b}.c "
                       f"({LAYERS[rank[b]]}): {' '.join(sorted(syms))}")
    for scc in cycles(graph):
        links = [f"{a} -> {b} ({' '.join(sorted(why[(a, b)]))})"
                 for a in scc for b in sorted(graph[a]) if b in scc]
        bad.append(f"cycle between {len(scc)} files: " + "; ".join(links))
    for b in bad:
        print(f"check-layers: {b}")
    nedges = sum(len(v) for v in graph.values())
    print(f"check-layers: {len(uses)} files, {nedges} calls between files, "
          f"layers {' < '.join(LAYERS)}: {'FAILED' if bad else 'ok'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
