"""Errors caused by user input (a file, a config value, the machine).

Each message names the file or value, what is wrong with it and the fix.
``tools/train.py`` and ``tools/test.py`` print a :class:`UserError` as one
clean message and exit with status 1 instead of showing a traceback.
"""


class UserError(Exception):
    """Base of the errors the tools report without a traceback."""


class ConfigError(UserError, ValueError):
    """A config value or command-line option is invalid."""


class DeviceError(UserError, RuntimeError):
    """The machine lacks a device the run asks for (e.g. CUDA for AMP)."""


class CheckpointError(UserError, ValueError):
    """A checkpoint file cannot be read, or does not fit the model."""


class ResumeError(UserError, ValueError):
    """Resuming would continue another run (other model, data or state)."""


class NonFiniteLossError(UserError, FloatingPointError):
    """A loss term or gradient became NaN or inf during training."""


class WorkDirError(UserError, RuntimeError):
    """The work dir cannot hold the run's logs and checkpoints."""


class CheckpointSaveError(UserError, RuntimeError):
    """Writing a checkpoint failed; the previous one was left intact."""


class DataError(UserError, RuntimeError):
    """The data a config points at cannot be loaded: a download failed, a
    file cannot be read."""


class DataFileNotFoundError(DataError, FileNotFoundError):
    """A data file the config points at (IDX files, an annotation file,
    the images it lists) does not exist."""


__all__ = [
    'UserError', 'ConfigError', 'DeviceError', 'CheckpointError',
    'ResumeError', 'NonFiniteLossError',
    'WorkDirError', 'CheckpointSaveError', 'DataError',
    'DataFileNotFoundError'
]
