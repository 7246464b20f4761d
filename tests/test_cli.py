"""The command-line tools: in this process (tests/_cli.py), and as real subprocesses for the installed
scripts themselves and for what needs a process of its own (an interrupt)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from _cli import Result, run_cli
from conftest import script


def run(program: str, *args: str, cwd: Path | None = None, check: bool = True) -> Result:
    """``program`` (a console script's name) run in this process."""
    result = run_cli(program, *args, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"{result.args} exited {result.returncode}: {result.stderr}")
    return result


def open_png(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode == "L"
        return np.asarray(image)


def test_the_installed_script_writes_a_sequence_png_in_the_current_directory(tmp_path):
    """A real process of the installed console script (the other tests call its entry point in-process)."""
    result = subprocess.run(
        [
            script("generate-numbers-sequence"),
            "350",
            "--min-spacing",
            "2",
            "--max-spacing",
            "5",
            "--image-width",
            "120",
            "--seed",
            "9",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    path = tmp_path / "sequence-350-seed9.png"
    assert result.stdout.strip() == "sequence-350-seed9.png"
    pixels = open_png(path)
    assert pixels.shape == (28, 120) and pixels.dtype == np.uint8
    assert pixels.max() == 255 and pixels.min() < 64
    assert (pixels[:, :3] == 255).all() and (pixels[:, -3:] == 255).all()


def test_spaced_digits_seed_alias_and_explicit_png_path_give_the_same_bytes(tmp_path):
    run("generate-numbers-sequence", "350", "--seed", "4", "--output-path", str(tmp_path / "a.png"))
    run(
        "number-generator",
        "generate-numbers-sequence",
        "3",
        "5",
        "0",
        "--random-seed",
        "4",
        "--output-path",
        str(tmp_path / "b.png"),
    )
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_pixels_match_the_library(tmp_path):
    from number_generator import generate_numbers_sequence

    run("generate-numbers-sequence", "0123456789", "--seed", "2", "--output-path", str(tmp_path / "x.png"))
    expected = np.rint(generate_numbers_sequence("0123456789", (0, 4), 300, seed=2) * 255).astype(np.uint8)
    np.testing.assert_array_equal(open_png(tmp_path / "x.png"), expected)


def test_existing_files_are_not_overwritten(tmp_path):
    target = tmp_path / "x.png"
    target.write_bytes(b"keep me")
    result = run("generate-numbers-sequence", "12", "--output-path", str(target), check=False)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"generate-numbers-sequence: error: {target} exists; pass overwrite=True (CLI: --overwrite) to replace it"
    )
    assert target.read_bytes() == b"keep me"
    run("generate-numbers-sequence", "12", "--output-path", str(target), "--overwrite")
    assert open_png(target).shape == (28, 300)


@pytest.mark.parametrize(
    "args, message",
    [
        (["3a0"], "digits must be 0-9, got 'a' in '3a0'"),
        ([], "Missing argument 'sequence'"),
        (["12", "--min-spacing", "5", "--max-spacing", "1"], "minimum spacing 5 is greater than maximum spacing 1"),
        (["12", "--image-width", "abc"], "'--image-width'"),
        (["12", "--image-width", "0"], "image_width must be >= 1, got 0"),
        (["12", "--split", "dev"], "unknown split 'dev'"),
        (["12", "--bogus"], "No such option: --bogus"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, message):
    result = run("generate-numbers-sequence", *args, cwd=tmp_path, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def read_labels(folder: Path) -> list[list[str]]:
    with open(folder / "labels.csv", newline="") as fh:
        return list(csv.reader(fh))


def test_phone_numbers_are_identical_for_any_worker_count(tmp_path):
    for workers in ("1", "2"):
        run(
            "generate-phone-numbers",
            "--num-images",
            "600",
            "--seed",
            "13",
            "--workers",
            workers,
            "--image-width",
            "260",
            "--output-path",
            str(tmp_path / workers),
        )
    one, two = tmp_path / "1", tmp_path / "2"
    names = sorted(p.name for p in one.iterdir() if p.is_file())
    assert names == sorted(p.name for p in two.iterdir() if p.is_file())
    # 600 images, labels.csv, and since the dataset machinery (issue 6) its manifest and HF metadata
    assert len(names) == 603 and {"labels.csv", "manifest.json", "metadata.jsonl"} < set(names)
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    check = run("number-generator", "dataset", "verify", str(two))
    assert check.stdout.startswith("ok: 3 shards, 600 samples")
    rows = read_labels(one)
    assert rows[0] == ["file_name", "number"]
    numbers = [number for _, number in rows[1:]]
    assert len(set(numbers)) == 600
    assert rows[1][0] == "phone-000000.png"
    for file_name, _ in rows[1:]:
        assert open_png(one / file_name).shape == (28, 260)


def test_phone_labels_match_the_library(tmp_path):
    from number_generator import PhoneNumberBatch

    run(
        "number-generator",
        "generate-phone-numbers",
        "--num-images",
        "5",
        "--seed",
        "3",
        "--separator",
        "",
        "--output-path",
        str(tmp_path),
    )
    batch = PhoneNumberBatch(5, (0, 4), 300, seed=3, separator="")
    assert [row[1] for row in read_labels(tmp_path)[1:]] == [batch.number(i) for i in range(5)]


def test_phone_numbers_refuse_to_overwrite_and_bad_counts(tmp_path):
    run("generate-phone-numbers", "--num-images", "3", "--seed", "1", "--output-path", str(tmp_path))
    again = run("generate-phone-numbers", "--num-images", "3", "--output-path", str(tmp_path), check=False)
    assert again.returncode == 2 and "exists (and 3 more); use --overwrite" in again.stderr
    too_many = run(
        "generate-phone-numbers",
        "--num-images",
        "2000000",
        "--format",
        "toll-free",
        "--output-path",
        str(tmp_path / "x"),
        check=False,
    )
    assert too_many.returncode == 2
    assert too_many.stderr.strip().endswith(
        "format 'toll-free' holds only 900000; ask for fewer or leave that format out"
    )
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_an_interrupted_run_keeps_finished_files_and_lists_only_them(tmp_path):
    out = tmp_path / "out"
    # stderr goes to a file, not a pipe: an unread pipe fills up with progress-bar updates and
    # would block the command (then the interruption tests the pipe, not the command).
    with open(tmp_path / "stderr.txt", "w+") as err:
        process = subprocess.Popen(
            [
                script("generate-phone-numbers"),
                "--num-images",
                "200000",
                "--workers",
                "2",
                "--seed",
                "5",
                "--output-path",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
            # As in a terminal: a runner started in the background (CI) ignores SIGINT, and a
            # child would inherit that and never see the Ctrl-C this test sends.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if out.exists() and sum(1 for _ in out.glob("phone-*.png")) > 300:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the export ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        err.seek(0)
        stderr = err.read()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    pngs = sorted(p.name for p in out.glob("phone-*.png"))
    assert 300 < len(pngs) < 200_000
    listed = [row[0] for row in read_labels(out)[1:]]
    assert listed == pngs
    assert not [p for p in os.listdir(out) if p.startswith(".tmp") or p.endswith(".tmp")]  # no temporary left
    for name in pngs[-50:]:
        assert open_png(out / name).shape == (28, 300)


def test_datasets_verify_and_demo(tmp_path):
    verify = run("number-generator", "datasets", "verify")
    assert verify.stdout.count(" ok") == 6  # 4 MNIST files, 2 QMNIST label files
    run("number-generator", "demo", str(tmp_path / "samples"))
    assert open_png(tmp_path / "samples" / "sequence-0123456789.png").shape == (28, 300)
    assert len(read_labels(tmp_path / "samples" / "phone-numbers")) == 13
    with Image.open(tmp_path / "samples" / "phone-numbers-page.png") as page:
        assert page.width > 600 and page.height > 300


@pytest.mark.parametrize(
    "command",
    [
        ["generate-numbers-sequence"],
        ["generate-phone-numbers"],
        ["generate-text"],
        ["preview"],
    ],
)
def test_augment_help_names_every_preset(command):
    """A preset missing from --help is one a user cannot find (``realistic`` was missing)."""
    from number_generator.augment import PRESET_NAMES

    result = run_cli("number-generator", *command, "--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    augment_help = help_text[help_text.index("--augment PRESET|FILE") :]
    for name in PRESET_NAMES:
        assert name in augment_help[:220], (command, name, augment_help[:220])


def test_rest_augment_fields_name_every_preset():
    from fastapi.testclient import TestClient

    from number_generator.api import Settings, create_app
    from number_generator.augment import PRESET_NAMES

    schema = TestClient(create_app(Settings())).get("/openapi.json").json()
    descriptions = [
        p.get("description", "")
        for path in schema["paths"].values()
        for op in path.values()
        for p in op.get("parameters", [])
        if p["name"] == "augment"
    ] + [schema["components"]["schemas"]["BatchRequest"]["properties"]["augment"]["description"]]
    assert len(descriptions) >= 3
    for text in descriptions:
        assert all(name in text for name in PRESET_NAMES), text
