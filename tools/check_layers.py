#!/usr/bin/env python3
"""Fails when an #include points against the layers (README, "Architecture").

    util <- domain <- {storage, content, channels, bus} <- actors <- http <- app;  config only from app

A file in folder F may include project headers only from the folders allowed for F; headers under
storage/detail/ only from storage/; and the libraries that own an outside protocol only where it
belongs: SQLite only in storage/, cpp-httplib only in http/, channels/ and app/, Redis only in bus/. Also reports
source files over MAX_LINES lines (data tables listed in LONG_DATA_FILES are exempt).

usage: check_layers.py [ROOT]     (ROOT: the repository; default: this file's parent's parent)
Exit 0 when clean, 1 with one line per violation.
"""
import os
import re
import sys

ALLOWED = {
    "util": {"util"},
    "domain": {"util", "domain"},
    "storage": {"util", "domain", "storage"},
    "content": {"util", "domain", "content"},
    "channels": {"util", "domain", "channels"},
    "bus": {"util", "domain", "bus"},
    "actors": {"util", "domain", "storage", "content", "channels", "bus", "actors"},
    "http": {"util", "domain", "storage", "content", "channels", "bus", "actors", "http"},
    "config": {"util", "config"},
    "app": {"util", "domain", "storage", "content", "channels", "bus", "actors", "http", "config",
            "app"},
}
# System headers that belong to one layer (the adapter of an outside protocol).
OWNED = {
    re.compile(r"^(sqlite3\.h|SQLiteCpp/)"): {"storage"},
    re.compile(r"^httplib\.h$"): {"http", "channels", "app"},
    re.compile(r"^hiredis/"): {"bus"},
}
MAX_LINES = 500
LONG_DATA_FILES = set()  # e.g. phrase tables; none today
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def check(root):
    problems = []
    for layer in ALLOWED:
        top = os.path.join(root, layer)
        for dirpath, _, names in os.walk(top):
            for name in sorted(names):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8") as f:
                    lines = f.read().split("\n")
                if len(lines) > MAX_LINES and rel not in LONG_DATA_FILES:
                    problems.append(f"{rel}: {len(lines)} lines (at most {MAX_LINES})")
                for n, line in enumerate(lines, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    kind, target = m.groups()
                    if kind == '"':
                        folder = target.split("/", 1)[0]
                        if folder in ALLOWED and folder not in ALLOWED[layer]:
                            problems.append(f"{rel}:{n}: {layer}/ must not include {target}")
                        if target.startswith("storage/detail/") and layer != "storage":
                            problems.append(f"{rel}:{n}: {target} is internal to storage/")
                    else:
                        for pattern, owners in OWNED.items():
                            if pattern.match(target) and layer not in owners:
                                problems.append(
                                    f"{rel}:{n}: <{target}> belongs to {', '.join(sorted(owners))}/"
                                )
    main_cpp = os.path.join(root, "main.cpp")
    if os.path.exists(main_cpp):
        with open(main_cpp, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if m and m.group(1) == '"' and not m.group(2).startswith("app/"):
                    problems.append(f"main.cpp:{n}: main.cpp only dispatches to app/")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} problem(s)")
        return 1
    print("layers: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
