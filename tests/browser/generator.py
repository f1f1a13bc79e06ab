#!/usr/bin/python3
"""A stand-in external generator for the console test: the crash test's generator (a small
course as JSON, never failing here), except that it fails (exit 3, a transient error) while the
file named by its first argument exists."""
import os
import sys

if os.path.exists(sys.argv[1]):
    print("the model is unavailable (fail flag set by the test)", file=sys.stderr)
    sys.exit(3)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from crash_parts import GENERATOR  # noqa: E402

exec("FAIL, SLOW, TIMEOUT, TIMEOUT_S = 0.0, 0.0, 0.0, 0\n" + GENERATOR)
