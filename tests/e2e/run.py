#!/usr/bin/env python3
"""End-to-end tests: run the real ipctrace as root under real BPF on the demo
programs and on real programs, then check the facts of `ipctrace report --json`
against what the programs themselves printed they did. lib.py holds the
runner and the helpers; test_*.py the tests, one file per concern.

Environment: IPCTRACE (the binary), IPCTRACE_DEMOS (the demo directory),
IPCTRACE_REQUIRE_BPF=1 turns every skip into a failure, IPCTRACE_E2E=PATTERN
runs only the tests whose name contains PATTERN, IPCTRACE_E2E_KEEP=1 keeps
each test's scratch directory (trace, SVG, output) and prints where it is.

Output: one line per test (PASS/FAIL/SKIP), then `e2e: N passed, N failed,
N skipped`; exit status 1 if any test failed.
"""

import sys

import lib
import test_record  # noqa: F401 (registers its tests)
import test_mechanisms  # noqa: F401
import test_faults  # noqa: F401

if __name__ == "__main__":
    sys.exit(lib.main())
