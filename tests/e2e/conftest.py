"""Fixtures shared by the end-to-end tests: an emulated GitHub world, served for real."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.emulator.run import RunningEmulator, run_emulator
from devkit.emulator.state import World


@pytest.fixture()
def world(tmp_path: Path) -> World:
    return World(tmp_path / "world")


@pytest.fixture()
def gh(world: World) -> Iterator[RunningEmulator]:
    """The emulator on a local port; every request and response must have matched GitHub's schema."""
    with run_emulator(world) as running:
        yield running
        assert running.validation_errors == [], running.validation_errors
