"""The core package must import no network library: adapters are swapped behind protocols."""

from __future__ import annotations

import subprocess
import sys

NETWORK_LIBRARIES = ["aiohttp", "openai", "instructor", "chromadb", "httpx", "googleapiclient"]

PROBE = f"""
import importlib, pkgutil, sys
import ottenok
for module in pkgutil.walk_packages(ottenok.__path__, "ottenok."):
    importlib.import_module(module.name)
loaded = sorted(name for name in {NETWORK_LIBRARIES!r} if name in sys.modules)
print(",".join(loaded))
"""


def test_core_imports_no_network_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"ottenok/ pulled in: {result.stdout.strip()}"
