"""Contact sheets: many samples with their labels on one PNG page."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from number_generator.io.png import to_uint8


def contact_sheet(
    images: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    columns: int = 1,
    scale: int = 2,
    margin: int = 8,
    label_height: int = 14,
):
    """A white page with each image (scaled up by ``scale``, nearest neighbour) above its label.

    Returns a ``PIL.Image.Image`` in mode ``L``.
    """
    from PIL import Image, ImageDraw, ImageFont

    if len(images) != len(labels) or not images:
        raise ValueError(f"need as many labels as images (and at least one), got {len(images)} and {len(labels)}")
    font = ImageFont.load_default()
    cell_w = max(im.shape[1] for im in images) * scale + margin
    cell_h = max(im.shape[0] for im in images) * scale + label_height + margin
    rows = -(-len(images) // columns)
    page = Image.new("L", (columns * cell_w + margin, rows * cell_h + margin), 255)
    draw = ImageDraw.Draw(page)
    for k, (image, label) in enumerate(zip(images, labels)):
        x = margin + (k % columns) * cell_w
        y = margin + (k // columns) * cell_h
        tile = Image.fromarray(to_uint8(image), mode="L")
        tile = tile.resize((tile.width * scale, tile.height * scale), Image.Resampling.NEAREST)
        page.paste(tile, (x, y))
        # A thin frame shows where the image ends on the white page.
        draw.rectangle((x - 1, y - 1, x + tile.width, y + tile.height), outline=200)
        draw.text((x, y + tile.height + 2), label, fill=0, font=font)
    return page
