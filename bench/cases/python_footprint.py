"""Installed size of Python packages with everything they pull in (bench suite "sizes").

    python python_footprint.py lifetimes mlxtend ...

For each named distribution: its files plus those of its transitive requirements (environment
markers evaluated, extras ignored), as installed in this interpreter's environment, each
distribution counted once. Prints one JSON line: {name: {version, bytes, files, distributions}}.
"""

import importlib.metadata as md
import json
import os
import re
import sys

try:
    from packaging.requirements import Requirement
except ImportError:  # pragma: no cover - packaging ships with pip's vendored copy only sometimes
    Requirement = None


def requirement_names(dist):
    names = []
    for spec in dist.requires or []:
        if Requirement is not None:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            names.append(req.name)
        elif "extra ==" not in spec:
            names.append(re.split(r"[ ;<>=!~\[(]", spec, maxsplit=1)[0])
    return names


def closure(name):
    seen = {}
    todo = [name]
    while todo:
        n = todo.pop()
        key = n.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = md.distribution(n)
        except md.PackageNotFoundError:
            continue
        seen[key] = dist
        todo.extend(requirement_names(dist))
    return seen


def size(dist):
    total, count = 0, 0
    for f in dist.files or []:
        path = dist.locate_file(f)
        if os.path.isfile(path):
            total += os.path.getsize(path)
            count += 1
    return total, count


out = {}
for name in sys.argv[1:]:
    dists = closure(name)
    total = files = 0
    for d in dists.values():
        b, c = size(d)
        total += b
        files += c
    out[name] = {
        "version": md.version(name),
        "bytes": total,
        "files": files,
        "distributions": sorted(f"{d.metadata['Name']} {d.version}" for d in dists.values()),
    }
print(json.dumps(out))
