"""The ``apidisco`` command line: a thin shell over :mod:`apidisco.services`."""
