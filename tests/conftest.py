"""Fixtures shared by the slow tests: each example generated and installed once per worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.services import Installed, generate, install

_installed: dict[str, Installed] = {}


@pytest.fixture
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The example of `request.param`, generated and installed in a venv of its own (cached per worker)."""
    example: Path = request.param
    if example.stem not in _installed:
        project = tmp_path_factory.mktemp(example.stem) / "project"
        domain = generate(example, project)
        _installed[example.stem] = install(project, domain, example)
    return _installed[example.stem]
