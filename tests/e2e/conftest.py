"""pytest wiring of the end-to-end tests: the fixtures (a scratch directory per test, the
ipctrace binary, the demo directory), the BPF gate, and the no-skip rule of CI.

Environment: IPCTRACE (the binary), IPCTRACE_DEMOS (the demo directory),
IPCTRACE_REQUIRE_BPF=1 turns every skip into a failure, IPCTRACE_E2E_KEEP=1 keeps each
test's scratch directory (trace, SVG, output) and lists them at the end of the run.
"""

import os
import re

import pytest

import lib

KEPT = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[KEPT] = []


@pytest.fixture(scope="session")
def bpf_unavailable_reason():
    """Why recording cannot work on this machine, or None; asked once of the kernel."""
    return lib.bpf_unavailable()


@pytest.fixture(autouse=True)
def _gate(request, bpf_unavailable_reason):
    """Every test needs the built binary; every test not marked nobpf also needs BPF."""
    if not os.access(lib.IPCTRACE, os.X_OK):
        pytest.skip("%s not built (make)" % lib.IPCTRACE)
    if bpf_unavailable_reason and request.node.get_closest_marker("nobpf") is None:
        pytest.skip(bpf_unavailable_reason)


@pytest.fixture(scope="session")
def can_record(bpf_unavailable_reason):
    """The gate for module-scoped recordings, which are set up before the autouse gate runs."""
    if not os.access(lib.IPCTRACE, os.X_OK):
        pytest.skip("%s not built (make)" % lib.IPCTRACE)
    if bpf_unavailable_reason:
        pytest.skip(bpf_unavailable_reason)


def scratch_dir(request, name):
    """A lib.Ctx removed when request's scope ends, or listed at the end when kept."""
    c = lib.Ctx(re.sub(r"[^A-Za-z0-9_.-]", "_", name))
    request.addfinalizer(lambda: request.config.stash[KEPT].append((name, c.dir)) if lib.KEEP
                         else c.cleanup())
    return c


@pytest.fixture(scope="module")
def module_ctx(request):
    """Scratch directories for recordings shared by a module's tests (one recording, several
    facts, each test passing or failing alone): module_ctx("name") makes one."""
    return lambda name: scratch_dir(request, name)


@pytest.fixture
def ctx(request):
    """The test's scratch directory (0755 under /tmp, not pytest's 0700 tmp_path: some tests
    run ipctrace as nobody), removed afterwards unless IPCTRACE_E2E_KEEP=1."""
    return scratch_dir(request, request.node.name.removeprefix("test_"))


@pytest.fixture
def ipctrace():
    """The ipctrace binary under test."""
    return lib.IPCTRACE


@pytest.fixture
def demos():
    """The directory of the built demo programs."""
    return lib.TOOLS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With IPCTRACE_REQUIRE_BPF=1 (CI) a skipped test is a failed one; an expected failure
    (xfail) stays what it is."""
    outcome = yield
    rep = outcome.get_result()
    if lib.REQUIRE_BPF and rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        reason = reason.removeprefix("Skipped: ")
        rep.outcome = "failed"
        rep.longrepr = "skipped but IPCTRACE_REQUIRE_BPF=1: %s" % reason


def pytest_terminal_summary(terminalreporter, config):
    kept = config.stash.get(KEPT, [])
    if kept:
        terminalreporter.section("kept scratch directories (IPCTRACE_E2E_KEEP=1)")
        for name, path in kept:
            terminalreporter.write_line("%s  %s" % (path, name))
