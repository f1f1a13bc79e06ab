#!/usr/bin/env python3
"""tools/check_layers.py fails on what it exists to catch: an include up the layers, a
storage/detail/ header outside storage/, SQLite outside storage/, a file over the line limit;
and passes a tree that points down."""
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "check_layers.py")


def run(files):
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)
        return p.returncode, p.stdout


failures = []


def expect(name, files, rc, fragment):
    got_rc, out = run(files)
    if got_rc != rc or fragment not in out:
        failures.append(f"{name}: exit {got_rc}, output:\n{out}")


good = {
    "util/a.hpp": "#pragma once\n#include <string>\n",
    "domain/b.hpp": '#include "util/a.hpp"\n',
    "storage/c.cpp": '#include "domain/b.hpp"\n#include "storage/detail/d.hpp"\n#include <sqlite3.h>\n',
    "storage/detail/d.hpp": "#pragma once\n",
    "actors/e.cpp": '#include "storage/c.hpp"\n#include "content/x.hpp"\n',
    "app/f.cpp": '#include "config/settings.hpp"\n#include "http/server.hpp"\n',
    "main.cpp": '#include "app/commands.hpp"\n',
}
expect("a tree that points down", good, 0, "every include points down")
expect("util includes actors", {**good, "util/g.cpp": '#include "actors/event_log.hpp"\n'}, 1,
       "util/g.cpp:1: util/ must not include actors/event_log.hpp")
expect("storage includes content (siblings)", {**good, "storage/h.cpp": '\n#include "content/generator.hpp"\n'},
       1, "storage/h.cpp:2: storage/ must not include content/generator.hpp")
expect("http includes config", {**good, "http/i.hpp": '#include "config/settings.hpp"\n'}, 1,
       "http/ must not include config/settings.hpp")
expect("detail outside storage", {**good, "actors/j.cpp": '#include "storage/detail/d.hpp"\n'}, 1,
       "storage/detail/d.hpp is internal to storage/")
expect("SQLite outside storage", {**good, "actors/k.cpp": "#include <SQLiteCpp/SQLiteCpp.h>\n"}, 1,
       "<SQLiteCpp/SQLiteCpp.h> belongs to storage/")
expect("main includes a layer", {**good, "main.cpp": '#include "http/server.hpp"\n'}, 1,
       "main.cpp only dispatches to app/")
expect("a long file", {**good, "domain/long.cpp": "int x;\n" * 501}, 1, "domain/long.cpp: 502 lines")

for f in failures:
    print("FAIL", f)
print(f"{8 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
