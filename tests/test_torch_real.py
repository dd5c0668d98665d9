"""The PyTorch dialect against real PyTorch 2.13 (the `test` extra installs the CPU build):
for every PyTorch oracle case, the code `rnndiagrams code` writes builds and runs, with the
oracle's totals and `named_parameters()`, and verify's numpy equations give PyTorch's numbers."""

import subprocess
import sys

from conftest import ROOT


def test_generated_modules_and_numpy_equations_match_real_pytorch():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "torch_crosscheck.py")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "40 cases: generated code builds and runs" in proc.stdout
