"""The Dask engine on a real LocalCluster (2 worker processes on 127.0.0.1): same bytes as the local engine."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

if importlib.util.find_spec("distributed") is None:  # the 'dask' extra; the dev group installs it
    pytest.skip("could not import 'distributed'", allow_module_level=True)

from _cli import run_cli
from number_generator.export.shards import export_dataset, verify_export

SPEC = {"seed": 3, "width": 200, "draw": [{"kind": "phone"}, {"kind": "words", "words": ["2026", "0-1"]}]}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def distributed() -> ModuleType:
    """Dask's distributed, imported when a test here runs, not when pytest collects this file (~0.5 s of CPU)."""
    import distributed

    return distributed


@pytest.fixture(scope="module")
def cluster(distributed):
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as c:
        yield c


@pytest.mark.parametrize("fmt", ["png", "webdataset"])
def test_dask_engine_writes_the_same_bytes_as_the_local_engine(tmp_path, distributed, cluster, fmt):
    local = tmp_path / "local"
    export_dataset(SPEC, local, count=300, format=fmt, shard_size=70, workers=1)
    # Output through fsspec (a file:// URL here; s3:// etc. where installed).
    url = f"file://{tmp_path / 'dask'}"
    result = export_dataset(
        SPEC, url, count=300, format=fmt, shard_size=70, engine="dask", scheduler=cluster.scheduler_address
    )
    assert (result.shards, result.written) == (5, 5)
    assert tree(tmp_path / "dask") == tree(local)
    assert verify_export(url).ok
    with distributed.Client(cluster.scheduler_address) as client:
        assert len(client.scheduler_info()["workers"]) == 2


def test_dask_engine_from_the_cli_resumes_what_the_local_engine_started(tmp_path, cluster):
    (tmp_path / "spec.json").write_text('{"seed": 3, "draw": {"kind": "digits"}}')
    local = tmp_path / "local"
    export_dataset(tmp_path / "spec.json", local, count=200, format="npz", shard_size=50)
    part = tmp_path / "part"
    export_dataset(tmp_path / "spec.json", part, count=200, format="npz", shard_size=50)
    (part / "shard-00001.npz").unlink()
    (part / "shard-00003.npz").unlink()
    done = run_cli(  # the CLI's own code in this process: the cluster's processes are the real ones that matter
        "number-generator",
        "dataset",
        "--spec",
        str(tmp_path / "spec.json"),
        "--count",
        "200",
        "--format",
        "npz",
        "--shard-size",
        "50",
        "--out",
        str(part),
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler_address,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 2 of 4 shards (2 already done)" in done.stdout
    assert tree(part) == tree(local)
