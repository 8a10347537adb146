"""Shared by the tests of our tools (tests/tools/test_*.py, run by path, so this folder is on
sys.path): one line per check ("ok"/"FAIL"), a summary, and the exit status 0 or 1."""
import sys

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def finish(name):
    print(f"{name}: {len(failures)} failed")
    sys.exit(1 if failures else 0)
