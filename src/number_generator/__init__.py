"""Images of handwritten digit sequences made from real MNIST glyphs, with exact labels.

The image contract: ``numpy.float32``, shape ``(28, image_width)``,
1.0 = white background, 0.0 = black ink.

>>> from number_generator import draw, generate_numbers_sequence
>>> image = generate_numbers_sequence("0123456789", (0, 4), 300, seed=0)
>>> image.shape, image.dtype
((28, 300), dtype('float32'))
>>> draw("12 34", spacing=(0, 2), width=200, seed=0).text
'12 34'

:func:`draw` is the one verb (any string, any dataset, returns a
:class:`Sample`); the other generating functions are thin wrappers over it.
"""

from importlib.metadata import version

from number_generator.core.options import Options
from number_generator.core.render import (
    draw,
    generate_numbers_sequence,
    generate_text_sequence,
    render_sequence,
    render_text,
)
from number_generator.core.sample import Sample
from number_generator.core.validation import InvalidTypeError
from number_generator.data.dataset import DatasetSpec, IterableSyntheticDataset, SyntheticDataset, load_spec
from number_generator.data.phone import FORMATS as PHONE_FORMATS
from number_generator.data.phone import (
    PhoneNumberImage,
    generate_phone_number,
    random_phone_number,
    render_phone_number,
)
from number_generator.data.phone_batch import PhoneNumberBatch, generate_phone_numbers
from number_generator.export.shards import export_dataset, verify_export

__version__ = version("number-generator")

__all__ = [
    "DatasetSpec",
    "InvalidTypeError",
    "Options",
    "draw",
    "IterableSyntheticDataset",
    "SyntheticDataset",
    "export_dataset",
    "load_spec",
    "verify_export",
    "PHONE_FORMATS",
    "PhoneNumberBatch",
    "PhoneNumberImage",
    "Sample",
    "__version__",
    "generate_numbers_sequence",
    "generate_phone_number",
    "generate_phone_numbers",
    "generate_text_sequence",
    "random_phone_number",
    "render_phone_number",
    "render_sequence",
    "render_text",
]
