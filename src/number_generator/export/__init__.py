"""Exports: datasets written to disk (or any fsspec URL) in verifiable, resumable shards, and the CLI's files.

- :mod:`~number_generator.export.shards`: :func:`export_dataset` (the entry point) and :class:`ExportResult`;
- :mod:`~number_generator.export.storage`: local folder or fsspec URL, atomic writes, per-run temporary names;
- :mod:`~number_generator.export.lock`: one run at a time per output folder;
- :mod:`~number_generator.export.layout`: names of shards and sample files (shards, or a flat PNG folder);
- :mod:`~number_generator.export.formats`: one writer per format (PNG, NPZ, WebDataset), shared with the REST API;
- :mod:`~number_generator.export.manifest`: ``manifest.json``, validated before use;
- :mod:`~number_generator.export.worker` and :mod:`~number_generator.export.engines`: one shard, and the engines
  that run many (this process, a local pool, Dask);
- :mod:`~number_generator.export.verify`: :func:`verify_export`, also run on every resume;
- :mod:`~number_generator.export.files`: single PNGs, phone-number folders, previews and the demo of the CLI.
"""
