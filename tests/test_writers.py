"""Writer identity of the bundled MNIST glyphs (QMNIST), per-writer tables, the style space and its fallback."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from _emnist_archive import idx_bytes
from number_generator.glyphsets import DataIntegrityError, mnist, register_idx_dataset
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator.glyphsets.idx import read_idx
from number_generator.glyphsets.writers import (
    STYLE_FEATURES,
    check_disjoint_writers,
    get_writer_table,
    glyph_style,
)

QMNIST = {"train": "qmnist-train-labels-idx2-int.gz", "test": "qmnist-test-labels-idx2-int.gz"}
WRITER_COUNTS = {"train": 539, "test": 297}
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- writer ids of the glyphs


@pytest.mark.parametrize("split", ["train", "test"])
def test_every_mnist_glyph_carries_its_qmnist_writer(split):
    glyphs = get_glyph_set("mnist", split)
    n = mnist.SPLIT_SIZES[split]
    assert glyphs.writers.shape == (n,) and glyphs.writers.dtype == np.int32
    raw = read_idx(mnist.data_dir() / QMNIST[split])
    assert raw.shape == (60_000, 8)
    np.testing.assert_array_equal(glyphs.writers, raw[:n, 2])
    np.testing.assert_array_equal(raw[:n, 0], glyphs.labels)  # the alignment QMNIST documents
    ids = np.unique(glyphs.writers)
    assert len(ids) == WRITER_COUNTS[split]
    assert np.all(((ids >= 0) & (ids <= 610)) | ((ids >= 2100) & (ids <= 2599)))


def test_writer_ids_are_cached_read_only(cache_root):
    writers = mnist.load_writers("test")
    assert isinstance(writers, np.memmap) and not writers.flags.writeable
    assert list(cache_root.rglob("test-writers.npy"))


def test_train_and_test_writers_are_disjoint():
    train, test = get_writer_table("mnist", "train"), get_writer_table("mnist", "test")
    assert (len(train.ids), len(test.ids)) == (539, 297)
    assert np.intersect1d(train.ids, test.ids).size == 0


def test_shared_writers_between_splits_are_refused():
    check_disjoint_writers({"train": np.array([1, 2, 3]), "test": np.array([4, -1]), "extra": np.array([-1])})
    with pytest.raises(ValueError, match=r"splits 'train' and 'test' share 2 writers \(e.g. \[2, 3\]\)"):
        check_disjoint_writers({"train": np.array([1, 2, 3]), "test": np.array([3, 2, 7])})


def _bundle_copy(tmp_path, monkeypatch, edit):
    """A copy of the bundled files with ``edit(folder)`` applied, checksums re-recorded, used by ``mnist``."""
    folder = tmp_path / "mnist"
    shutil.copytree(mnist.data_dir(), folder)
    edit(folder)
    checksums = json.loads((folder / "checksums.json").read_text())
    for name in QMNIST.values():
        checksums[name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "checksums.json").write_text(json.dumps(checksums))
    monkeypatch.setattr(mnist, "data_dir", lambda: folder)
    monkeypatch.setenv("NUMBER_GENERATOR_CACHE", str(tmp_path / "cache"))
    mnist._checksums.cache_clear()


@pytest.fixture
def restore_checksums():
    yield
    mnist._checksums.cache_clear()


def test_a_qmnist_file_out_of_line_with_the_mnist_labels_is_refused(tmp_path, monkeypatch, restore_checksums):
    def shift_class(folder):
        table = read_idx(folder / QMNIST["test"]).copy()
        table[5, 0] = (table[5, 0] + 1) % 10
        header = struct.pack(">HBB2I", 0, 0x0C, 2, *table.shape)  # int32 IDX, as QMNIST ships it
        # level 1: gzip's default level 9 takes ~2 s of CPU on this table; any level reads back the same
        (folder / QMNIST["test"]).write_bytes(gzip.compress(header + table.astype(">i4").tobytes(), 1))

    _bundle_copy(tmp_path, monkeypatch, shift_class)
    with pytest.raises(
        DataIntegrityError,
        match=r"qmnist-test-labels-idx2-int.gz is not aligned with the MNIST test labels: 1 of 10000 rows differ "
        r"\(first at row 5: QMNIST class 2, MNIST label 1\)",
    ):
        mnist.load_writers("test")
    assert not list((tmp_path / "cache").rglob("*-writers.npy"))


def test_an_altered_qmnist_file_is_refused(tmp_path, monkeypatch, restore_checksums):
    target = tmp_path / "mnist" / QMNIST["train"]
    _bundle_copy(tmp_path, monkeypatch, lambda folder: None)
    data = bytearray(target.read_bytes())
    data[-30] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(DataIntegrityError, match="qmnist-train-labels-idx2-int.gz has sha256"):
        mnist.load_writers("train")
    assert [c.ok for c in mnist.verify() if c.name == target.name] == [False]


def test_datasets_without_writer_records_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBER_GENERATOR_CACHE", str(tmp_path / "cache"))
    images = np.zeros((3, 28, 28), np.uint8)
    images[:, 8:20, 10:14] = 255
    (tmp_path / "imgs").write_bytes(idx_bytes(images))
    (tmp_path / "labs").write_bytes(idx_bytes(np.array([0, 1, 0], np.uint8)))
    register_idx_dataset("no-writers", train_images=tmp_path / "imgs", train_labels=tmp_path / "labs", mapping="ab")
    glyphs = get_glyph_set("no-writers", "train")
    assert glyphs.writers.tolist() == [-1, -1, -1]
    with pytest.raises(ValueError, match="dataset 'no-writers' does not record who wrote its glyphs"):
        get_writer_table("no-writers", "train")


def _build_script():
    spec = importlib.util.spec_from_file_location("build_mnist_bundle", ROOT / "scripts" / "build_mnist_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_script_copies_qmnist_from_the_folder_given_and_refuses_altered_files(tmp_path, capsys):
    build = _build_script()
    qmnist = tmp_path / "qmnist"
    qmnist.mkdir()
    for name in QMNIST.values():
        shutil.copyfile(mnist.data_dir() / name, qmnist / name)
    shutil.copyfile(mnist.data_dir() / "QMNIST-LICENSE", qmnist / "LICENSE")
    source = tmp_path / "mnist-source"  # a wrong MNIST file stops the build after the QMNIST copy
    source.mkdir()
    (source / "train-images-idx3-ubyte").write_bytes(b"not mnist")
    dest = tmp_path / "dest"
    assert build.main(["--qmnist", str(qmnist), "--source", str(source), "--dest", str(dest)]) == 1
    assert "train-images-idx3-ubyte: md5" in capsys.readouterr().err
    for name in QMNIST.values():
        assert (dest / name).read_bytes() == (mnist.data_dir() / name).read_bytes()
    assert (dest / "QMNIST-LICENSE").read_text().startswith("BSD License")
    assert not (dest / "checksums.json").exists()

    data = bytearray((qmnist / QMNIST["test"]).read_bytes())
    data[100] ^= 1
    (qmnist / QMNIST["test"]).write_bytes(bytes(data))
    assert build.main(["--qmnist", str(qmnist), "--source", str(source), "--dest", str(tmp_path / "d2")]) == 1
    assert "qmnist-test-labels-idx2-int.gz: sha256" in capsys.readouterr().err
    assert not list((tmp_path / "d2").iterdir())  # nothing copied until every file is checked
    recorded = json.loads((mnist.data_dir() / "checksums.json").read_text())
    assert {name: recorded[name]["sha256"] for name in QMNIST.values()} == {
        name: build.QMNIST_SHA256[name] for name in QMNIST.values()
    }


# --------------------------------------------------------------------------- the tables


@pytest.mark.parametrize("split", ["train", "test"])
def test_the_csr_table_lists_each_writers_glyphs_by_class(split):
    table, glyphs = get_writer_table("mnist", split), get_glyph_set("mnist", split)
    assert table.counts.shape == (WRITER_COUNTS[split], 10) and table.counts.sum() == len(glyphs.labels)
    assert np.array_equal(np.sort(table.order), np.arange(len(glyphs.labels)))
    rows = np.repeat(np.arange(len(table.ids)), table.counts.sum(axis=1))
    classes = np.concatenate([np.repeat(np.arange(10), row) for row in table.counts])
    np.testing.assert_array_equal(glyphs.writers[table.order], table.ids[rows])
    np.testing.assert_array_equal(glyphs.labels[table.order], classes)
    np.testing.assert_array_equal(table.starts.ravel(), np.cumsum(table.counts.ravel()) - table.counts.ravel())


def test_pick_draws_the_requested_class_from_the_requested_writer():
    table, glyphs = get_writer_table("mnist", "train"), get_glyph_set("mnist", "train")
    rng = np.random.default_rng(0)
    writers = rng.choice(table.ids, 5000)
    classes = rng.integers(0, 10, 5000)
    has = table.counts[table.rows(writers), classes] > 0
    indices, suppliers = table.pick(writers[has], classes[has], rng)
    assert indices.dtype == np.int64 and suppliers.dtype == np.int32 and indices.shape == (has.sum(),)
    np.testing.assert_array_equal(glyphs.labels[indices], classes[has])
    np.testing.assert_array_equal(glyphs.writers[indices], writers[has])
    np.testing.assert_array_equal(suppliers, writers[has])


def test_a_writer_lacking_a_class_borrows_it_from_its_nearest_neighbour_and_says_so():
    table, glyphs = get_writer_table("mnist", "test"), get_glyph_set("mnist", "test")
    lacking_rows, lacking_classes = np.nonzero(table.counts == 0)
    assert len(lacking_rows) > 100  # most test writers miss some class
    writers = table.ids[lacking_rows]
    indices, suppliers = table.pick(writers, lacking_classes, np.random.default_rng(1))
    assert np.all(suppliers != writers)  # the fallback is recorded
    np.testing.assert_array_equal(glyphs.labels[indices], lacking_classes)
    np.testing.assert_array_equal(glyphs.writers[indices], suppliers)
    # The supplier is the nearest writer of that class in the standardised style space, checked by brute force.
    scaled = table.style / table.style.std(axis=0)
    for row, c, supplier in zip(lacking_rows[:40], lacking_classes[:40], suppliers[:40]):
        candidates = np.flatnonzero(table.counts[:, c] > 0)
        distances = np.linalg.norm(scaled[candidates] - scaled[row], axis=1)
        assert supplier == table.ids[candidates[np.argmin(distances)]]


def test_pick_is_deterministic_and_reaches_every_glyph_of_a_writers_class():
    table = get_writer_table("mnist", "test")
    row = int(np.flatnonzero(table.counts[:, 7] == 3)[0])
    writer = np.full(300, table.ids[row])
    first, _ = table.pick(writer, 7, np.random.default_rng(42))
    again, _ = table.pick(writer, 7, np.random.default_rng(42))
    other, _ = table.pick(writer, 7, np.random.default_rng(43))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    start = table.starts[row, 7]
    assert set(first.tolist()) == set(table.order[start : start + 3].tolist())


def test_pick_rejects_unknown_writers_and_classes():
    table = get_writer_table("mnist", "test")
    train_writer = int(get_writer_table("mnist", "train").ids[0])
    with pytest.raises(ValueError, match=rf"writer ids \[{train_writer}\] are not writers of mnist 'test'"):
        table.pick([train_writer, table.ids[0]], 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="class labels must be in 0-9"):
        table.pick(table.ids[0], 10, np.random.default_rng(0))


# --------------------------------------------------------------------------- style space


def test_stroke_width_of_long_strokes_is_their_width():
    stack = np.zeros((3, 140, 40), np.uint8)
    for k, width in enumerate((2, 3, 8)):
        stack[k, 10:130, 10 : 10 + width] = 255
    # even widths exactly, odd w as w + 1/w, less a little for the bar's two ends
    assert glyph_style(stack)[:, 0] == pytest.approx([2.0, 3.33, 8.0], abs=0.2)


def test_style_of_drawn_strokes():
    stack = np.zeros((4, 28, 28), np.uint8)
    stack[0, 4:24, 12:16] = 255  # upright bar, 4 px wide, 20 px tall
    stack[1, 4:24, 10:18] = 127  # too faint to count as ink
    for row in range(4, 24):  # 4 px wide, leaning right: one column per 2 rows upwards
        shift = (23 - row) // 2
        stack[2, row, 8 + shift : 12 + shift] = 255
    style = glyph_style(stack)
    assert style.shape == (4, len(STYLE_FEATURES)) and style.dtype == np.float32
    width, slant, height = style.T
    assert width[0] == pytest.approx(4.0, abs=0.3) and 3.0 < width[2] < width[0]  # thinner across the lean
    assert slant[0] == pytest.approx(0.0, abs=1e-6) and slant[2] == pytest.approx(0.5, abs=0.05)
    assert height.tolist() == [20.0, 0.0, 20.0, 0.0]
    assert style[1].tolist() == style[3].tolist() == [0.0, 0.0, 0.0]  # no ink


@pytest.fixture
def private_cache(cache_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the run's cached MNIST test-split arrays, to damage: the run's cache is shared between processes."""
    get_writer_table("mnist", "test")  # its arrays are in the run's cache
    private = tmp_path / "cache"
    for path in cache_root.rglob("test-*"):
        (private / path.relative_to(cache_root)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, private / path.relative_to(cache_root))
    monkeypatch.setenv("NUMBER_GENERATOR_CACHE", str(private))
    get_writer_table.cache_clear()
    yield private
    get_writer_table.cache_clear()


def test_style_cache_is_rebuilt_when_missing_or_damaged(private_cache):
    built = get_writer_table("mnist", "test")
    (path,) = [p for p in private_cache.rglob("test-style.npy") if "mnist" in str(p)]
    cached = np.load(path)
    assert cached.shape == (10_000, 3) and cached.dtype == np.float32
    for damage in (path.unlink, lambda: path.write_bytes(b"not an array")):
        damage()
        get_writer_table.cache_clear()
        rebuilt = get_writer_table("mnist", "test")
        np.testing.assert_array_equal(np.load(path), cached)
        np.testing.assert_array_equal(rebuilt.style, built.style)
        np.testing.assert_array_equal(rebuilt.supplier, built.supplier)


def test_qmnist_is_credited_and_its_licence_ships_with_its_files():
    notice = (ROOT / "NOTICE").read_text()
    assert "Chhavi Yadav and Léon Bottou" in notice and "94061367ec2e099ea18c553c75727ecf849ddb9b" in notice
    licence = (mnist.data_dir() / "QMNIST-LICENSE").read_text()
    assert "Copyright (c) Facebook, Inc. and its affiliates" in licence and licence.strip() in notice
