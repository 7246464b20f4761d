"""Sharded exports: formats, manifest, resume after SIGKILL, verify, refusal of another spec."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from _cli import gated_command, run_cli, wait_for
from conftest import script
from number_generator.data.dataset import SyntheticDataset
from number_generator.export.shards import export_dataset, verify_export

SPEC = {"seed": 8, "width": [120, 260], "draw": [{"kind": "phone", "weight": 3}, {"kind": "digits", "length": [1, 6]}]}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def open_png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        assert im.mode == "L"
        return np.asarray(im)


@pytest.mark.parametrize("fmt", ["png", "npz", "webdataset"])
def test_exports_are_identical_for_any_worker_count_and_hold_the_samples(tmp_path, fmt):
    one = export_dataset(SPEC, tmp_path / "1", count=250, format=fmt, shard_size=60, workers=1)
    export_dataset(SPEC, tmp_path / "2", count=250, format=fmt, shard_size=60, workers=2)
    assert (one.shards, one.written, one.skipped) == (5, 5, 0)
    a, b = tree(tmp_path / "1"), tree(tmp_path / "2")
    assert a == b
    assert verify_export(tmp_path / "1").ok
    manifest = json.loads(a["manifest.json"])
    assert manifest["complete"] and manifest["count"] == 250 and manifest["format"] == fmt
    assert manifest["spec"]["draw"][1] == {"kind": "digits", "length": [1, 6], "weight": 1}
    assert [s["start"] for s in manifest["shards"]] == [0, 60, 120, 180, 240]
    ds = SyntheticDataset(SPEC, length=250)
    expected = {i: ds[i] for i in (0, 59, 60, 131, 249)}
    expected_u8 = {i: np.rint(s.image * 255).astype(np.uint8) for i, s in expected.items()}
    if fmt == "png":
        rows = list(csv.reader(io.StringIO(a["labels.csv"].decode())))
        assert rows[0] == ["file_name", "text"] and len(rows) == 251
        meta = [json.loads(line) for line in a["metadata.jsonl"].decode().splitlines()]
        assert len(meta) == 250
        for i, sample in expected.items():
            record = meta[i]
            assert record["file_name"] == f"shard-{i // 60:05d}/{i:08d}.png" == rows[i + 1][0]
            assert record["text"] == sample.text == rows[i + 1][1]
            assert record["boxes"] == sample.boxes.tolist()
            np.testing.assert_array_equal(open_png(a[record["file_name"]]), expected_u8[i])
        assert sum(name.endswith(".png") for name in a) == 250
    elif fmt == "npz":
        with np.load(tmp_path / "1" / "shard-00002.npz") as z:
            assert z["images"].dtype == np.uint8 and z["images"].shape == (60, 28, 260)
            assert list(z["indices"]) == list(range(120, 180))
            j = 131 - 120
            w = int(z["widths"][j])
            np.testing.assert_array_equal(z["images"][j, :, :w], expected_u8[131])
            assert np.all(z["images"][j, :, w:] == 255)
            assert str(z["labels"][j]) == expected[131].text
            lo, hi = z["box_offsets"][j], z["box_offsets"][j + 1]
            np.testing.assert_array_equal(z["boxes"][lo:hi], expected[131].boxes)
    else:
        with tarfile.open(tmp_path / "1" / "shard-00001.tar") as tar:
            names = tar.getnames()
            assert names[:4] == ["00000060.png", "00000060.json", "00000061.png", "00000061.json"]
            assert len(names) == 120 and all(m.mtime == 0 for m in tar.getmembers())
            meta = json.loads(tar.extractfile("00000060.json").read())
            assert meta == {"text": expected[60].text, "boxes": expected[60].boxes.tolist(), "index": 60}
            np.testing.assert_array_equal(open_png(tar.extractfile("00000060.png").read()), expected_u8[60])


def test_a_different_spec_is_refused_and_verify_finds_damage(tmp_path):
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=100, format="npz", shard_size=40)
    again = export_dataset(SPEC, out, count=100, format="npz", shard_size=40)
    assert (again.written, again.skipped) == (0, 3)
    for kwargs, what in [
        ({"count": 101}, "spec hash"),
        ({"count": 100, "format": "png"}, "format"),
        ({"count": 100, "shard_size": 50}, "shard size"),
    ]:
        kwargs.setdefault("format", "npz")
        kwargs.setdefault("shard_size", 40)
        with pytest.raises(ValueError, match=f"different {what}.*refusing to mix"):
            export_dataset(SPEC, out, **kwargs)
    assert verify_export(out).ok
    damaged = bytearray((out / "shard-00001.npz").read_bytes())
    damaged[-100] ^= 1
    (out / "shard-00001.npz").write_bytes(bytes(damaged))
    (out / "shard-00002.npz").unlink()
    problems = verify_export(out).problems
    assert any("shard-00001.npz checksum mismatch" in p for p in problems)
    assert any("shard-00002.npz is missing" in p for p in problems)
    # --overwrite replaces an export of another spec (and only its own files)
    (out / "notes.txt").write_text("mine")
    export_dataset(SPEC, out, count=30, format="webdataset", shard_size=40, overwrite=True)
    assert sorted(os.listdir(out)) == ["manifest.json", "notes.txt", "shard-00000.tar"]
    assert verify_export(out).ok
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty and holds no manifest.json"):
        export_dataset(SPEC, other, count=5)
    assert os.listdir(other) == ["x.txt"]


#: The SIGKILL test's export: 8 shards; its killed run holds from shard 3 on, so it dies with shards 0-2 written
#: and both pool workers inside a shard (the manifest, written at most ~4 times a second, lists 1-3 of them).
KILL_COUNT, KILL_SHARD, KILL_HELD = 600, 75, 3


def export_args(out: Path, *extra: str) -> list[str]:
    return [
        "export",
        "--spec",
        str(out.parent / "spec.json"),
        "--count",
        str(KILL_COUNT),
        "--shard-size",
        str(KILL_SHARD),
        "--out",
        str(out),
        *extra,
    ]


@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_export_killed_with_sigkill_then_resumed_equals_an_uninterrupted_one(tmp_path, fmt):
    (tmp_path / "spec.json").write_text(json.dumps({**SPEC, "augment": "light"}))
    killed, gate = tmp_path / "killed", tmp_path / "gate"
    process = subprocess.Popen(
        gated_command(gate, KILL_HELD * KILL_SHARD, *export_args(killed, "--format", fmt, "--workers", "2")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

    def finished_shards() -> int:
        try:
            return len(json.loads((killed / "manifest.json").read_text())["shards"])
        except (FileNotFoundError, ValueError):
            return 0

    try:  # both workers held inside shards 3 and 4 (so shards 0-2 are written), the first one recorded
        wait_for(lambda: len(list(gate.glob("parked-*"))) == 2 and finished_shards() >= 1, "two held workers")
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers, mid-shard
        process.communicate(timeout=30)
    manifest = json.loads((killed / "manifest.json").read_text())
    assert 1 <= len(manifest["shards"]) <= KILL_HELD and not manifest["complete"]
    assert any(name.startswith(".tmp") for name in os.listdir(killed))  # the held shard's partial output
    assert verify_export(killed).problems  # incomplete, and says so
    resumed = subprocess.run(
        [script("number-generator"), *export_args(killed, "--format", fmt, "--workers", "2")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stdout
    fresh = run_cli("number-generator", *export_args(tmp_path / "fresh", "--format", fmt, "--workers", "1"))
    assert fresh.returncode == 0, fresh.stderr
    a, b = tree(killed), tree(tmp_path / "fresh")
    assert a.keys() == b.keys()
    assert all(a[name] == b[name] for name in a)
    assert not [n for n in os.listdir(killed) if n.startswith(".tmp")]
    check = run_cli("number-generator", "export", "verify", str(killed))
    assert check.returncode == 0 and check.stdout.startswith(f"ok: 8 shards, {KILL_COUNT} samples")


def test_cli_errors_are_one_line(tmp_path):
    (tmp_path / "spec.yaml").write_text("seed: 1\ndraw:\n  - kind: digits\n    length: [9, 2]\n")
    bad = run_cli("number-generator", "dataset", "--spec", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "spec key 'draw[0].length': min 9 is greater than max 2" in bad.stderr
    (tmp_path / "spec.yaml").write_text("seed: 1\n")
    for args, message in [
        (["--format", "tiff"], "unknown export format 'tiff'"),
        (["--engine", "spark"], "unknown engine 'spark'"),
        (["--shard-size", "0"], "shard_size must be >= 1"),
    ]:
        bad = run_cli(
            "number-generator", "dataset", "--spec", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o"), *args
        )
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("number-generator", "dataset", "verify", str(tmp_path))
    assert missing.returncode == 2 and "holds no manifest.json" in missing.stderr


def test_the_export_command_is_named_export_and_dataset_is_a_hidden_alias(tmp_path):
    listing = run_cli("number-generator", "--help").stdout
    commands = [line.split()[0] for line in listing.split("Commands:")[1].splitlines() if line.strip()]
    assert "export" in commands and "datasets" in commands and "dataset" not in commands
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    for name in ("export", "dataset"):
        done = run_cli(
            "number-generator",
            name,
            "--spec",
            str(tmp_path / "spec.json"),
            "--count",
            "6",
            "--format",
            "npz",
            "--out",
            str(tmp_path / name),
        )
        assert done.returncode == 0 and done.stdout.startswith("wrote 1 of 1 shards"), done.stderr
    assert (tmp_path / "export" / "shard-00000.npz").read_bytes() == (
        tmp_path / "dataset" / "shard-00000.npz"
    ).read_bytes()
