"""The QC workflows' input error, free of flytekit so the flytekit-free scans (and the
bench's bare processes) can raise it too."""


class QcInputError(ValueError):
    """The input is not what its kind promises; the message says where."""
