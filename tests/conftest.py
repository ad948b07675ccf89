from __future__ import annotations

import compileall
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.bad_input import folder  # noqa: F401 - a fixture of the bad-input tests
from tests.engines import ENGINES, Live, live_database
from tests.postgres_server import postgres_server  # noqa: F401 - the engine fixture's server

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The standalone build's tests need the built program, which scripts/test-standalone
#: makes and names in $TRUEUP_STANDALONE; the default run does not collect them at all
#: (rather than show them skipped).
collect_ignore = [] if os.environ.get("TRUEUP_STANDALONE") else ["test_standalone.py"]


def pytest_configure(config: pytest.Config) -> None:
    """Compile trueup's modules once, before any test starts a `trueup` process: such a
    process then reads the bytecode, as an installed trueup does. Under
    PYTHONDONTWRITEBYTECODE (set on some machines) each of the hundreds of processes the
    tests start would compile every module it imports again. With several test processes,
    the first one (the one that starts the others) does it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        compileall.compile_dir(Path(__file__).resolve().parent.parent / "src", quiet=1)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own settings. A data check whose query fails
    raises instead of giving a finding without numbers (see trueup.plan.checks.runner): a
    bug in the SQL the checks write must fail the test, not weaken what it checks."""
    for name in list(os.environ):
        if name.startswith("TRUEUP_") or name == "DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUEUP_STRICT_PROBES", "1")


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    """An empty live database of each registered engine (tests/engines), in turn."""
    with live_database(request.param, request, tmp_path) as live:
        yield live
