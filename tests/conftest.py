from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.bad_input import folder  # noqa: F401 - a fixture of the bad-input tests

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own settings."""
    for name in list(os.environ):
        if name.startswith("TRUEUP_") or name == "DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
