"""Flushing subnormal floats to zero while keraslite computes, as TensorFlow
and XLA do on the CPU.

TensorFlow runs its CPU kernels with the processor's flush-to-zero and
denormals-are-zero modes on (its `port::ScopedFlushDenormal`), and so does
JAX: a float32 result below 1.18e-38 becomes 0, and such an input counts as
0. NumPy keeps IEEE subnormals, and on x86 every vector instruction that
meets one takes a microcode assist of ~100 cycles: in the book's MNIST fit,
RMSprop's velocities of rarely lit border pixels decay below that bound
(thousands of them by the second epoch), and an elementwise pass over a
block holding subnormals ran ~45x slower than over normal floats (64K
float32: 344 us against 7.6).

`flush_denormals()` turns both modes on for the calling thread and restores
the thread's previous mode on exit; the training, test and predict steps run
inside it, so keraslite computes Keras's numbers there, and faster. Code
outside (a user's callbacks, `model(x)` called directly) keeps IEEE
arithmetic. The BLAS library's own threads keep their mode. A thread
started inside the scope inherits the mode (POSIX threads copy their
creator's floating-point environment).

NOTE: the mode lives in the x86 MXCSR register, set through the C library's
`fegetenv`/`fesetenv` (glibc and musl lay out `fenv_t` alike, MXCSR last).
On other platforms (Arm, macOS, Windows) `flush_denormals()` does nothing
and keraslite computes IEEE subnormals there.
"""
import sys
import threading

_MXCSR_FTZ_DAZ = 0x8040  # bit 15 flush-to-zero, bit 6 denormals-are-zero
_FENV_WORDS = 8  # x86-64 fenv_t: 28 bytes of x87 state, then the MXCSR word
_STATE = threading.local()  # .depth: nesting of flush_denormals in this thread
_LIBM = []  # (fegetenv, fesetenv), or None where unsupported; set on first use


def _functions():
    if not _LIBM:
        _LIBM.append(_load())
    return _LIBM[0]


def _load():
    import platform  # here, not at import: `import keraslite` stays quick

    if not sys.platform.startswith("linux") or \
            platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    import ctypes

    try:
        try:
            libm = ctypes.CDLL("libm.so.6")  # glibc
        except OSError:
            libm = ctypes.CDLL(None)  # musl: in libc, already loaded
        get, set_ = libm.fegetenv, libm.fesetenv
    except (OSError, AttributeError):
        return None
    for function in (get, set_):
        function.restype = ctypes.c_int
    # Check the layout once: the MXCSR word read back must hold the bits set.
    saved = _fenv()
    if get(saved) != 0:
        return None
    flushed = _fenv()
    get(flushed)
    flushed[-1] |= _MXCSR_FTZ_DAZ
    check = _fenv()
    ok = set_(flushed) == 0 and get(check) == 0 and \
        check[-1] & _MXCSR_FTZ_DAZ == _MXCSR_FTZ_DAZ
    set_(saved)
    return (get, set_) if ok else None


def _fenv():
    import ctypes

    return (ctypes.c_uint32 * _FENV_WORDS)()


def supported():
    """Whether `flush_denormals` can set the mode on this platform."""
    return _functions() is not None


def flushing():
    """Whether the calling thread is inside `flush_denormals()`."""
    return getattr(_STATE, "depth", 0) > 0


class flush_denormals:
    """Context manager: subnormal float results and inputs count as zero in
    the calling thread (a no-op where unsupported, or with `enabled=False`).

    Example:
    ```
    with flush_denormals():
        y = x * np.float32(1e-30)  # 0.0 where x * 1e-30 < 1.18e-38
    ```
    """

    __slots__ = ("enabled", "_restore")

    def __init__(self, enabled=True):
        self.enabled = enabled
        self._restore = None  # the MXCSR word to put back on exit

    def __enter__(self):
        if not self.enabled:
            return self
        state = _STATE.__dict__
        depth = state.get("depth", 0)
        state["depth"] = depth + 1
        if depth > 0:
            return self  # nested: the outer scope set the mode already
        functions = _LIBM[0] if _LIBM else _functions()
        if functions is None:
            return self
        env = state.get("env") or state.setdefault("env", _fenv())
        functions[0](env)
        word = env[-1]
        if word & _MXCSR_FTZ_DAZ != _MXCSR_FTZ_DAZ:
            env[-1] = word | _MXCSR_FTZ_DAZ
            functions[1](env)
            self._restore = word  # the thread was not flushing before
        return self

    def __exit__(self, *exc):
        if self.enabled:
            state = _STATE.__dict__
            state["depth"] -= 1
            if self._restore is not None:
                # The environment read on entry (kept in `env`: nested scopes
                # and other threads do not touch it), with its MXCSR word:
                # one C call, not a read and a write (~0.5 us per predict).
                env = state["env"]
                env[-1], self._restore = self._restore, None
                _LIBM[0][1](env)
        return False
