"""``python -m apidisco``: the same entry point as the ``apidisco`` command."""

from apidisco.cli.launch import main

if __name__ == "__main__":
    main()
