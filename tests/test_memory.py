"""The CLI keeps freed heap memory for reuse (glibc), unless the user set glibc's own knobs."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from detente.cli._memory import keep_freed_memory

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_thresholds_are_raised_and_page_faults_fall() -> None:
    # a child process (the thresholds are per process): 200 rounds of freeing and allocating
    # 2 MB arrays fault their pages in afresh each time, unless the freed memory is kept
    script = """
import resource, sys
import numpy as np
from detente.cli._memory import keep_freed_memory
done = keep_freed_memory() if sys.argv[1] == "keep" else False
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(200):
    a = np.ones(250_000); b = a * 2.0; del a, b
print(done, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

    def faults(how: str) -> tuple[str, int]:
        out = subprocess.run(
            [sys.executable, "-c", script, how], capture_output=True, text=True, check=True
        ).stdout.split()
        return out[0], int(out[1])

    kept, few = faults("keep")
    plain, many = faults("plain")
    assert (kept, plain) == ("True", "False")
    assert few * 10 < many  # measured: about 1,000 against 190,000


def test_a_users_own_setting_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert keep_freed_memory() is False
