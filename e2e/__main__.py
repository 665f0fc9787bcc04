"""`python3 -m e2e`: run the end-to-end tests; the last line says `e2e: N passed, M failed`.

A skipped test counts as failed, and a run without any test fails: an end-to-end test that did not
run proves nothing.
"""
import os
import sys
import unittest

from .server import ROOT


def main():
    suite = unittest.defaultTestLoader.discover(os.path.dirname(os.path.abspath(__file__)), top_level_dir=ROOT)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses) + len(result.skipped)
    passed = max(0, result.testsRun - failed)  # a failed setUpClass is no test, but fails
    sys.stdout.flush()
    # The shared server stops (and its own database is dropped) at exit, after this line.
    print(f"e2e: {passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
