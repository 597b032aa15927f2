"""Ctrl-C during `fit`: finish the current batch, then stop cleanly.

Python raises KeyboardInterrupt wherever the main thread happens to be,
which may be halfway through the optimizer's in-place update of the
weights. While `fit` runs, `DeferredInterrupt` replaces that with a flag:
the first Ctrl-C sets `model.stop_training`, the training loop ends after
the batch in progress, and `fit` then raises KeyboardInterrupt itself.
"""
import signal
import sys
import threading


class DeferredInterrupt:
    """Context manager turning the first SIGINT into a stop request.

    It only acts in the main thread and only when SIGINT has Python's
    default handler (`signal.default_int_handler`): a handler installed by
    the application, SIG_IGN, or a call from another thread are left
    alone. On the first SIGINT the previous handler is put back, so a
    second Ctrl-C interrupts at once (without the consistency guarantee).

    Args:
        model: The model whose `stop_training` is set on the first SIGINT.

    Example:
    >>> with DeferredInterrupt(model) as interrupt:
    ...     train()  # checks model.stop_training after each batch
    ...     if interrupt.requested:
    ...         raise KeyboardInterrupt
    """

    def __init__(self, model):
        self.model = model
        self.requested = False
        self._previous = None
        self._installed = False

    def __enter__(self):
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            try:
                self._previous = signal.signal(signal.SIGINT, self._handle)
                self._installed = True
            except ValueError:  # not the main interpreter
                pass
        return self

    def _handle(self, signum, frame):
        self.requested = True
        self.model.stop_training = True
        signal.signal(signal.SIGINT, self._previous)
        sys.stderr.write(
            "\nKeyboardInterrupt: fit stops after the current batch "
            "(press Ctrl-C again to stop at once).\n"
        )
        sys.stderr.flush()

    def __exit__(self, *exc_info):
        if self._installed:
            if signal.getsignal(signal.SIGINT) == self._handle:
                signal.signal(signal.SIGINT, self._previous)
            self._installed = False
        return False
