from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TRIALS = SAMPLES / "trials"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def trials_dir() -> Path:
    return TRIALS
