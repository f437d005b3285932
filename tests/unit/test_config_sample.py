"""etc/zaqar.conf.sample must be what the option definitions generate."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_sample_is_current(tmp_path):
    out = tmp_path / "zaqar.conf.sample"
    subprocess.run(
        [sys.executable, "-m", "oslo_config.generator", "--config-file",
         str(ROOT / "etc/oslo-config-generator/zaqar.conf"),
         "--output-file", str(out)],
        check=True, cwd=ROOT)
    expected = (ROOT / "etc/zaqar.conf.sample").read_text()
    assert out.read_text() == expected, (
        "etc/zaqar.conf.sample is stale: run 'tox -e genconfig'")
