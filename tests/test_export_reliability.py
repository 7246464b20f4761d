"""Issue 15 items 1-4: no silent data loss in exports.

One run per output (a lock naming its holder, stale locks recovered), per-run temporary names, resume that
re-checks finished shards, a manifest validated before use, and writers that clean up on a full disk.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import xxhash

import number_generator.io.atomic as atomic
from _cli import gated_command, run_cli, wait_for
from conftest import script
from number_generator.cli import main
from number_generator.export.files import export_phone_numbers
from number_generator.export.lock import LOCK_NAME, OutputLockedError
from number_generator.export.manifest import ManifestError
from number_generator.export.shards import export_dataset, verify_export
from number_generator.export.storage import Digests, LocalStorage, bytes_digests, file_digests
from number_generator.io.png import write_png

SPEC = {"seed": 4, "width": [100, 180], "draw": [{"kind": "phone"}, {"kind": "digits", "length": [2, 7]}]}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def temporaries(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob(".tmp-*")]


# --------------------------------------------------------------------------- 15.1 one run per output

HOLD_LOCK = """
import sys, time
from number_generator.export.lock import folder_lock
with folder_lock(sys.argv[1], "holder0run01"):
    print("locked", flush=True)
    time.sleep(120)
"""


def hold_lock(folder: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_run_is_refused_naming_the_holder_and_a_dead_holders_lock_is_recovered(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = hold_lock(out)
    try:
        with pytest.raises(OutputLockedError, match=f"pid {holder.pid} on host .*run holder0run01"):
            export_dataset(SPEC, out, count=10, format="npz", shard_size=5)
        (tmp_path / "spec.json").write_text(json.dumps(SPEC))
        refused = run_cli(
            "number-generator",
            "export",
            "--spec",
            str(tmp_path / "spec.json"),
            "--count",
            "10",
            "--out",
            str(out),
            "--format",
            "npz",
        )
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
        assert f"is being written by another export (pid {holder.pid} on host" in refused.stderr
        assert sorted(os.listdir(out)) == [LOCK_NAME]  # the refused runs wrote nothing
    finally:
        holder.send_signal(signal.SIGKILL)  # dies holding the lock: its lock file stays behind
        holder.wait()
    assert (out / LOCK_NAME).exists() and str(holder.pid) in (out / LOCK_NAME).read_text()
    result = export_dataset(SPEC, out, count=10, format="npz", shard_size=5)
    assert (result.written, result.skipped) == (2, 0)
    assert sorted(os.listdir(out)) == ["manifest.json", "shard-00000.npz", "shard-00001.npz"]  # lock file removed
    assert verify_export(out).ok


def test_two_cli_runs_started_together_one_refused_and_the_other_complete(tmp_path):
    """Two real processes: the first is held inside its second shard while the second starts, then let go."""
    (tmp_path / "spec.json").write_text(json.dumps({**SPEC, "augment": "light"}))
    out, gate = tmp_path / "out", tmp_path / "gate"
    args = ["export", "--spec", str(tmp_path / "spec.json"), "--count", "400", "--shard-size", "100"]
    args += ["--out", str(out), "--format", "png"]
    first = subprocess.Popen(gated_command(gate, 100, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: any(gate.glob("parked-*")), "the first run to hold its lock mid-export")
        second = subprocess.run([script("number-generator"), *args], capture_output=True, text=True, timeout=120)
    finally:
        (gate / "go").touch()
    first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0 and first_out.startswith("wrote 4 of 4 shards"), first_err
    assert second.returncode == 2 and f"(pid {first.pid} on host" in second.stderr
    report = verify_export(out)
    assert report.ok, report.problems
    assert sum(1 for _ in out.rglob("*.png")) == 400 and not temporaries(out)


def test_cleanup_removes_only_leftovers_of_runs_that_are_over(tmp_path):
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=10, format="npz", shard_size=5)
    other_run = out / ".tmp-0123456789ab-shard-00001.npz"
    other_run.write_bytes(b"a live unlocked run's partial shard")
    export_dataset(SPEC, out, count=10, format="npz", shard_size=5, lock=False)  # cannot know the other is dead
    assert other_run.exists()
    export_dataset(SPEC, out, count=10, format="npz", shard_size=5)  # holds the lock: no other run is live
    assert not other_run.exists()


def test_object_store_urls_are_refused_unless_lock_is_waived(tmp_path):
    pytest.importorskip("fsspec")
    with pytest.raises(ValueError, match=r"memory://ng-test-out cannot be locked.*--no-lock"):
        export_dataset(SPEC, "memory://ng-test-out", count=6, format="webdataset", shard_size=3)
    result = export_dataset(SPEC, "memory://ng-test-out", count=6, format="webdataset", shard_size=3, lock=False)
    assert result.written == 2 and verify_export("memory://ng-test-out").ok


# --------------------------------------------------------------------------- 15.2 resume re-checks shards


def damage(path: Path, how: str) -> None:
    if how == "flip":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x20
        path.write_bytes(bytes(data))
    elif how == "truncate":
        path.write_bytes(path.read_bytes()[:-7])
    elif how == "delete":
        path.unlink()


@pytest.mark.parametrize(
    ("fmt", "victim", "how"),
    [
        ("npz", "shard-00001.npz", "flip"),
        ("webdataset", "shard-00002.tar", "truncate"),
        ("png", "shard-00001/00000012.png", "flip"),
        ("png", "shard-00000/00000003.png", "delete"),
        ("png", "shard-00002/extra.txt", "add"),
    ],
)
def test_resume_redoes_a_damaged_shard(tmp_path, fmt, victim, how):
    export_dataset(SPEC, tmp_path / "fresh", count=25, format=fmt, shard_size=10)
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=25, format=fmt, shard_size=10)
    if how == "add":
        (out / victim).write_text("not ours")
    else:
        damage(out / victim, how)
    problems = verify_export(out).problems
    assert problems and all(victim.split("/")[0] in p for p in problems)
    if how == "delete":
        assert problems == [f"{victim} is missing"]
    again = export_dataset(SPEC, out, count=25, format=fmt, shard_size=10)
    assert (again.written, again.skipped, again.redone) == (1, 2, 1)
    assert tree(out) == tree(tmp_path / "fresh")
    assert verify_export(out).ok


def test_a_flat_phone_export_missing_one_png_is_named_by_verify_and_restored(tmp_path):
    export_phone_numbers(30, (0, 4), 200, tmp_path / "fresh", seed=3, chunk_size=10)
    out = tmp_path / "out"
    export_phone_numbers(30, (0, 4), 200, out, seed=3, chunk_size=10)
    (out / "phone-000017.png").unlink()
    assert verify_export(out).problems == ["phone-000017.png is missing (shard .index/shard-00001.jsonl)"]
    cli = run_cli("number-generator", "export", "verify", str(out))
    assert cli.returncode == 1 and "phone-000017.png is missing" in cli.stderr
    result = export_phone_numbers(30, (0, 4), 200, out, seed=3, chunk_size=10)
    assert (result.written, result.skipped, result.redone) == (1, 2, 1)
    assert tree(out) == tree(tmp_path / "fresh")


def edit_entries(out: Path, **fields) -> None:
    """Set ``fields`` in every shard entry of ``out``'s manifest (``None``: remove the field)."""
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["shards"]:
        for key, value in fields.items():
            if value is None:
                del entry[key]
            else:
                entry[key] = value
    (out / "manifest.json").write_text(json.dumps(manifest))


def shard_entries(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text())["shards"]


def without_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != "manifest.json"}


@pytest.mark.parametrize(
    ("fmt", "victim", "how"),
    [
        ("npz", "shard-00001.npz", "flip"),
        ("npz", "shard-00001.npz", "truncate"),
        ("webdataset", "shard-00001.tar", "flip"),
        ("png", "shard-00001/00000012.png", "flip"),
        ("png", "shard-00001/extra.txt", "add"),
    ],
)
def test_resume_finds_damage_by_the_fast_digest_alone_and_redoes_the_shard_byte_identically(tmp_path, fmt, victim, how):
    export_dataset(SPEC, tmp_path / "fresh", count=25, format=fmt, shard_size=10)
    fresh = shard_entries(tmp_path / "fresh")
    assert all(re.fullmatch("[0-9a-f]{32}", entry["xxh3_128"]) for entry in fresh)
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=25, format=fmt, shard_size=10)
    # a wrong (well-formed) SHA-256 everywhere: a resume that consulted it would redo every shard
    edit_entries(out, sha256="0" * 64)
    if how == "add":
        (out / victim).write_text("not ours")
    else:
        damage(out / victim, how)
    again = export_dataset(SPEC, out, count=25, format=fmt, shard_size=10)
    assert (again.written, again.skipped, again.redone) == (1, 2, 1)
    assert without_manifest(tree(out)) == without_manifest(tree(tmp_path / "fresh"))
    assert shard_entries(out)[1] == fresh[1]  # the redone shard's entry: its true SHA-256 and XXH3-128
    assert [entry["sha256"] for entry in shard_entries(out)] == ["0" * 64, fresh[1]["sha256"], "0" * 64]


@pytest.mark.parametrize("fmt", ["npz", "png"])
def test_a_manifest_without_fast_digests_resumes_through_sha256(tmp_path, fmt):
    # a manifest written before XXH3-128 was recorded: its shards are checked by size and SHA-256
    export_dataset(SPEC, tmp_path / "fresh", count=25, format=fmt, shard_size=10)
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=25, format=fmt, shard_size=10)
    edit_entries(out, xxh3_128=None)
    damage(out / ("shard-00001.npz" if fmt == "npz" else "shard-00001/00000012.png"), "flip")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["shards"][2]["sha256"] = "0" * 64  # intact bytes, wrong SHA-256: redone, as only SHA-256 is known
    (out / "manifest.json").write_text(json.dumps(manifest))
    again = export_dataset(SPEC, out, count=25, format=fmt, shard_size=10)
    assert (again.written, again.skipped, again.redone) == (2, 1, 2)
    assert without_manifest(tree(out)) == without_manifest(tree(tmp_path / "fresh"))
    entries, fresh = shard_entries(out), shard_entries(tmp_path / "fresh")
    assert "xxh3_128" not in entries[0] and entries[1:] == fresh[1:]  # redone shards get their fast digest
    assert export_dataset(SPEC, out, count=25, format=fmt, shard_size=10).skipped == 3  # a mixed manifest resumes
    assert verify_export(out).ok


def test_verify_checks_sha256_where_a_resume_trusts_the_fast_digest(tmp_path):
    # the tradeoff: a change made on purpose, with the manifest's XXH3-128 rewritten to match, passes a resume
    # (which looks for accidental damage) but not ``export verify`` (SHA-256)
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=25, format="npz", shard_size=10)
    victim = out / "shard-00001.npz"
    damage(victim, "flip")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["shards"][1]["xxh3_128"] = xxhash.xxh3_128_hexdigest(victim.read_bytes())
    manifest["shards"][2]["xxh3_128"] = "f" * 32  # a wrong fast digest on an intact shard
    (out / "manifest.json").write_text(json.dumps(manifest))
    problems = verify_export(out).problems
    assert len(problems) == 2
    assert problems[0].startswith("shard-00001.npz checksum mismatch (recorded ")
    assert problems[1].startswith("shard-00002.npz XXH3-128 checksum mismatch (recorded ffffffffffff…, found ")
    cli = run_cli("number-generator", "export", "verify", str(out))
    assert cli.returncode == 1 and "shard-00001.npz checksum mismatch" in cli.stderr
    again = export_dataset(SPEC, out, count=25, format="npz", shard_size=10)
    assert (again.skipped, again.redone) == (2, 1)  # shard 1 kept as it is; shard 2 redone, harmlessly
    assert verify_export(out).problems == problems[:1]


# --------------------------------------------------------------------------- 15.3 manifest validated


def rewrite_manifest(out: Path, **changes) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    for key, value in changes.items():
        if key.startswith("shard0_"):
            manifest["shards"][0][key[len("shard0_") :]] = value
        else:
            manifest[key] = value
    (out / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": 10**12, "shard_size": 1}, "count must be <= 10000000, got 1000000000000"),
        ({"shard0_name": "../../../../etc/passwd"}, "shards[0].name must be 'shard-00000.npz' for shard 0"),
        ({"shard0_shard": "0"}, "shards[0].shard must be an integer, got '0'"),
        ({"shard0_shard": 7}, "shards[0].shard must be <= 1, got 7"),
        ({"shard0_bytes": -1}, "shards[0].bytes must be >= 0, got -1"),
        ({"shard0_sha256": None}, "shards[0].sha256 must be a str, got None"),
        ({"shard0_xxh3_128": "abc"}, "shards[0].xxh3_128 is not an XXH3-128 digest (32 hex digits): 'abc'"),
        ({"shard0_xxh3_128": None}, "shards[0].xxh3_128 must be a str, got None"),
        ({"layout": "flat:../x"}, "bad flat layout prefix '../x'"),
        ({"format": "tiff"}, "unknown format 'tiff'"),
        ({"shards": {"0": {}}}, "shards must be a list"),
    ],
)
def test_a_damaged_manifest_is_refused_before_use_with_exit_2(tmp_path, changes, message):
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=8, format="npz", shard_size=5)
    rewrite_manifest(out, **changes)
    tracemalloc.start()
    try:
        with pytest.raises(ManifestError, match="manifest.json is damaged: ") as caught:
            verify_export(out)
        assert tracemalloc.get_traced_memory()[1] < 5_000_000  # peak bytes: nothing sized by the manifest
    finally:
        tracemalloc.stop()
    assert message in str(caught.value)
    for command in (["export", "verify", str(out)], ["export", "--spec", str(tmp_path / "s.json"), "--out", str(out)]):
        (tmp_path / "s.json").write_text(json.dumps({**SPEC, "length": 8}))
        done = run_cli("number-generator", *command)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert message in done.stderr
    with pytest.raises(ManifestError, match="re-run with --overwrite"):
        export_dataset(SPEC, out, count=8, format="npz", shard_size=5)
    assert export_dataset(SPEC, out, count=8, format="npz", shard_size=5, overwrite=True).written == 2
    assert verify_export(out).ok


def test_a_huge_valid_manifest_is_verified_without_allocating_per_shard(tmp_path):
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=8, format="npz", shard_size=8)
    rewrite_manifest(out, count=10_000_000, shard_size=1, shards_total=10_000_000, shards=[], complete=False)
    tracemalloc.start()
    try:
        problems = verify_export(out).problems
        assert tracemalloc.get_traced_memory()[1] < 5_000_000
    finally:
        tracemalloc.stop()
    assert "10000000 of 10000000 shards not finished (first: shard-0000000.npz)" in problems


def test_verify_needs_no_glyph_data(tmp_path, monkeypatch):
    out = tmp_path / "out"
    export_dataset(SPEC, out, count=12, format="png", shard_size=5)

    def no_glyphs(*args, **kwargs):
        raise AssertionError("verify touched glyph data")

    import number_generator.data.dataset as dataset_module
    import number_generator.glyphsets as glyphsets

    monkeypatch.setattr(glyphsets, "get_dataset", no_glyphs)
    monkeypatch.setattr(dataset_module, "get_glyph_set", no_glyphs)
    assert verify_export(out).ok


# --------------------------------------------------------------------------- 15.4 full disk


class FullDisk:
    """The disk of the test: ``room`` bytes left in all; a write past it raises ENOSPC (after a partial write)."""

    def __init__(self, room: int, create=atomic.create_file):
        self.room, self.create, self.files = room, create, []

    def __call__(self, path, *, dir_fd=None):
        self.files.append(str(path))
        return _LimitedFile(self.create(path, dir_fd=dir_fd), self)


class _LimitedFile:
    def __init__(self, fh, disk: FullDisk):
        self.fh, self.disk = fh, disk

    def write(self, data) -> int:
        data = memoryview(data).cast("B")
        if len(data) > self.disk.room:
            self.fh.write(data[: self.disk.room])
            self.disk.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.disk.room -= len(data)
        return self.fh.write(data)

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()


@pytest.mark.parametrize(
    ("fmt", "room", "final"),
    [("npz", 20_000, "shard-00000.npz"), ("webdataset", 9_000, "shard-00000.tar"), ("png", 9_000, "shard-00000")],
)
def test_a_full_disk_leaves_no_temporary_file_and_names_the_path(tmp_path, monkeypatch, fmt, room, final):
    out = tmp_path / "out"
    disk = FullDisk(room)
    monkeypatch.setattr(atomic, "create_file", disk)
    with pytest.raises(OSError) as caught:
        export_dataset(SPEC, out, count=60, format=fmt, shard_size=30)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(out / final)
    assert any(".tmp-" in name for name in disk.files)  # it did write through a temporary name
    assert not temporaries(out) and not (out / final).exists()
    assert sorted(os.listdir(out)) == ["manifest.json"]  # and no lock file left either


def test_full_disk_on_the_cli_names_the_users_path_and_the_flat_layout_cleans_up(tmp_path, monkeypatch, capsys):
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    monkeypatch.setattr(atomic, "create_file", FullDisk(5_000))
    with pytest.raises(SystemExit) as exit_code:
        main(["export", "--spec", str(tmp_path / "spec.json"), "--count", "40", "--out", str(tmp_path / "o")])
    assert exit_code.value.code == 73  # the one exit status for "cannot write the output" (README)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot write {tmp_path / 'o' / 'shard-00000'}: No space left on device" in err
    monkeypatch.setattr(atomic, "create_file", FullDisk(5_000))
    with pytest.raises(OSError, match="No space left on device"):
        export_phone_numbers(40, (0, 4), 200, tmp_path / "phones", seed=1, chunk_size=20)
    assert not temporaries(tmp_path / "phones")
    monkeypatch.setattr(atomic, "create_file", FullDisk(100))
    with pytest.raises(OSError, match=re.escape(f"cannot write {tmp_path / 'one.png'}: No space left on device")):
        write_png(tmp_path / "one.png", np.random.default_rng(0).random((28, 60), dtype=np.float32))
    assert sorted(os.listdir(tmp_path)) == ["o", "phones", "spec.json"]


@pytest.mark.parametrize("size", [0, 1, 3 * 2**20 + 5])
def test_shard_digests_are_those_of_the_bytes_however_the_file_is_read(tmp_path, size):
    # local files are hashed through a memory map, other file objects in chunks; a file still being
    # written is flushed first: every way gives hashlib's SHA-256, xxhash's XXH3-128 and the size in bytes
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    expected = Digests(size, hashlib.sha256(data).hexdigest(), xxhash.xxh3_128_hexdigest(data))
    fast = Digests(size, None, expected.xxh3_128)
    path = tmp_path / "shard.bin"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        assert file_digests(fh) == expected
        assert file_digests(fh, sha256=False) == fast
    assert LocalStorage(tmp_path).digest("shard.bin") == expected
    assert LocalStorage(tmp_path).digest("shard.bin", sha256=False) == fast
    assert file_digests(io.BytesIO(data)) == expected == bytes_digests(data)
    assert file_digests(io.BytesIO(data), sha256=False) == fast
    with open(tmp_path / "written.bin", "w+b") as fh:
        fh.write(data)  # still in the write buffer
        assert file_digests(fh) == expected
