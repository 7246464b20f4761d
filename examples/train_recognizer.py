"""Train a small CRNN-CTC digit-string recognizer on generated images only.

The point: images made by ``number_generator`` from the MNIST *train* split
are enough to train a model that reads phone numbers drawn with MNIST *test*
glyphs, which it has never seen.  Everything here is fixed by seeds.

Requires PyTorch (CPU is fine) and matplotlib::

    pip install torch==2.13.0 matplotlib
    python examples/train_recognizer.py --out runs/medium            # headline run
    python examples/train_recognizer.py --augment none --out runs/none  # ablation
    python examples/train_recognizer.py --model runs/medium/model.pt --eval-dir my_crops --out runs/crops

What it does
------------
* Training data: a :class:`number_generator.data.dataset.SyntheticDataset` spec on
  the MNIST ``train`` split (phone numbers of every format, hyphens included,
  mixed with random digit strings of 4-13 digits), width 256, augmentation
  preset ``--augment``.  Each step sees fresh samples (index ``step * B + b``).
* Evaluation data: ``--eval-count`` phone numbers rendered from the MNIST
  ``test`` split with a separate seed, clean, with the ``heavy`` preset and with
  the ``realistic`` preset (its own spacing and one writer per number), so no
  glyph or writer seen in training is in the evaluation.
* Model: 3 conv blocks (height 28 -> 7, width / 4) + a 1-D conv over the
  sequence + a linear CTC head over ``blank + "0123456789-"``; greedy decoding.
* Metrics: character accuracy ``1 - (sum of edit distances) / (sum of target
  lengths)`` (i.e. 1 - CER, floored at 0) and whole-sequence accuracy (exact
  match).
* Real data (``--eval-dir DIR``): a folder of labelled crops of real
  handwriting (``labels.csv``: ``file_name,label``), each brought to the
  model's input by :func:`prepare_crop` and scored like the test sets.
  ``--model model.pt`` scores a trained model without training again.
* Outputs in ``--out``: ``results.json`` (figures, wall time, arguments),
  ``curves.png`` (loss and clean-test accuracy against steps),
  ``predictions.png`` (test images with predictions, wrong ones in red) and
  ``model.pt``.
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import platform
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from number_generator.augment import PRESET_NAMES, resolve_augment
from number_generator.data.torch_adapter import TorchSyntheticDataset, ctc_collate

ALPHABET = "0123456789-"  # class k + 1 is ALPHABET[k]; 0 is the CTC blank
WIDTH = 256
SPACING = (0, 6)
TRAIN_SEED = 20261124
EVAL_SEED = 777


# --------------------------------------------------------------------------- data


def train_spec(
    augment: str | None,
    length: int,
    *,
    seed: int = TRAIN_SEED,
    spacing: tuple[int, int] | None = None,
    writer: str | None = None,
) -> dict:
    """Training images: MNIST ``train`` glyphs only; phone numbers and free digit strings.

    ``spacing`` and ``writer`` left as ``None`` take the preset's option
    defaults (``realistic``: touching digits, one writer per number), else
    :data:`SPACING` and any writer.
    """
    preset_options = getattr(resolve_augment(augment), "options", {})
    if spacing is None and "spacing" not in preset_options:
        spacing = SPACING
    return {
        "seed": seed,
        "length": length,
        "dataset": "mnist",
        "split": "train",
        **({"spacing": list(spacing)} if spacing is not None else {}),
        **({"writer": writer} if writer is not None else {}),
        "width": WIDTH,
        "augment": augment,
        "draw": [
            {"kind": "phone", "weight": 3},
            {"kind": "digits", "weight": 1, "length": [4, 13]},
        ],
    }


def eval_spec(augment: str | None, length: int, *, seed: int = EVAL_SEED) -> dict:
    """Evaluation images: phone numbers from MNIST ``test`` glyphs (unseen writers), fixed by ``seed``.

    A preset that carries its own spacing (``realistic``: touching digits) keeps it; the others use
    :data:`SPACING`.
    """
    preset_options = getattr(resolve_augment(augment), "options", {})
    return {
        "seed": seed,
        "length": length,
        "dataset": "mnist",
        "split": "test",
        **({} if "spacing" in preset_options else {"spacing": list(SPACING)}),
        "width": WIDTH,
        "augment": augment,
        "draw": {"kind": "phone"},
    }


def loader(spec: dict, batch_size: int, workers: int) -> DataLoader:
    """Batches in index order (sample ``i`` depends only on ``(spec, i)``)."""
    dataset = TorchSyntheticDataset(spec)
    if dataset.alphabet != ALPHABET:
        raise ValueError(f"spec alphabet {dataset.alphabet!r} differs from the model's {ALPHABET!r}")
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=workers,
        collate_fn=ctc_collate,
        persistent_workers=workers > 0,
        prefetch_factor=4 if workers > 0 else None,
    )


# --------------------------------------------------------------------------- real crops (--eval-dir)

#: Percentile of a crop's grey levels taken as its paper (-> 1.0); ink is taken among the darker pixels.
PAPER_PERCENTILE, INK_PERCENTILE = 90, 10
#: Columns of ``labels.csv`` accepted as the label, in order of preference (``number``: the CLI's phone files).
LABEL_COLUMNS = ("label", "number", "text")


def prepare_crop(grey: np.ndarray, width: int = WIDTH, height: int = 28) -> np.ndarray:
    """A crop of real handwriting as the model sees generated images.

    1. **Polarity**: paper is taken to be the majority of the crop; if its
       median grey is closer to the darkest level than to the lightest, the
       crop is light ink on dark paper and is inverted.
    2. **Contrast**: the paper level is the :data:`PAPER_PERCENTILE` th
       percentile; the ink level is the :data:`INK_PERCENTILE` th percentile
       of the pixels darker than halfway from the darkest pixel to the paper
       (so sparse ink still counts, and a speck of dust does not set it).
       Ink maps to 0.0 and paper to 1.0, linearly, clipped to [0, 1]; a crop
       with one grey level is all paper.
    3. **Size**: scaled to ``height`` rows keeping its aspect ratio (area
       averaging when shrinking, bilinear when enlarging); a crop then wider
       than ``width`` is scaled down to fit it.
    4. **Canvas**: centred on a paper (1.0) canvas of ``height x width``,
       like a generated image.

    Parameters
    ----------
    grey : ndarray, shape (H, W)
        Grey levels of any range and dtype, either polarity.
    width, height : int
        Canvas size in pixels (the model's input).

    Returns
    -------
    ndarray, shape (height, width), float32
        1.0 = paper, 0.0 = ink.
    """
    grey = np.asarray(grey, dtype=np.float32)
    if grey.ndim != 2 or grey.shape[0] < 1 or grey.shape[1] < 1:
        raise ValueError(f"a crop must be a non-empty 2-D grey image, got shape {grey.shape}")
    darkest, median, lightest = grey.min(), np.median(grey), grey.max()
    if median - darkest < lightest - median:
        grey = darkest + lightest - grey
    paper = np.percentile(grey, PAPER_PERCENTILE)
    dark = grey[grey < (grey.min() + paper) / 2]
    ink = np.percentile(dark, INK_PERCENTILE) if dark.size else paper
    if paper > ink:
        normalised = np.clip((grey - ink) / (paper - ink), 0.0, 1.0)
    else:
        normalised = np.ones_like(grey)
    h, w = grey.shape
    scale = min(height / h, width / w)
    size = (max(1, min(width, round(w * scale))), max(1, min(height, round(h * scale))))  # cv2 order: (w, h)
    resized = cv2.resize(normalised, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.ones((height, width), dtype=np.float32)
    top, left = (height - size[1]) // 2, (width - size[0]) // 2
    canvas[top : top + size[1], left : left + size[0]] = np.clip(resized, 0.0, 1.0)
    return canvas


def read_grey(path: Path) -> np.ndarray:
    """An image file's grey levels: RGB(A), palette or grey, 8 or 16 bits; transparency over white paper."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
            return np.asarray(image, dtype=np.float32)
        if "A" in image.getbands() or "transparency" in image.info:
            image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
        return np.asarray(image.convert("L"), dtype=np.float32)


def load_eval_dir(directory: Path, alphabet: str = ALPHABET, width: int = WIDTH) -> tuple[np.ndarray, list[str]]:
    """The labelled crops of ``directory`` as model inputs.

    ``directory/labels.csv`` has a header naming ``file_name`` and a label
    column (``label``, or ``number``/``text`` as the CLI writes them); labels
    are read as text (leading zeros kept).  Each file is read by
    :func:`read_grey` and prepared by :func:`prepare_crop`.

    Returns
    -------
    images : ndarray, shape (N, 1, 28, width), float32
    labels : list of str

    Raises
    ------
    ValueError
        No ``labels.csv``, no usable columns, no rows, a missing or unreadable
        image, an empty label, or a label with characters outside ``alphabet``
        (the message names the file and the characters).
    """
    from PIL import UnidentifiedImageError

    table = Path(directory) / "labels.csv"
    if not table.is_file():
        raise ValueError(f"--eval-dir {directory}: no labels.csv (columns file_name,label)")
    with open(table, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        label_column = next((c for c in LABEL_COLUMNS if c in columns), None)
        if "file_name" not in columns or label_column is None:
            raise ValueError(f"{table}: header must name file_name and label, got {','.join(columns)!r}")
        rows = [(row["file_name"], row[label_column] or "") for row in reader]
    if not rows:
        raise ValueError(f"{table}: no crops listed")
    images, labels = [], []
    for name, label in rows:
        outside = sorted(set(label) - set(alphabet))
        if not label or outside:
            problem = "an empty label" if not label else f"characters {''.join(outside)!r} the model cannot read"
            raise ValueError(f"{table}: {name!r} has {problem} (alphabet {alphabet!r})")
        try:
            grey = read_grey(Path(directory) / name)
        except (OSError, UnidentifiedImageError) as exc:
            raise ValueError(f"{table}: cannot read image {name!r} ({exc})") from None
        images.append(prepare_crop(grey, width))
        labels.append(label)
    return np.stack(images)[:, None], labels


def batches_of(images: np.ndarray, texts: list[str], size: int = 128) -> list[dict]:
    """Evaluation batches (as :func:`evaluate` takes them) of prepared images and their labels."""
    return [
        {"images": torch.from_numpy(images[i : i + size]), "texts": texts[i : i + size]}
        for i in range(0, len(texts), size)
    ]


# --------------------------------------------------------------------------- model


class CRNN(nn.Module):
    """Conv encoder (28 x W -> 7 x W/4) + a 1-D conv over the sequence + linear CTC head.

    Output: ``(T = W / 4, B, classes)`` log-probabilities.  Convolutions only
    (no recurrent layer): on a 2-core CPU a GRU over 64 frames cost more than
    the whole encoder, and the receptive field of the 1-D conv (5 frames =
    20 input pixels on top of the encoder's) already spans a digit and its
    neighbours.  About 0.17 M parameters.
    """

    def __init__(self, classes: int = len(ALPHABET) + 1, channels=(16, 32, 64), hidden: int = 128):
        super().__init__()
        c1, c2, c3 = channels

        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

        self.encoder = nn.Sequential(
            *block(1, c1),
            nn.MaxPool2d(2),  # 14 x W/2
            *block(c1, c2),
            nn.MaxPool2d(2),  # 7 x W/4
            *block(c2, c3),
        )
        self.project = nn.Linear(c3 * 7, hidden)
        self.context = nn.Conv1d(hidden, hidden, 5, padding=2)
        self.head = nn.Linear(hidden, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.encoder(1.0 - images)  # ink = 1, paper = 0; -> B, C, 7, T
        b, c, h, t = x.shape
        x = torch.relu(self.project(x.permute(0, 3, 1, 2).reshape(b, t, c * h)))  # B, T, hidden
        x = torch.relu(self.context(x.transpose(1, 2))).permute(2, 0, 1)  # T, B, hidden
        return self.head(x).log_softmax(-1)


# --------------------------------------------------------------------------- decoding and metrics


def greedy_decode(log_probs: torch.Tensor, alphabet: str = ALPHABET) -> list[str]:
    """Best path: argmax per frame, merge repeats, drop blanks (class 0). ``log_probs`` is ``(T, B, C)``."""
    best = log_probs.argmax(-1).T.tolist()  # B lists of T classes
    out = []
    for path in best:
        chars, previous = [], 0
        for k in path:
            if k != previous and k != 0:
                chars.append(alphabet[k - 1])
            previous = k
        out.append("".join(chars))
    return out


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ca != cb))
    return row[-1]


def accuracy(predictions: list[str], targets: list[str]) -> dict[str, float]:
    """``char``: 1 - total edit distance / total target length (floored at 0); ``sequence``: exact matches."""
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"need equally many predictions and targets, got {len(predictions)} and {len(targets)}")
    errors = sum(edit_distance(p, t) for p, t in zip(predictions, targets))
    chars = sum(len(t) for t in targets)
    return {
        "char": max(0.0, 1.0 - errors / chars),
        "sequence": sum(p == t for p, t in zip(predictions, targets)) / len(targets),
    }


@torch.no_grad()
def evaluate(model: nn.Module, batches) -> tuple[dict[str, float], list[str], list[str], list[np.ndarray]]:
    """Accuracy over ``batches`` (from :func:`loader`), with predictions, targets and images."""
    model.eval()
    predictions, targets, images = [], [], []
    for batch in batches:
        predictions += greedy_decode(model(batch["images"]))
        targets += batch["texts"]
        images += [im[0].numpy() for im in batch["images"]]
    model.train()
    return accuracy(predictions, targets), predictions, targets, images


def cached(batches) -> list[dict]:
    """Materialise an evaluation loader once (it is evaluated many times)."""
    return [{"images": b["images"], "texts": b["texts"]} for b in batches]


# --------------------------------------------------------------------------- training


def train(
    model: nn.Module, batches, steps: int, *, lr: float = 3e-3, log_every: int = 25, on_step=None, progress: bool = True
) -> list[tuple[int, float]]:
    """Optimise CTC loss for ``steps`` batches; returns ``(step, mean loss since last log)`` pairs.

    ``on_step(step)``, if given, is called after every optimiser step (1-based).
    """
    from tqdm import tqdm

    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps, pct_start=0.15)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    history, running = [], []
    bar = tqdm(total=steps, unit="step", disable=not progress, dynamic_ncols=True)
    model.train()
    for step, batch in enumerate(batches, 1):
        log_probs = model(batch["images"])
        t, b, _ = log_probs.shape
        loss = ctc(log_probs, batch["targets"], torch.full((b,), t, dtype=torch.int64), batch["target_lengths"])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimiser.step()
        schedule.step()
        running.append(loss.item())
        bar.update(1)
        if step % log_every == 0 or step == steps:
            history.append((step, float(np.mean(running))))
            bar.set_postfix(loss=f"{history[-1][1]:.3f}")
            running = []
        if on_step is not None:
            on_step(step)
        if step == steps:
            break
    bar.close()
    return history


# --------------------------------------------------------------------------- figures


def plot_curves(path: Path, losses, curve, title: str) -> None:
    """Loss (log scale) and clean-test accuracy against steps, one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=100)
    ax1.plot([s for s, _ in losses], [v for _, v in losses], color="tab:blue")
    ax1.set(xlabel="step", ylabel="CTC loss", yscale="log", title="training loss")
    ax1.grid(alpha=0.3)
    if curve:
        steps = [c["step"] for c in curve]
        ax2.plot(steps, [100 * c["char"] for c in curve], label="per character", color="tab:green")
        ax2.plot(steps, [100 * c["sequence"] for c in curve], label="whole number", color="tab:orange")
    ax2.set(xlabel="step", ylabel="accuracy (%)", ylim=(0, 100), title="clean test-split phone numbers")
    ax2.grid(alpha=0.3)
    ax2.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)


def prediction_sheet(path: Path, images, predictions, targets, *, count: int = 24, scale: int = 2) -> None:
    """Test images with their predictions; wrong ones (up to half the sheet) in red with the truth."""
    from PIL import Image, ImageDraw

    wrong = [k for k, (p, t) in enumerate(zip(predictions, targets)) if p != t][: count // 2]
    right = [k for k, (p, t) in enumerate(zip(predictions, targets)) if p == t][: count - len(wrong)]
    chosen = sorted(wrong + right)
    columns, label_h, margin = 2, 14, 8
    cell_w, cell_h = WIDTH * scale + margin, 28 * scale + label_h + margin
    rows = -(-len(chosen) // columns)
    page = Image.new("RGB", (columns * cell_w + margin, rows * cell_h + margin), "white")
    draw = ImageDraw.Draw(page)
    for n, k in enumerate(chosen):
        x, y = margin + (n % columns) * cell_w, margin + (n // columns) * cell_h
        tile = Image.fromarray(np.clip(images[k] * 255 + 0.5, 0, 255).astype(np.uint8), "L")
        page.paste(
            tile.resize((tile.width * scale, tile.height * scale), Image.Resampling.NEAREST).convert("RGB"), (x, y)
        )
        ok = predictions[k] == targets[k]
        colour = (0, 110, 0) if ok else (200, 0, 0)
        draw.rectangle((x - 1, y - 1, x + WIDTH * scale, y + 28 * scale), outline=colour, width=1 if ok else 2)
        label = f"read {predictions[k]!r}" + ("" if ok else f"  WRONG, truth {targets[k]!r}")
        draw.text((x, y + 28 * scale + 2), label, fill=colour)
    tmp = path.with_name(path.name + ".tmp.png")
    page.save(tmp)
    tmp.replace(path)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2400, help="optimiser steps (default 2400)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate of the one-cycle schedule")
    parser.add_argument(
        "--augment",
        default="medium",
        help=f"training augmentation: a preset ({', '.join(PRESET_NAMES)}) or pipeline file; 'none' for the ablation",
    )
    parser.add_argument(
        "--spacing",
        nargs=2,
        type=int,
        default=None,
        metavar=("MIN", "MAX"),
        help=f"gap between training digits, px, -13 to 1000 (default: the preset's, else {SPACING[0]} {SPACING[1]}); "
        "test sets keep the default",
    )
    parser.add_argument(
        "--writer",
        choices=("any", "same"),
        default=None,
        help="training strings: 'same' draws every digit of a string from one writer (default: the preset's, else any)",
    )
    parser.add_argument(
        "--eval-dir", type=Path, help="also score on this folder of real labelled crops (labels.csv: file_name,label)"
    )
    parser.add_argument("--model", type=Path, help="load this model.pt and score it instead of training")
    parser.add_argument("--eval-count", type=int, default=2000, help="test-split phone numbers per evaluation set")
    parser.add_argument("--curve-count", type=int, default=256, help="clean test images scored at each log point")
    parser.add_argument("--curve-every", type=int, default=200, help="steps between accuracy points of the curve")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--loader-workers", type=int, default=1, help="DataLoader worker processes making images")
    parser.add_argument("--seed", type=int, default=0, help="model initialisation seed")
    parser.add_argument("--out", type=Path, default=Path("runs/recognizer"), help="output directory")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    augment = None if args.augment in ("none", "") else args.augment
    spacing = tuple(args.spacing) if args.spacing is not None else None
    # Bad arguments and unreadable crops stop the run before any training, as one line (exit 2).
    try:
        real = load_eval_dir(args.eval_dir) if args.eval_dir is not None else None
        train_batches = loader(
            train_spec(augment, args.steps * args.batch_size, spacing=spacing, writer=args.writer),
            args.batch_size,
            args.loader_workers,
        )
        model = CRNN()
        if args.model is not None:
            model.load_state_dict(torch.load(args.model, map_location="cpu", weights_only=True))
    except (ValueError, OSError, RuntimeError, pickle.UnpicklingError) as exc:
        parser.error(str(exc).splitlines()[0])
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    curve: list[dict] = []
    losses: list[tuple[int, float]] = []
    if args.model is None:
        curve_set = cached(loader(eval_spec(None, args.curve_count), 128, 0))

        def on_step(step: int) -> None:
            if step % args.curve_every == 0 or step == args.steps:
                scores, *_ = evaluate(model, curve_set)
                curve.append({"step": step, **scores})

        losses = train(model, train_batches, args.steps, lr=args.lr, on_step=on_step, progress=not args.no_progress)
    train_seconds = time.perf_counter() - started

    sets = {
        name: loader(eval_spec(preset, args.eval_count), 128, 0)
        for name, preset in (("clean", None), ("heavy", "heavy"), ("realistic", "realistic"))
    }
    if real is not None:
        sets["eval_dir"] = batches_of(*real)
    results = {}
    for name, batches in sets.items():
        scores, predictions, targets, images = evaluate(model, batches)
        results[name] = scores | ({"count": len(targets)} if name == "eval_dir" else {})
        prediction_sheet(args.out / f"predictions-{name.replace('_', '-')}.png", images, predictions, targets)
    total_seconds = time.perf_counter() - started

    if args.model is None:
        title = f"CRNN-CTC, train augmentation {args.augment!r}, {args.steps} steps x {args.batch_size}"
        plot_curves(args.out / "curves.png", losses, curve, title)
        torch.save(model.state_dict(), args.out / "model.pt")
    report = {
        "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "test_clean": results["clean"],
        "test_heavy": results["heavy"],
        "test_realistic": results["realistic"],
        **({"eval_dir": results["eval_dir"]} if real is not None else {}),
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(total_seconds, 1),
        "final_loss": losses[-1][1] if losses else None,
        "curve": curve,
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}",
    }
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    real_line = (
        f" | {args.eval_dir}: {100 * results['eval_dir']['char']:.2f}% / {100 * results['eval_dir']['sequence']:.2f}%"
        if real is not None
        else ""
    )
    print(
        f"clean test: {100 * results['clean']['char']:.2f}% per character, "
        f"{100 * results['clean']['sequence']:.2f}% whole number | heavy test: "
        f"{100 * results['heavy']['char']:.2f}% / {100 * results['heavy']['sequence']:.2f}% | realistic test: "
        f"{100 * results['realistic']['char']:.2f}% / {100 * results['realistic']['sequence']:.2f}%{real_line} | "
        f"{total_seconds / 60:.1f} min"
    )
    return report


if __name__ == "__main__":
    main()
