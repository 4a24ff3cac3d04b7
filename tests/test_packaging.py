"""The built wheel carries every non-Python file the app reads at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_the_wheel_ships_migrations_and_prompt_templates(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    if uv is None:
        pytest.skip("uv is not installed in this environment")
    subprocess.run(
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("huntaze_ai-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_sources = {
        str(p.relative_to(ROOT / "src"))
        for pattern in (
            "llm/prompts/*.j2",
            "compliance/rules/*.toml",
            "migrations/versions/*.py",
            "migrations/*.mako",
            "web/templates/*.html",
            "web/static/*",
        )
        for p in (ROOT / "src" / "huntaze_ai").glob(pattern)
    }
    assert shipped_sources
    assert shipped_sources <= names
