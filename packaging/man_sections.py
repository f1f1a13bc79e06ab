#!/usr/bin/env python3
"""Writes the help2man include file of coursefactory(1): the options of `serve` (one .TP each)
and the --help text of each other command, all read from the binary, plus FILES and SEE ALSO.
Usage: man_sections.py PATH/TO/coursefactory OUT.h2m (cmake/packaging.cmake runs it)."""
import re
import subprocess
import sys

binary, out = sys.argv[1], sys.argv[2]


def help_of(*args):
    return subprocess.run([binary, *args, "--help"], capture_output=True, text=True,
                          timeout=30, check=True).stdout


def roff(text):
    """Text safe in roff: backslashes doubled, no line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + l) if l[:1] in (".", "'") else l for l in text.split("\n"))


OPTION = re.compile(r"^  (--[a-z0-9-]+)( [A-Z]+)? +(.*)$")
parts = ["[SERVE OPTIONS]",
         "Settings come from the embedded defaults, then \\fB\\-\\-config\\fR FILE, then these "
         "flags (\\fBcoursefactory serve \\-\\-help\\fR)."]
options = 0
for line in help_of("serve").splitlines():
    m = OPTION.match(line)
    if m:
        options += 1
        parts += [".TP", "\\fB%s\\fR%s" % (roff(m.group(1)), roff(m.group(2) or "")),
                  roff(m.group(3))]
if options < 10:
    sys.exit("man_sections.py: found only %d options in `serve --help`" % options)

commands = re.findall(r"^  ([a-z]+)  ", help_of(), re.M)
for cmd in commands:
    if cmd in ("serve", "catalogue", "config"):
        continue
    parts += ["[%s]" % ("COMMAND " + cmd.upper()), ".nf", roff(help_of(cmd).rstrip()), ".fi"]

parts += ["[FILES]",
          ".TP", "\\fI/etc/coursefactory/coursefactory.ini\\fR",
          "Settings of the packaged service (\\fBcoursefactory config\\fR prints every key with "
          "its default).",
          ".TP", "\\fI/var/lib/coursefactory/\\fR",
          "State: the event log (coursefactory.db), the payment webhook secret, the admin API "
          "token, the published site.",
          ".TP", "\\fI/lib/systemd/system/coursefactory.service\\fR",
          "The systemd unit (Type=notify).",
          "[SEE ALSO]",
          "\\fBsystemctl\\fR(1), \\fBsystemd.exec\\fR(5); /usr/share/doc/coursefactory/ "
          "(monitoring: Prometheus alert rules, scrape example, Grafana dashboard)."]
with open(out, "w") as f:
    f.write("\n".join(parts) + "\n")
