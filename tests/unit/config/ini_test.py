#!/usr/bin/env python3
"""config/coursefactory.ini as other tools read it: Python's configparser in its strictest form
(strict=True: a repeated section or key is an error; inline_comment_prefixes=None: no comment
after a value) reads it, and every key in it is a setting of the service, holding the default the
service itself documents (`coursefactory serve --help` prints "[section.key, default: value]" for
each one, from the same table that writes the file). A value that carried a trailing comment
would differ from that default.

usage: ini_test.py CONFIG_INI COURSEFACTORY_BINARY     (exit 0 when it passes)
"""
import configparser
import re
import subprocess
import sys


def strict_parser():
    p = configparser.ConfigParser(strict=True, inline_comment_prefixes=None, interpolation=None)
    p.optionxform = str  # keys as written: a misspelt case is a different key
    return p


def main(ini_path, binary):
    failures = []

    # The reader is strict enough to fail: a repeated section is rejected.
    try:
        strict_parser().read_string("[a]\nx = 1\n[a]\ny = 2\n")
        failures.append("configparser accepted a repeated section: the check below proves nothing")
    except configparser.DuplicateSectionError:
        pass

    ini = strict_parser()
    try:
        with open(ini_path, encoding="utf-8") as f:
            ini.read_file(f)
    except configparser.Error as e:
        print(f"{ini_path}: a strict INI reader rejects it: {e}")
        return 1

    help_text = subprocess.run([binary, "serve", "--help"], check=True, capture_output=True,
                               text=True).stdout
    known = {}
    for line in help_text.splitlines():
        m = re.search(r"\[([a-z_]+\.[a-z0-9_]+), default: (.*)\]$", line)
        if m:
            known[m.group(1)] = m.group(2)
    if len(known) < 10:
        failures.append(f"`serve --help` listed only {len(known)} settings:\n{help_text}")

    in_file = {}
    for section in ini.sections():
        for key, value in ini.items(section):
            in_file[f"{section}.{key}"] = value
    for key, value in sorted(in_file.items()):
        if key not in known:
            failures.append(f"{key}: not a setting of `coursefactory serve`")
        elif value != known[key]:
            failures.append(f"{key}: reads as {value!r}, the default is {known[key]!r}")
    for key in sorted(set(known) - set(in_file)):
        failures.append(f"{key}: a setting missing from {ini_path}")

    for f in failures:
        print(f)
    if not failures:
        print(f"{ini_path}: {len(in_file)} keys in {len(ini.sections())} sections, all known")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
