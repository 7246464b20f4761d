"""``python -m number_generator``: the ``number-generator`` command (as the original project's README runs it)."""

from number_generator.cli import main

if __name__ == "__main__":
    main()
