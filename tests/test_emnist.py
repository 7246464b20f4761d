"""EMNIST and user IDX datasets: download from a local server, checksums, extraction, orientation,
mapping, memory-mapped loading, text rendering, the CLI.

Every archive here is built by the test in the official layout (tests/_emnist_archive.py);
downloads go to an HTTP server the test starts on 127.0.0.1.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from _cli import Result, run_cli
from _emnist_archive import idx_bytes, make_archive, split_arrays, upright_glyph
from number_generator import generate_text_sequence, render_text
from number_generator.glyphsets import DatasetUnavailable, IDXError, emnist, get_dataset, register_idx_dataset
from number_generator.glyphsets.glyphs import get_glyph_set


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache for each test, no EMNIST environment, fresh glyph sets."""
    root = tmp_path / "cache"
    monkeypatch.setenv("NUMBER_GENERATOR_CACHE", str(root))
    for var in (emnist.URL_ENV, emnist.MD5_ENV, emnist.PATH_ENV):
        monkeypatch.delenv(var, raising=False)
    get_glyph_set.cache_clear()
    yield root
    get_glyph_set.cache_clear()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / "www"``; yields (base URL, request log)."""
    www = tmp_path / "www"
    www.mkdir()
    requests: list[str] = []

    class Handler(_Handler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(www)))
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, per test
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", www, requests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def archive(tmp_path) -> tuple[Path, str]:
    path = tmp_path / "gzip.zip"
    return path, make_archive(path)


def _served(server, archive, monkeypatch, md5=None):
    base, www, requests = server
    path, digest = archive
    (www / "gzip.zip").write_bytes(path.read_bytes())
    monkeypatch.setenv(emnist.URL_ENV, f"{base}/gzip.zip")
    monkeypatch.setenv(emnist.MD5_ENV, md5 or digest)
    return requests


# --------------------------------------------------------------------------- download, checksums, extraction


def test_download_from_local_server_converts_and_memory_maps(cache, server, archive, monkeypatch):
    requests = _served(server, archive, monkeypatch)
    assert not get_dataset("emnist-letters").present()
    emnist.download("letters", progress=False)
    assert requests == ["/gzip.zip"]
    assert (cache / "emnist" / "gzip.zip").is_file()
    assert get_dataset("emnist-letters").present()
    images, labels = get_dataset("emnist-letters").load("train")
    assert isinstance(images, np.memmap) and isinstance(labels, np.memmap)
    assert images.shape == (26 * 4, 28, 28) and images.dtype == np.uint8
    assert sorted(set(labels.tolist())) == list(range(1, 27))
    # A second split converts from the cached archive without another request.
    get_dataset("emnist-byclass").load("test")
    assert requests == ["/gzip.zip"]


def test_orientation_is_fixed_on_load(cache, server, archive, monkeypatch):
    _served(server, archive, monkeypatch)
    emnist.download("byclass", progress=False)
    images, labels = get_dataset("emnist-byclass").load("train")
    for k in (0, 7, 100):
        expected = upright_glyph(int(labels[k]))
        np.testing.assert_array_equal(images[k], expected)
    # The flag of the test glyph is at the top left: rows 2-3, not columns 2-3.
    assert images[0][2, 2:10].min() == 200 and images[0][4:10, 2].max() == 0


def test_checksum_mismatch_leaves_nothing_trusted(cache, server, archive, monkeypatch):
    _served(server, archive, monkeypatch, md5="0" * 32)
    with pytest.raises(DatasetUnavailable, match="could not download EMNIST"):
        emnist.download("letters", progress=False)
    leftovers = [p for p in (cache / "emnist").rglob("*") if p.is_file()] if (cache / "emnist").exists() else []
    assert leftovers == []
    assert not get_dataset("emnist-letters").present()


def test_a_dead_mirror_is_followed_by_the_next(cache, server, archive, monkeypatch):
    base, www, requests = server
    path, digest = archive
    (www / "gzip.zip").write_bytes(path.read_bytes())
    monkeypatch.setenv(emnist.URL_ENV, f"{base}/missing.zip, {base}/gzip.zip")
    monkeypatch.setenv(emnist.MD5_ENV, digest)
    emnist.download("balanced", progress=False)
    assert requests == ["/missing.zip", "/gzip.zip"]
    assert get_dataset("emnist-balanced").present()


def test_offline_without_archive_says_what_to_download_and_where(cache):
    with pytest.raises(DatasetUnavailable) as info:
        render_text("Hi", (0, 2), 100, dataset="emnist-byclass")
    message = str(info.value)
    assert emnist.ARCHIVE_URL in message and emnist.ARCHIVE_MD5 in message
    assert str(cache / "emnist" / "gzip.zip") in message and emnist.PATH_ENV in message
    assert "datasets download emnist-byclass" in message


def test_interrupted_conversion_is_redone(cache, archive, monkeypatch):
    path, digest = archive
    monkeypatch.setenv(emnist.PATH_ENV, str(path))
    monkeypatch.setenv(emnist.MD5_ENV, digest)
    real_save = emnist.save_npy_atomic

    def crash_on_test_labels(target, array):
        if target.name == "test-labels.npy":
            raise KeyboardInterrupt
        real_save(target, array)

    monkeypatch.setattr(emnist, "save_npy_atomic", crash_on_test_labels)
    with pytest.raises(KeyboardInterrupt):
        emnist.prepare("letters")
    assert (cache / "emnist" / "letters" / "train-images.npy").is_file()
    assert not emnist.is_converted("letters")  # no token: not trusted
    monkeypatch.setattr(emnist, "save_npy_atomic", real_save)
    images, labels = get_dataset("emnist-letters").load("test")
    assert emnist.is_converted("letters") and len(images) == len(labels) == 26 * 2


def test_extracted_folder_and_user_archive_sources(cache, archive, tmp_path, monkeypatch):
    path, digest = archive
    folder = tmp_path / "extracted"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)  # -> folder/gzip/emnist-*.gz
    monkeypatch.setenv(emnist.PATH_ENV, str(folder))
    images, _ = get_dataset("emnist-balanced").load("train")
    assert images.shape == (47 * 4, 28, 28)
    # An archive whose md5 is not EMNIST's is refused (unless the md5 is overridden).
    emnist.remove()
    monkeypatch.setenv(emnist.PATH_ENV, str(path))
    with pytest.raises(DatasetUnavailable, match=f"has md5 {digest}"):
        get_dataset("emnist-balanced").load("train")
    monkeypatch.setenv(emnist.MD5_ENV, digest)
    assert get_dataset("emnist-balanced").load("train")[0].shape == (47 * 4, 28, 28)


def test_a_mapping_that_is_not_emnists_is_refused(cache, tmp_path, monkeypatch):
    path = tmp_path / "gzip.zip"
    make_archive(path, splits=("letters",))
    with zipfile.ZipFile(path, "a") as zf:  # a second mapping member with a wrong letter wins on read
        zf.writestr("other/emnist-letters-mapping.txt", "1 66 98\n")
    monkeypatch.setenv(emnist.PATH_ENV, str(path))
    monkeypatch.setenv(emnist.MD5_ENV, emnist.md5_of(path))
    with pytest.raises(IDXError, match="label 1 maps to 'B', expected 'A'"):
        emnist.prepare("letters")


def test_corrupt_member_is_an_idx_error(cache, tmp_path, monkeypatch):
    path = tmp_path / "gzip.zip"
    with zipfile.ZipFile(path, "w") as zf:
        arrays = split_arrays("letters", 2)
        for part, (images, labels) in arrays.items():
            zf.writestr(f"gzip/{emnist.member_name('letters', part, 'images')}", gzip.compress(idx_bytes(images))[:-40])
            zf.writestr(f"gzip/{emnist.member_name('letters', part, 'labels')}", gzip.compress(idx_bytes(labels)))
        zf.writestr("gzip/emnist-letters-mapping.txt", "1 65 97\n")
    monkeypatch.setenv(emnist.PATH_ENV, str(path))
    monkeypatch.setenv(emnist.MD5_ENV, emnist.md5_of(path))
    with pytest.raises(IDXError, match="corrupt gzip stream"):
        emnist.prepare("letters")
    assert not emnist.is_converted("letters")


# --------------------------------------------------------------------------- text


@pytest.fixture
def local_emnist(cache, archive, monkeypatch):
    path, digest = archive
    monkeypatch.setenv(emnist.PATH_ENV, str(path))
    monkeypatch.setenv(emnist.MD5_ENV, digest)
    return path


def _ink_width(label: int) -> int:
    return 3 + label % 7 + 8  # the bar, plus the flag reaching from column 2 (see upright_glyph)


def test_text_draws_each_character_from_its_class(local_emnist):
    sample = render_text("Hello World", (2, 2), 400, dataset="emnist-byclass", word_spacing=(20, 20), seed=3)
    assert sample.image.shape == (28, 400) and sample.image.dtype == np.float32
    assert sample.text == "Hello World" and sample.boxes.shape == (11, 4)
    _, labels = get_dataset("emnist-byclass").load("train")
    classes = get_dataset("emnist-byclass").classes
    for k, ch in enumerate(sample.text):
        if ch == " ":
            assert sample.glyph_indices[k] == -1
            x0, _, x1, _ = sample.boxes[k]
            assert x1 - x0 == 20  # the word gap, exactly, with word_spacing (20, 20)
            assert (sample.image[:, x0:x1] == 1.0).all()
        else:
            label = int(labels[sample.glyph_indices[k]])
            assert classes[label] == ch
            x0, y0, x1, y1 = sample.boxes[k]
            assert x1 - x0 == _ink_width(label)
            assert sample.image[y0:y1, x0:x1].min() == 0.0
    # gaps inside words are the letter spacing
    assert sample.spacing.tolist() == [2, 2, 2, 2, 20, 2, 2, 2, 2]
    np.testing.assert_array_equal(
        generate_text_sequence("Hello World", (2, 2), 400, dataset="emnist-byclass", word_spacing=(20, 20), seed=3),
        sample.image,
    )


def test_merged_datasets_draw_lowercase_from_the_merged_class(local_emnist):
    balanced = get_dataset("emnist-balanced")
    _, labels = balanced.load("train")
    sample = render_text("cab", (0, 0), 200, dataset="emnist-balanced", seed=0)
    drawn = [balanced.classes[int(labels[i])] for i in sample.glyph_indices]
    assert drawn == ["C", "a", "b"] and sample.text == "cab"  # 'c' has no class of its own; 'a', 'b' do
    letters = get_dataset("emnist-letters")
    _, labels = letters.load("train")
    sample = render_text("Hh", (0, 0), 200, dataset="emnist-letters", seed=0)
    assert [int(labels[i]) for i in sample.glyph_indices] == [8, 8]


def test_undrawable_characters_are_listed(local_emnist):
    with pytest.raises(ValueError, match=r"cannot draw '7é'"):
        render_text("A7é", (0, 2), 200, dataset="emnist-letters")
    with pytest.raises(ValueError, match="must not start or end with a space"):
        render_text(" Hi", (0, 2), 200)
    with pytest.raises(ValueError, match="minimum word spacing 9 is greater than maximum word spacing 3"):
        render_text("Hi there", (0, 2), 200, word_spacing=(9, 3))
    with pytest.raises(ValueError, match="unknown dataset 'emnist-klingon'"):
        render_text("Hi", (0, 2), 200, dataset="emnist-klingon")


def test_augmentation_applies_to_text_and_is_reproducible(local_emnist):
    a = render_text("Ab 12", (0, 3), 160, dataset="emnist-byclass", seed=5, augment="medium")
    b = render_text("Ab 12", (0, 3), 160, dataset="emnist-byclass", seed=5, augment="medium")
    np.testing.assert_array_equal(a.image, b.image)
    assert a.image.dtype == np.float32 and a.image.shape == (28, 160)
    assert 0.0 <= a.image.min() and a.image.max() <= 1.0 and len(a.boxes) == 5


def test_text_without_spaces_matches_render_sequence(local_emnist):
    from number_generator import render_sequence

    a = render_text("AbC", (0, 4), 120, dataset="emnist-byclass", seed=9)
    b = render_sequence("AbC", (0, 4), 120, dataset="emnist-byclass", seed=9)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.boxes, b.boxes)


# --------------------------------------------------------------------------- user IDX datasets


def test_user_idx_dataset(cache, tmp_path):
    images = np.stack([upright_glyph(k) for k in range(3)] * 2)
    labels = np.array([0, 1, 2] * 2, dtype=np.uint8)
    (tmp_path / "imgs.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "labs").write_bytes(idx_bytes(labels))
    register_idx_dataset("shapes", train_images=tmp_path / "imgs.gz", train_labels=tmp_path / "labs", mapping="xyz")
    sample = render_text("zyx", (1, 1), 80, dataset="shapes", seed=0)
    assert [int(labels[i]) for i in sample.glyph_indices] == [2, 1, 0]
    assert get_dataset("shapes").splits == ("train",)
    with pytest.raises(ValueError, match="unknown split 'test' for dataset 'shapes'"):
        render_text("x", (0, 0), 40, dataset="shapes", split="test")
    with pytest.raises(ValueError, match="taken by a built-in dataset"):
        register_idx_dataset("mnist", train_images=tmp_path / "imgs.gz", train_labels=tmp_path / "labs", mapping="xyz")
    register_idx_dataset("shapes2", train_images=tmp_path / "imgs.gz", train_labels=tmp_path / "labs", mapping="xy")
    with pytest.raises(IDXError, match="label 2 has no character"):
        get_dataset("shapes2").load("train")


def test_every_source_says_what_it_can_do_and_refuses_what_it_cannot(cache, tmp_path):
    """The GlyphSource protocol: flags, not description strings or missing callables, tell callers what works."""
    from number_generator.glyphsets import EmnistSource, GlyphSource, MnistSource, UserIdxSource

    mnist_source = get_dataset("mnist")
    assert isinstance(mnist_source, MnistSource) and isinstance(mnist_source, GlyphSource)
    assert (mnist_source.downloadable, mnist_source.removable, mnist_source.has_writers) == (False, False, True)
    assert mnist_source.writers("test").shape == (10_000,)
    with pytest.raises(ValueError, match="mnist needs no download"):
        mnist_source.fetch()
    with pytest.raises(ValueError, match="mnist is bundled with the package and cannot be removed"):
        mnist_source.remove()
    letters = get_dataset("emnist-letters")
    assert isinstance(letters, EmnistSource) and (letters.downloadable, letters.removable) == (True, True)
    assert not letters.has_writers and not letters.user_defined
    with pytest.raises(ValueError, match="emnist-letters does not know the writer of its glyphs"):
        letters.writers("train")

    images = np.stack([upright_glyph(k) for k in range(2)])
    (tmp_path / "imgs").write_bytes(idx_bytes(images))
    (tmp_path / "labs").write_bytes(idx_bytes(np.array([0, 1], dtype=np.uint8)))
    register_idx_dataset("pair", train_images=tmp_path / "imgs", train_labels=tmp_path / "labs", mapping="ab")
    first = get_dataset("pair")
    assert isinstance(first, UserIdxSource) and first.user_defined and first.removable
    assert render_text("ab", (1, 1), 60, dataset="pair", seed=0).text == "ab"
    from number_generator.core.options import Options

    options = Options.create(dataset="pair", split="train")
    assert Options.create(dataset="pair", split="train") is options  # validated once...
    # a user source may replace a user source: glyphs loaded for the old one are not served again
    (tmp_path / "labs").write_bytes(idx_bytes(np.array([1, 0], dtype=np.uint8)))
    register_idx_dataset("pair", train_images=tmp_path / "imgs", train_labels=tmp_path / "labs", mapping="ab")
    assert get_dataset("pair") is not first and get_dataset("pair").version() != first.version()
    assert Options.create(dataset="pair", split="train") is not options  # ...and again against the new source
    drawn = render_text("a", (0, 0), 28, dataset="pair", seed=0)
    assert drawn.glyph_indices.tolist() == [1]  # the new labels: "a" is now the second glyph


# --------------------------------------------------------------------------- command line


def _cli(*args: str, env_extra: dict[str, str] | None = None) -> Result:
    """``number-generator ARGS`` in this process (tests/_cli.py) with ``env_extra`` in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env_extra or {}).items():
            patch.setenv(name, value)
        return run_cli("number-generator", *args)


def test_cli_download_list_generate_verify_remove(cache, server, archive, tmp_path, monkeypatch):
    _served(server, archive, monkeypatch)
    import os

    env = {
        "NUMBER_GENERATOR_CACHE": str(cache),
        emnist.URL_ENV: os.environ[emnist.URL_ENV],
        emnist.MD5_ENV: os.environ[emnist.MD5_ENV],
    }
    listing = _cli("datasets", "list", env_extra=env)
    assert listing.returncode == 0
    line = next(line for line in listing.stdout.splitlines() if line.startswith("emnist-letters "))
    assert " no " in line
    result = _cli("datasets", "download", "emnist-letters", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert "emnist-letters: ready" in result.stdout
    line = next(
        line
        for line in _cli("datasets", "list", env_extra=env).stdout.splitlines()
        if line.startswith("emnist-letters ")
    )
    assert " yes " in line and "MB" in line
    out = tmp_path / "hello.png"
    result = _cli(
        "generate-text",
        "Hello World",
        "--dataset",
        "emnist-letters",
        "--output-path",
        str(out),
        "--seed",
        "1",
        env_extra=env,
    )
    assert result.returncode == 0, result.stderr
    from PIL import Image

    with Image.open(out) as image:
        assert image.size == (300, 28) and image.mode == "L"
        assert np.asarray(image).min() == 0 and np.asarray(image).max() == 255
    verify = _cli("datasets", "verify", env_extra=env)
    assert verify.returncode == 0 and "emnist-letters  arrays readable" in verify.stdout
    bad = _cli("generate-text", "Hello 2", "--dataset", "emnist-letters", env_extra=env)
    assert bad.returncode == 2 and "cannot draw '2'" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    removed = _cli("datasets", "remove", "emnist-letters", env_extra=env)
    assert removed.returncode == 0 and "removed emnist-letters" in removed.stdout
    assert not (cache / "emnist" / "letters").exists()
    refused = _cli("datasets", "remove", "mnist", env_extra=env)
    assert refused.returncode == 2 and "bundled" in refused.stderr


def test_cli_offline_message_is_one_line(cache):
    result = _cli("generate-text", "Hi", env_extra={"NUMBER_GENERATOR_CACHE": str(cache)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and emnist.ARCHIVE_URL in result.stderr


def test_cli_data_dir_converts_from_a_local_archive(cache, archive, tmp_path):
    path, digest = archive
    out = tmp_path / "t.png"
    result = _cli(
        "generate-text",
        "Abc",
        "--data-dir",
        str(path),
        "--output-path",
        str(out),
        env_extra={"NUMBER_GENERATOR_CACHE": str(cache), emnist.MD5_ENV: digest},
    )
    assert result.returncode == 0, result.stderr
    assert out.is_file() and emnist.is_converted("byclass")


def test_importing_the_package_does_not_import_pooch():
    code = "import number_generator, sys; print('pooch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_dataset_specs_and_exports_use_the_same_registry(local_emnist, tmp_path):
    from number_generator import SyntheticDataset, export_dataset, verify_export
    from number_generator.io.png import to_uint8

    spec = {
        "seed": 4,
        "length": 6,
        "dataset": "emnist-letters",
        "width": 160,
        "spacing": [0, 3],
        "draw": {"kind": "words", "words": ["HELLO", "abc"]},
    }
    ds = SyntheticDataset(spec)
    assert {ds[i].text for i in range(6)} <= {"HELLO", "abc"}
    export_dataset(spec, tmp_path / "out", format="npz", shard_size=3)
    assert verify_export(tmp_path / "out").ok
    with np.load(next((tmp_path / "out").glob("*.npz"))) as shard:
        assert shard["images"].shape[0] == 3
        for k, i in enumerate(shard["indices"]):
            np.testing.assert_array_equal(shard["images"][k, :, : shard["widths"][k]], to_uint8(ds[int(i)].image))
            assert str(shard["labels"][k]) == ds[int(i)].text


def test_large_glyph_files_are_read_glyph_by_glyph(local_emnist, monkeypatch):
    """Above READER_MIN_BYTES glyphs are read with pread (flat memory), with the same results."""
    import pickle

    from number_generator.glyphsets import glyphs

    mapped = render_text("Hello World", (0, 3), 300, dataset="emnist-byclass", seed=8)
    monkeypatch.setattr(glyphs, "READER_MIN_BYTES", 1)
    get_glyph_set.cache_clear()
    gs = get_glyph_set("emnist-byclass", "train")
    assert isinstance(gs.images, glyphs.GlyphReader)
    images, _ = get_dataset("emnist-byclass").load("train")
    picks = np.array([0, 5, len(images) - 1, -1])
    np.testing.assert_array_equal(gs.images[picks], np.asarray(images)[picks])
    np.testing.assert_array_equal(gs.images[3], images[3])
    assert gs.images[np.array([], dtype=np.int64)].shape == (0, 28, 28)
    with pytest.raises(IndexError):
        gs.images[np.array([len(images)])]
    copy = pickle.loads(pickle.dumps(gs.images))  # a spawned DataLoader worker reopens the file
    np.testing.assert_array_equal(copy[picks], gs.images[picks])
    read = render_text("Hello World", (0, 3), 300, dataset="emnist-byclass", seed=8)
    np.testing.assert_array_equal(read.image, mapped.image)
    np.testing.assert_array_equal(read.boxes, mapped.boxes)


def test_large_glyph_sets_export_sample_by_sample(local_emnist, tmp_path, monkeypatch):
    """Glyph sets too large for the block tables render per sample: same bytes as ds[i]."""
    from number_generator import SyntheticDataset
    from number_generator.data import dataset as dataset_module
    from number_generator.io.png import to_uint8

    monkeypatch.setattr(dataset_module, "BLOCK_TABLE_MAX_GLYPHS", 10)
    spec = {
        "seed": 1,
        "length": 8,
        "dataset": "emnist-byclass",
        "width": 200,
        "spacing": [0, 3],
        "draw": {"kind": "words", "words": ["Tokyo", "2026", "ab"]},
    }
    ds = SyntheticDataset(spec)
    block = ds.render_block(0, 8)
    assert "tables" not in ds._lazy()  # no copy of the split was built
    for k in range(8):
        np.testing.assert_array_equal(block.images[k], to_uint8(ds[k].image))
        assert block.texts[k] == ds[k].text
