"""The exceptions the shim raises for the pitfalls the linter names, in one place.

`runtime.check` reports them as findings and the differential suite's labeller maps its programs'
exceptions with the same table. Measured with TensorFlow 2.21 + tf-keras 2.21 (see the runtime tests).
No TensorFlow import here: an exception is read through its type, message and traceback.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass

# Message fragment -> the code whose rule documents it.
MESSAGES: tuple[tuple[str, str], ...] = (
    ("only supports singleton tf.Variables", "TFS105"),
    ("must be applied to a method of a subclassed", "TFS108"),
    ("Tried to call get_or_create_layer in eager mode", "TFS109"),
    ("Trying to share variable", "TFS113"),
    # `get_variable` with no shim store inside a tf.function, in a process that made no variable store
    # before (what runtime.check leaves it as): it raises instead of creating untracked variables; the
    # decorator is what fixes it.
    ("Tensor.op is undefined when eager execution is enabled", "TFS107"),
    # A name that changed since it was made (a uniquified scope or template), asked for under reuse=True.
    ("does not exist, or was not created with tf.get_variable()", "TFS102"),
)
# A `get_or_create_layer` builder called without the arguments it needs fails in this function.
_BUILDER_CALLER = ("variable_scope_shim", "get_or_create_layer")
# Keras wraps an exception raised in `call` into one of the same type with this first line.
_KERAS_WRAPPER = "Exception encountered when calling layer"
# A tf.function error quotes the user's frames, then the original `Type: message`.
_USER_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\w+)', re.M)
_QUOTED_ERROR = re.compile(r"^\s*(?P<type>[A-Za-z_][\w.]*(?:Error|Exception)): (?P<message>.+)$", re.M)
# Frames that are not where the user's code went wrong: installed packages, and the copies of a traced function
# autograph writes (the user's line is then the caller's).
_LIBRARIES = re.compile(
    r"[/\\](site-packages|dist-packages|tensorflow|tf_keras|keras|tf2lint[/\\]runtime)[/\\]|[/\\]__autograph_generated_file"
)


# Where something happened in the user's code: its frames (file, line), outermost first.
Stack = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RaisedError:
    """What an exception says, read once: its code (None when no pitfall explains it) and where."""

    code: str | None
    type: str
    first_line: str
    where: str | None  # "file:line in function" of the innermost user frame, when known
    frames: Stack = ()  # the user's frames, outermost first

    def __str__(self) -> str:
        return f"{self.type}: {self.first_line}"


def original(exc: BaseException) -> BaseException:
    """The exception Keras wrapped (it re-raises a copy with the layer's name and arguments around it)."""
    while str(exc).startswith(_KERAS_WRAPPER) and exc.__suppress_context__ and exc.__context__ is not None:
        exc = exc.__context__
    return exc


def _message_lines(exc: BaseException) -> list[str]:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if lines and lines[0].startswith(_KERAS_WRAPPER):
        lines = lines[1:]
    return lines


def _type_and_first_line(exc: BaseException) -> tuple[str, str]:
    lines = _message_lines(exc)
    if lines and lines[0] == "in user code:":
        quoted = _QUOTED_ERROR.findall(str(exc))
        if quoted:
            error_type, message = quoted[-1]
            return error_type.rsplit(".", 1)[-1], message.strip()
    return type(exc).__name__, lines[0] if lines else ""


def is_library_file(filename: str) -> bool:
    """Whether a frame of this file is inside TensorFlow, Keras, an installed package or tf2lint's runtime."""
    return bool(_LIBRARIES.search(filename))


def _user_frames(exc: BaseException) -> list[tuple[str, int, str]]:
    """(file, line, function) of the user's frames, outermost first: those a `tf.function` error quotes, else
    the traceback's."""
    frames = [(m["file"], int(m["line"]), m["function"]) for m in _USER_FRAME.finditer(str(exc))]
    frames = frames or [(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(exc.__traceback__)]
    return [frame for frame in frames if not is_library_file(frame[0])]


def _builder_failed(exc: BaseException) -> bool:
    """A TypeError raised by the call of a `get_or_create_layer` builder (its arguments did not bind)."""
    if not isinstance(exc, TypeError):
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    module, function = _BUILDER_CALLER
    return module in frames[-1].filename and frames[-1].name == function


def read(exc: BaseException) -> RaisedError:
    exc = original(exc)
    error_type, first_line = _type_and_first_line(exc)
    code = next((code for text, code in MESSAGES if text in str(exc)), None)
    if code is None and _builder_failed(exc):
        code = "TFS109"
    user = _user_frames(exc)
    where = f"{user[-1][0]}:{user[-1][1]} in {user[-1][2]}" if user else None
    return RaisedError(code, error_type, first_line[:300], where, tuple((file, line) for file, line, _ in user))
