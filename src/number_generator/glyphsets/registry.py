"""One registry of glyph sources, by name: everything that draws glyphs looks them up here."""

from __future__ import annotations

from collections.abc import Callable

from number_generator.glyphsets.source import GlyphSource

_SOURCES: dict[str, GlyphSource] = {}
_ON_REPLACE: list[Callable[[], None]] = []


def register_dataset(source: GlyphSource) -> None:
    """Add (or replace) a source in the registry; replacing one runs the :func:`on_replace` callbacks."""
    replaced = source.name in _SOURCES
    _SOURCES[source.name] = source
    if replaced:
        for callback in _ON_REPLACE:
            callback()


def on_replace(callback: Callable[[], None]) -> None:
    """Call ``callback()`` whenever a registered name gets a new source (caches of loaded glyphs drop theirs)."""
    _ON_REPLACE.append(callback)


def dataset_names() -> list[str]:
    """Names of all registered sources, sorted."""
    return sorted(_SOURCES)


def get_dataset(name: str) -> GlyphSource:
    """Look a source up by name; ``ValueError`` lists the known names."""
    try:
        return _SOURCES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(dataset_names())}") from None


def registered(name: str) -> GlyphSource | None:
    """The source registered as ``name``, or ``None``."""
    return _SOURCES.get(name)
