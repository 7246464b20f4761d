"""What a new user, or a user of the original mnist-digit-gen project, meets in the first hour (issue 16).

The command-line tools run in this process (tests/_cli.py), as in test_cli.py; ``python -m number_generator``
and the uvicorn import path as real processes.  REST answers in-process (``TestClient``).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from _cli import Result, run_cli
from number_generator.augment import GLYPH_TRANSFORMS, IMAGE_TRANSFORMS

CANNOT_WRITE = 73  # the one documented exit status for "cannot write the output"


def run(program: str, *args: str, cwd: Path | None = None) -> Result:
    """Console script ``program`` run in this process."""
    return run_cli(program, *args, cwd=cwd)


def one_error_line(result: Result | subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ---- 9: image formats by suffix


@pytest.mark.parametrize(("suffix", "pillow_format"), [(".jpg", "JPEG"), (".jpeg", "JPEG"), (".webp", "WEBP")])
def test_jpeg_and_webp_outputs_are_written_in_that_format(tmp_path, suffix, pillow_format):
    from number_generator import generate_numbers_sequence

    low, high = tmp_path / f"low{suffix}", tmp_path / f"high{suffix}"
    for path, quality in ((low, "20"), (high, "95")):
        command = ("350", "--seed", "3", "--output-path", str(path), "--quality", quality)
        result = run("generate-numbers-sequence", *command)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(path)
    expected = np.rint(generate_numbers_sequence("350", (0, 4), 300, seed=3) * 255)
    for path in (low, high):
        with Image.open(path) as image:
            assert image.format == pillow_format and image.size == (300, 28)
            assert image.mode == ("L" if pillow_format == "JPEG" else "RGB")  # WebP has no grayscale mode
            pixels = np.asarray(image.convert("L"), dtype=np.float64)
        assert np.abs(pixels - expected).mean() < 8  # lossy, but the same digits
    assert low.stat().st_size < high.stat().st_size  # --quality is used
    assert not (tmp_path / f"low{suffix}").is_dir()


def test_other_image_suffixes_are_refused_naming_the_supported_formats(tmp_path):
    result = run("generate-numbers-sequence", "350", "--output-path", str(tmp_path / "x.bmp"))
    assert result.returncode == 2
    line = one_error_line(result)
    assert ".bmp" in line and ".png, .jpg, .jpeg, .webp" in line
    assert list(tmp_path.iterdir()) == []  # no folder named x.bmp


def test_quality_is_refused_for_png_and_out_of_range(tmp_path):
    png = run("generate-numbers-sequence", "1", "--output-path", str(tmp_path / "x.png"), "--quality", "50")
    assert png.returncode == 2 and "quality" in one_error_line(png)
    bad = run("generate-numbers-sequence", "1", "--output-path", str(tmp_path / "x.jpg"), "--quality", "0")
    assert bad.returncode == 2 and "--quality" in one_error_line(bad)
    assert list(tmp_path.iterdir()) == []


def test_phone_numbers_refuse_an_image_path_as_their_folder(tmp_path):
    result = run("generate-phone-numbers", "--num-images", "2", "--output-path", str(tmp_path / "x.jpg"))
    assert result.returncode == 2 and "folder" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_preview_writes_jpeg(tmp_path):
    result = run("number-generator", "preview", str(tmp_path / "p.jpg"), "--count", "2", "--quality", "80")
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "p.jpg") as image:
        assert image.format == "JPEG"


# ---- 10, 11: missing folders, and one exit status for "cannot write the output"


def test_a_typo_in_a_file_path_does_not_scatter_folders(tmp_path):
    target = tmp_path / "typo" / "dir" / "x.png"
    result = run("generate-numbers-sequence", "1", "--output-path", str(target))
    assert result.returncode == CANNOT_WRITE
    line = one_error_line(result)
    assert str(target) in line and str(tmp_path / "typo") in line
    assert not (tmp_path / "typo").exists()


def test_the_last_missing_folder_of_a_file_path_and_output_folders_are_created(tmp_path):
    one_level = run("generate-numbers-sequence", "1", "--output-path", "out/x.png", cwd=tmp_path)
    assert one_level.returncode == 0 and (tmp_path / "out" / "x.png").is_file()
    folder = run("generate-numbers-sequence", "1", "--seed", "1", "--output-path", "a/b/c", cwd=tmp_path)
    assert folder.returncode == 0 and (tmp_path / "a/b/c/sequence-1-seed1.png").is_file()
    helptext = " ".join(run("generate-numbers-sequence", "--help").stdout.split())
    assert "created with missing parents" in helptext and "only if that folder's parent exists" in helptext


def test_an_unwritable_output_names_the_users_path_and_exits_73(tmp_path):
    target = tmp_path / "x.png"
    target.mkdir()  # a folder where the file should go: even root cannot replace it with a file
    result = run("generate-numbers-sequence", "1", "--output-path", str(target), "--overwrite")
    assert result.returncode == CANNOT_WRITE
    line = one_error_line(result)
    assert line.startswith(f"generate-numbers-sequence: error: cannot write {target}")
    assert ".tmp" not in line
    assert list(tmp_path.iterdir()) == [target] and list(target.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_exits_73_for_every_writing_command(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        commands = [
            ("generate-numbers-sequence", "1", "--output-path", str(locked / "x.png")),
            ("generate-phone-numbers", "--num-images", "2", "--output-path", str(locked / "p")),
            ("number-generator", "demo", str(locked / "d")),
            ("number-generator", "preview", str(locked / "p.png"), "--count", "1"),
        ]
        for command in commands:
            result = run(*command)
            assert result.returncode == CANNOT_WRITE, (command, result.stderr)
            assert str(locked) in one_error_line(result) and ".tmp" not in result.stderr
    finally:
        locked.chmod(0o755)


# ---- 12, 13, 15: messages


@pytest.mark.parametrize("args", [(), ("datasets",)])
def test_a_group_without_subcommand_prints_its_normal_help(args):
    result = run("number-generator", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("Usage: number-generator")
    assert "\nCommands:\n" in result.stderr and "error:" not in result.stderr


@pytest.mark.parametrize(("url", "package"), [("s3://bucket/data", "s3fs"), ("gs://bucket/data", "gcsfs")])
def test_a_missing_fsspec_package_is_one_line_naming_it(tmp_path, url, package):
    import importlib.util

    if importlib.util.find_spec(package) is not None:
        pytest.skip(f"{package} is installed")
    (tmp_path / "spec.yaml").write_text("seed: 1\nlength: 4\n")
    result = run("number-generator", "dataset", "--spec", str(tmp_path / "spec.yaml"), "--out", url)
    assert result.returncode == 1
    assert package in one_error_line(result)


def test_num_images_zero_names_the_option():
    result = run("generate-phone-numbers", "--num-images", "0")
    assert result.returncode == 2
    assert "--num-images" in one_error_line(result)


def test_removing_a_dataset_that_is_not_there_says_so():
    result = run("number-generator", "datasets", "remove", "emnist-letters")
    assert result.returncode == 0
    assert "was not there" in result.stdout and "freed" not in result.stdout


# ---- 5, 6, 17 (CLI half): seeds, demo overwrite, --verbose


def test_a_random_seed_is_printed_and_remakes_the_same_images(tmp_path):
    first = run("generate-phone-numbers", "--num-images", "3", "--output-path", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    seed = re.fullmatch(
        r"seed (\d+) \(pass --seed \1 to make the same output again\)", first.stderr.strip().splitlines()[-1]
    )
    assert seed is not None, first.stderr
    again = run("generate-phone-numbers", "--num-images", "3", "--seed", seed[1], "--output-path", str(tmp_path / "b"))
    assert again.returncode == 0 and "seed" not in again.stderr
    for name in ("phone-000000.png", "phone-000002.png", "labels.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_no_verbose_prints_no_progress_and_no_seed(tmp_path):
    for command in (
        ("generate-phone-numbers", "--num-images", "3", "--output-path", str(tmp_path / "p")),
        ("generate-numbers-sequence", "42", "--output-path", str(tmp_path / "x.png")),
    ):
        quiet = run(*command, "--no-verbose")
        assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout.strip()
        assert run(*command[:-2], "--verbose", "--help").returncode == 0


def test_demo_help_has_one_default_and_demo_refuses_to_overwrite(tmp_path):
    helptext = " ".join(run("number-generator", "demo", "--help").stdout.split())
    assert "random, printed" not in helptext and "[default: 0]" in helptext
    assert run("number-generator", "demo", str(tmp_path)).returncode == 0
    page = tmp_path / "phone-numbers-page.png"
    page.write_bytes(b"mine")
    again = run("number-generator", "demo", str(tmp_path))
    assert again.returncode == 2 and "--overwrite" in one_error_line(again)
    assert page.read_bytes() == b"mine"
    assert run("number-generator", "demo", str(tmp_path), "--overwrite").returncode == 0
    assert page.read_bytes()[:4] == b"\x89PNG"


# ---- 18: python -m number_generator


def test_python_dash_m_runs_the_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "number_generator", "generate-numbers-sequence", "12", "--seed", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sequence-12-seed1.png").is_file()


# ---- 14, 19, 4: REST


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from number_generator.api import create_app
    from number_generator.api.settings import Settings

    with TestClient(create_app(Settings())) as c:
        yield c


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "loc"),
    [
        ("get", "/v1/sequence.png", {"params": {"digits": "12", "image_width": 0}}, ["query", "image_width"]),
        ("get", "/v1/sequence.png", {"params": {"digits": "12", "min_spacing": -14}}, ["query", "min_spacing"]),
        (
            "get",
            "/v1/sequence.png",
            {"params": {"digits": "12", "min_spacing": 5, "max_spacing": 2}},
            ["query", "max_spacing"],
        ),
        ("get", "/v1/sequence.png", {"params": {"digits": "12", "split": "validation"}}, ["query", "split"]),
        ("get", "/v1/sequence.png", {"params": {"digits": "12", "dataset": "nope"}}, ["query", "dataset"]),
        ("get", "/v1/sequence.png", {"params": {"digits": "12a"}}, ["query", "digits"]),
        ("get", "/v1/sequence.png", {"params": {"digits": "12", "seed": -3}}, ["query", "seed"]),
        (
            "get",
            "/v1/sequence.png",
            {"params": {"digits": "1", "augment": '{"image": [{"type": "Sparkles"}]}'}},
            ["query", "augment"],
        ),
        ("get", "/v1/phone-number.png", {"params": {"format": "satellite"}}, ["query", "format"]),
        ("post", "/generate-numbers-sequence", {"json": {"sequence": "1x"}}, ["body", "sequence"]),
        ("post", "/generate-numbers-sequence", {"json": {"sequence": "1", "random_seed": -1}}, ["body", "random_seed"]),
        ("post", "/generate-phone-number", {"json": {"image_width": -5}}, ["body", "image_width"]),
        ("post", "/v1/batch", {"json": {"min_length": 5, "max_length": 2}}, ["body", "max_length"]),
        ("post", "/v1/batch", {"json": {"kind": "text", "texts": ["ab"]}}, ["body", "texts"]),
        ("post", "/v1/batch", {"json": {"kind": "phone", "formats": ["satellite"]}}, ["body", "formats"]),
        ("post", "/v1/batch", {"json": {"split": "validation"}}, ["body", "split"]),
    ],
)
def test_library_errors_name_the_request_field(client, method, url, kwargs, loc):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc


def test_redoc_does_not_load_a_cdn_script(client):
    response = client.get("/redoc")
    assert response.status_code == 404 or "cdn" not in response.text.lower()


def test_batch_texts_are_drawn_at_random_as_documented(client):
    from number_generator.api.requests import BatchRequest

    described = BatchRequest.model_fields["texts"].description
    assert "at random" in described and "no spaces" not in described and "cycled" not in described
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "`texts`, cycled" not in readme and "`texts`, each image draws one at random" in readme
    texts = ["12", "345", "6789"]
    response = client.post("/v1/batch", json={"kind": "text", "count": 30, "texts": texts, "seed": 1, "format": "npz"})
    with np.load(io.BytesIO(response.content)) as z:
        labels = z["labels"].tolist()
    assert set(labels) == set(texts) and labels != (texts * 10)[:30]


def test_uvicorn_import_path_of_the_original_project_serves_with_environment_settings():
    import httpx

    from _api_server import server_process

    def command(_port: int) -> list[str]:  # uvicorn binds a port of the kernel's choosing and names it
        return [sys.executable, "-m", "uvicorn", "number_generator.api.api:app", "--port", "0"]

    with server_process(command, env={"NUMBER_GENERATOR_API_MAX_WIDTH": "100"}) as server:
        ok = httpx.post(server.url + "/generate-numbers-sequence", json={"sequence": "12", "image_width": 100})
        assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
        wide = httpx.post(server.url + "/generate-numbers-sequence", json={"sequence": "12", "image_width": 101})
        assert wide.status_code == 422 and wide.json()["detail"][0]["limit"] == 100


# ---- 1: every transform's defaults do something


def _transforms(table: dict) -> list:
    return [pytest.param(cls, id=name) for name, cls in sorted(table.items())]


@pytest.mark.parametrize("cls", _transforms(GLYPH_TRANSFORMS))
def test_each_glyph_transform_with_only_p_changes_images(cls):
    from number_generator import render_sequence

    digits = (cls.character or "0123456789") * 3  # digit styles edit only their own character
    plain = render_sequence(digits, (0, 4), 400, seed=0)
    augmented = render_sequence(digits, (0, 4), 400, seed=0, augment={"glyph": [{"type": cls.__name__, "p": 1.0}]})
    assert augmented.text == plain.text and augmented.image.shape == plain.image.shape
    assert not np.array_equal(augmented.image, plain.image)


@pytest.mark.parametrize("cls", _transforms(IMAGE_TRANSFORMS))
def test_each_image_transform_with_only_p_changes_images(cls):
    from _augment_data import line_image
    from number_generator.augment import Pipeline

    image, boxes = line_image()
    out, _ = Pipeline(image=[cls(p=1.0)]).apply_image(image, boxes, np.random.default_rng(0))
    assert out.shape == image.shape and out.dtype == np.float32 and not np.array_equal(out, image)


def test_a_transform_given_some_ranges_leaves_the_others_at_identity():
    from number_generator.augment import Affine, IntensityRange, Perspective, SizeVariation

    assert Affine(rotate=[-5, 5]).to_dict() == {
        "type": "Affine", "rotate": [-5.0, 5.0], "shear": [0.0, 0.0], "scale": [1.0, 1.0], "translate": [0.0, 0.0],
        "p": 1.0,
    }  # fmt: skip
    assert SizeVariation(aspect=[0.9, 1.1]).scale == (1.0, 1.0)
    assert IntensityRange(paper=[0.8, 0.9]).ink == (0.0, 0.0)
    assert Perspective(corner=[0, 2]).skew == (0.0, 0.0) and Perspective().skew == (-6.0, 6.0)


# ---- 7: the length of a rank's share


@pytest.mark.parametrize(("length", "world_size"), [(1000, 4), (1001, 4), (7, 3), (2, 5)])
def test_an_iterable_rank_share_has_the_length_it_yields(length, world_size):
    from number_generator.data.dataset import IterableSyntheticDataset

    spec = {"seed": 1, "length": length, "draw": {"kind": "digits", "length": 3}}
    shares = [IterableSyntheticDataset(spec, rank=r, world_size=world_size, with_index=True) for r in range(world_size)]
    yielded = [[i for i, _ in share] for share in shares]
    assert [len(share) for share in shares] == [len(indices) for indices in yielded]
    assert sorted(i for indices in yielded for i in indices) == list(range(length))


# ---- 16: where bad YAML is


def test_bad_yaml_in_a_spec_names_its_line(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("seed: 7\nlength: 10\ndraw:\n  - {kind: digits, length: [4, 12]\n  - {kind: phone}\n")
    from number_generator.data.dataset import load_spec

    with pytest.raises(ValueError, match=r"spec\.yaml' is not valid YAML at line 5, column \d+: "):
        load_spec(spec)
    result = run("number-generator", "dataset", "--spec", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "at line 5" in one_error_line(result)


# ---- 23: one OpenCV thread per process while augmenting


OPENCV_PROBE = """
import cv2
from number_generator import render_sequence
render_sequence("12", (0, 4), 100, seed=0, augment="light")
print(cv2.getNumThreads())
"""


def _opencv_threads_after_augmenting(env: str | None, probe: str = OPENCV_PROBE) -> int:
    environ = {k: v for k, v in os.environ.items() if k != "NUMBER_GENERATOR_OPENCV_THREADS"}
    if env is not None:
        environ["NUMBER_GENERATOR_OPENCV_THREADS"] = env
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environ)
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def test_augmentation_runs_opencv_on_one_thread_per_process_unless_told():
    opencv_default = _opencv_threads_after_augmenting(None, "import cv2; print(cv2.getNumThreads())")
    assert _opencv_threads_after_augmenting(None) == 1
    assert _opencv_threads_after_augmenting("2") == 2
    assert _opencv_threads_after_augmenting("-1") == opencv_default


def _opencv_threads_in_worker(index: int) -> int:
    import cv2

    return cv2.getNumThreads()


def test_dataloader_workers_augment_on_one_opencv_thread():
    torch = pytest.importorskip("torch", reason="torch is installed by .ci/run, not by Poetry")
    from torch.utils.data import DataLoader

    from number_generator.data.torch_adapter import TorchSyntheticDataset

    class Probe(TorchSyntheticDataset):
        def __getitem__(self, index: int) -> dict:
            item = super().__getitem__(index)
            item["opencv_threads"] = _opencv_threads_in_worker(index)
            return item

    ds = Probe({"seed": 0, "length": 4, "augment": "light", "draw": {"kind": "digits", "length": 3}})
    items = list(DataLoader(ds, batch_size=None, num_workers=2))
    assert [item["opencv_threads"] for item in items] == [1, 1, 1, 1]
    assert torch.is_tensor(items[0]["image"])


# ---- 3, 20: README commands as written; the section for users of the original project

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_commands_run_from_the_poetry_environment_and_say_how_to_get_bare_ones():
    commands = [
        line.strip()
        for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and not line.startswith("    ")
    ]
    bare = [c for c in commands if not c.startswith(("poetry run ", "pip install ", "docker "))]
    assert bare == []
    assert 'eval "$(poetry env activate)"' in README


def test_readme_has_a_section_for_users_of_the_original_project():
    section = README.split("## Coming from mnist-digit-gen", 1)[1].split("\n## ", 1)[0]
    for fact in ("float64", "`(image, number)`", "--overwrite", "ValueError", "number_generator.api.api:app"):
        assert fact in section
