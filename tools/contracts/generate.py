#!/usr/bin/env python3
"""Writes the contracts from the catalogue: docs/events.md, docs/schemas/*.json,
docs/openapi.json and docs/asyncapi.json. The one generator of all of them.

    python3 tools/contracts/generate.py build/release/coursefactory          # write
    python3 tools/contracts/generate.py build/release/coursefactory --check  # diff, exit 1

The binary gives the catalogue (`coursefactory catalogue`, `catalogue --schemas`); the REST
routes are described in openapi.py, the streams in asyncapi.py."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import asyncapi  # noqa: E402
import openapi  # noqa: E402

DOCS = os.path.join(HERE, "..", "..", "docs")
SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"


def as_json(doc):
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"  # ASCII: the build embeds it


def files(binary):
    """Relative path -> content of every generated file."""
    markdown = subprocess.run([binary, "catalogue"], check=True, capture_output=True,
                              text=True).stdout
    both = json.loads(subprocess.run([binary, "catalogue", "--schemas"], check=True,
                                     capture_output=True, text=True).stdout)
    events, inbound = both["events"], both["inbound"]
    out = {"events.md": markdown,
           "openapi.json": as_json(openapi.document(events)),
           "asyncapi.json": as_json(asyncapi.document(events, inbound,
                                                            both["generation_result"])),
           "schemas/cloudevent.json": as_json({"$schema": SCHEMA_ID, **events["cloudevent"]}),
           "schemas/inbound.json": as_json({"$schema": SCHEMA_ID, **inbound}),
           "schemas/generation-result.json": as_json({"$schema": SCHEMA_ID,
                                                      **both["generation_result"]})}
    for etype, versions in events["data"].items():
        for version, schema in versions.items():
            out["schemas/%s.v%s.json" % (etype, version)] = as_json({"$schema": SCHEMA_ID,
                                                                     **schema})
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    check = "--check" in sys.argv[2:]
    wanted = files(sys.argv[1])
    stale = []
    for rel, content in sorted(wanted.items()):
        path = os.path.join(DOCS, rel)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == content:
            continue
        stale.append(rel)
        if not check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
    known = {os.path.relpath(os.path.join(d, n), DOCS)
             for d, _, names in os.walk(os.path.join(DOCS, "schemas")) for n in names}
    extra = sorted(known - set(wanted))
    if check:
        if stale or extra:
            print("docs/ is out of step with the catalogue: %s; run `python3 "
                  "tools/contracts/generate.py build/release/coursefactory`"
                  % ", ".join(stale + ["%s (not generated)" % e for e in extra]))
            sys.exit(1)
        print("docs/: %d generated files in step" % len(wanted))
    else:
        for rel in extra:
            os.remove(os.path.join(DOCS, rel))
        print("wrote %d of %d files, removed %d" % (len(stale), len(wanted), len(extra)))


if __name__ == "__main__":
    main()
