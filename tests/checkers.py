"""Where the page's accessibility and HTML checkers are: axe-core's axe.min.js and the Nu HTML
checker's vnu.jar, from npm (.ci/run installs them into .checkers/ with `npm install --prefix
.checkers`; PAGE_CHECKERS names another node_modules). Missing, they fail the tests that need
them: nothing skips.

Not a test module: tests/test_page_checkers.py uses it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

NODE_MODULES = Path(os.environ.get("PAGE_CHECKERS", Path(__file__).resolve().parent.parent / ".checkers" / "node_modules"))
INSTALL = "npm install --no-audit --no-fund --prefix .checkers axe-core vnu-jar (and Debian's default-jre-headless)"


def axe_script() -> str:
    path = NODE_MODULES / "axe-core" / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"axe-core is not installed at {path}: {INSTALL}")
    return path.read_text("utf-8")


def vnu_command() -> list[str]:
    jar = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if not jar.is_file() or not java:
        pytest.fail(f"the Nu HTML checker needs {jar} and java: {INSTALL}")
    return [java, "-jar", str(jar)]
