"""``python -m apidisco``: the same entry point as the ``apidisco`` command."""

from apidisco.cli.main import main

if __name__ == "__main__":
    main()
