"""One measurement in a fresh process: `python -m benchmarks.worker TASK ...`.

`benchmarks.run` starts this module once per library and task, so that
keraslite and Keras never share a process (imports, threads, memory) and
each import time is a cold one. Results are written as JSON to `--out`.

Tasks:
    import   time `import LIB` and building + compiling the network.
    book     the book script (load, build, compile, fit, evaluate), then
             latencies, batch predict, peak RSS; for keraslite also the
             verbose=1 fit and the GEMM floors.
    scaled   one (hidden, batch) configuration of the scaled sweep.
    convnet  fits of the chapter-5 convnet; for keraslite also the GEMM
             floor of its im2col lowering.
    lstm     one fit of the book's IMDB LSTM (chapter 6) on the padded
             reviews that `benchmarks.run --lstm` prepared (`--data`).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

# Keep TensorFlow quiet and on the CPU; harmless for keraslite. (A
# keras-jax worker gets KERAS_BACKEND=jax from benchmarks.run.)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")


# The libraries a worker can run: keraslite, and its peers (`benchmarks.run`
# sets KERAS_BACKEND=jax in the environment of a keras-jax worker).
LIBS = ("keraslite", "keras", "keras-jax", "torch")


def _import_library(lib):
    if lib == "keraslite":
        import keraslite

        return keraslite
    if lib in ("keras", "keras-jax"):
        import keras

        return keras
    if lib == "torch":
        from benchmarks import torch_book

        return torch_book
    raise ValueError(f"Unknown library: {lib}")


def build_network(lib, features, hidden, classes):
    """The book's network, built and compiled with `lib`'s public API."""
    if getattr(lib, "IS_PEER", False):  # plain PyTorch: its own module
        return lib.build_network(features, hidden, classes)
    model = lib.Sequential([
        lib.Input(shape=(features,)),
        lib.layers.Dense(hidden, activation="relu"),
        lib.layers.Dense(classes, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def seed(lib, value=0):
    lib.utils.set_random_seed(value)


def load_data(mnist_path, n_train, n_test, classes=10):
    """MNIST as the book prepares it (flattened, /255, one-hot), or random
    data of the same form when `mnist_path` is None (tiny runs only)."""
    import numpy as np

    if mnist_path is None:
        rng = np.random.default_rng(0)
        x_train = rng.random((n_train, 784), dtype=np.float32)
        x_test = rng.random((n_test, 784), dtype=np.float32)
        y_train = rng.integers(0, classes, n_train)
        y_test = rng.integers(0, classes, n_test)
    else:
        with np.load(mnist_path) as data:
            x_train, y_train = data["x_train"][:n_train], data["y_train"][:n_train]
            x_test, y_test = data["x_test"][:n_test], data["y_test"][:n_test]
        x_train = x_train.reshape((len(x_train), -1)).astype("float32") / 255
        x_test = x_test.reshape((len(x_test), -1)).astype("float32") / 255
    eye = np.eye(classes, dtype="float32")
    return (x_train, eye[y_train]), (x_test, eye[y_test])


def epoch_timer(lib):
    """A callback (subclass of `lib`'s Callback) recording epoch seconds."""

    class EpochTimer(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []
            self._start = None

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def median_latency_us(fn, budget_s, min_calls=10, max_calls=2000, warmup=5):
    """Median wall time of `fn()` in microseconds, over as many calls as
    fit in `budget_s` (at least `min_calls`, at most `max_calls`)."""
    for _ in range(warmup):
        fn()
    times = []
    deadline = time.perf_counter() + budget_s
    while len(times) < max_calls:
        start = time.perf_counter()
        fn()
        end = time.perf_counter()
        times.append(end - start)
        if end > deadline and len(times) >= min_calls:
            break
    return statistics.median(times) * 1e6, len(times)


def peak_rss_mb():
    """Peak resident set size of this process so far (ru_maxrss, MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_info():
    """The BLAS NumPy uses (threadpoolctl) and the env vars that steer it."""
    info = {"env": {name: os.environ.get(name) for name in (
        "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    try:
        import threadpoolctl
    except ImportError:
        info["threadpools"] = None
        info["error"] = "threadpoolctl is not installed (pip install threadpoolctl)"
        return info
    import numpy  # noqa: F401  (loads the BLAS so threadpoolctl can see it)

    pools = threadpoolctl.threadpool_info()
    info["threadpools"] = [
        {k: pool.get(k) for k in ("user_api", "internal_api", "prefix",
                                   "version", "architecture", "num_threads",
                                   "threading_layer")}
        for pool in pools
    ]
    blas = [p for p in pools if p.get("user_api") == "blas"]
    if blas:
        info["kernel"] = blas[0].get("architecture")
        info["library"] = f"{blas[0].get('internal_api')} {blas[0].get('version')}"
        info["num_threads"] = blas[0].get("num_threads")
    return info


def best_thread_count(run, record):
    """`run()`'s seconds at the best BLAS thread count: at each of 1 and the
    BLAS's count (unless the BLAS variables fix it), fastest kept; every
    time goes to `record[threads]`. The floor is then the bare products at
    their best, as keraslite's fit measures its own thread count."""
    from keraslite.trainers import blas_threads

    controllers = blas_threads._blas_controllers()
    fixed = any(os.environ.get(name) for name in blas_threads.ENV_VARS)
    if fixed or not controllers:
        seconds = run()
        record.setdefault("default", []).append(seconds)
        return seconds
    original = [c.get_num_threads() for c in controllers]
    best = None
    try:
        for threads in sorted({1, max(original)}):
            for c in controllers:
                c.set_num_threads(threads)
            seconds = run()
            record.setdefault(str(threads), []).append(seconds)
            best = seconds if best is None else min(best, seconds)
    finally:
        for c, threads in zip(controllers, original):
            c.set_num_threads(threads)
    return best


def steady_epoch(epoch_s):
    """The median epoch after the first (the only one if there is one)."""
    return statistics.median(epoch_s[1:]) if len(epoch_s) > 1 else epoch_s[0]


def blas_trials(model):
    """keraslite's BLAS thread trials in its last fit ({threads: median step
    seconds} per trial, and the count kept), or None."""
    chooser = getattr(model, "_blas_threads", None)
    tuner = getattr(chooser, "tuner", None)
    if tuner is None:
        return None
    return {"trials": [{str(k): v for k, v in t.items()} for t in tuner.trials],
            "chosen": tuner.chosen, "stopped": tuner.stopped}


def versions(lib_name):
    import numpy

    out = {"python": sys.version.split()[0], "numpy": numpy.__version__}
    if lib_name == "keras":
        import keras
        import tensorflow as tf

        out.update(keras=keras.__version__, tensorflow=tf.__version__)
    elif lib_name == "keras-jax":
        import jax
        import keras

        out.update(keras=keras.__version__, jax=jax.__version__,
                   keras_backend=keras.backend.backend())
    elif lib_name == "torch":
        import torch

        out.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    else:
        import keraslite

        out.update(keraslite=keraslite.__version__)
    return out


def _history(history):
    return {k: [float(v) for v in values] for k, values in history.history.items()}


# --- tasks ---------------------------------------------------------------------
def task_import(args):
    start = time.perf_counter()
    lib = _import_library(args.lib)
    imported = time.perf_counter()
    build_network(lib, args.features, args.hidden, args.classes)
    end = time.perf_counter()
    return {"import_s": imported - start, "build_compile_s": end - imported,
            "total_s": end - start}


def task_book(args):
    from benchmarks import gemm, numpy_loop

    t0 = time.perf_counter()
    lib = _import_library(args.lib)
    out = {"library_import_s": time.perf_counter() - t0,
           "versions": versions(args.lib), "blas": blas_info()}
    seed(lib)
    t0 = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load_data(
        args.mnist, args.n_train, args.n_test, args.classes)
    out["load_data_s"] = time.perf_counter() - t0
    features = x_train.shape[1]

    # The book script: build, compile, fit, evaluate.
    seed(lib)
    model = build_network(lib, features, args.hidden, args.classes)
    first = fit_once(lib, model, x_train, y_train, args)
    out["history"] = first.pop("history")
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    out["test_loss"], out["test_accuracy"] = float(test_loss), float(test_acc)
    out["peak_rss_mb"] = peak_rss_mb()

    # Latency of one sample, as an application serving requests sees it.
    one = x_test[:1]
    out["predict1_us"], out["predict1_calls"] = median_latency_us(
        lambda: model.predict(one, verbose=0), args.latency_budget)
    out["call1_us"], out["call1_calls"] = median_latency_us(
        lambda: model(one), args.latency_budget)

    # Batch predict of the test set, interleaved with its GEMM floor (so
    # that both see the same machine), best of `repeats`.
    pbs = args.predict_batch_size
    model.predict(x_test, batch_size=pbs, verbose=0)  # warm (Keras traces)
    predict_runs, predict_floor_runs = [], []
    for _ in range(args.repeats):
        if args.lib == "keraslite":
            predict_floor_runs.append(gemm.predict_floor(
                x_test, args.hidden, args.classes, pbs))
        t0 = time.perf_counter()
        model.predict(x_test, batch_size=pbs, verbose=0)
        predict_runs.append(time.perf_counter() - t0)
    out["batch_predict_s"] = min(predict_runs)
    out["batch_predict_runs"] = predict_runs
    out["batch_predict_samples_per_s"] = len(x_test) / min(predict_runs)
    del model

    # More fits (each on a fresh model, same seed), interleaved with the
    # GEMM floor of training and, for keraslite, the fit with verbose=1 to
    # /dev/null. Best of `fit_repeats` for each: the machine is noisy, and
    # noise only ever adds time.
    fits, floor_runs, verbose1_runs, loops = [first], [], [], []
    floor_threads, loop_threads = {}, {}

    def numpy_loop_run():
        weights = numpy_loop.glorot_weights(features, args.hidden, args.classes)
        seconds, epoch_s, _ = numpy_loop.train(
            x_train, y_train, args.batch_size, args.epochs, weights)
        loops.append({"train_s": seconds, "epoch_s": epoch_s})
        return seconds

    for i in range(args.fit_repeats):
        if args.lib == "keraslite":
            floor_runs.append(best_thread_count(lambda: gemm.train_floor(
                x_train, args.hidden, args.classes, args.batch_size,
                args.epochs)[0], floor_threads))
            best_thread_count(numpy_loop_run, loop_threads)
        if i > 0:
            seed(lib)
            model = build_network(lib, features, args.hidden, args.classes)
            fit = fit_once(lib, model, x_train, y_train, args)
            fit.pop("history")
            fits.append(fit)
            del model
        if args.lib == "keraslite":
            seed(lib)
            model = build_network(lib, features, args.hidden, args.classes)
            verbose1_runs.append(
                fit_once(lib, model, x_train, y_train, args, verbose=1)["fit_s"])
            del model
    best = min(fits, key=lambda f: f["fit_s"])
    out["fit_s"] = best["fit_s"]
    out["fit_runs"] = [f["fit_s"] for f in fits]
    out["epoch_s"] = best["epoch_s"]
    # Steady state: the median epoch after the first (Keras's first traces),
    # best over the fits.
    out["steady_epoch_s"] = min(steady_epoch(f["epoch_s"]) for f in fits)
    out["blas_runs"] = [f["blas"] for f in fits]
    out["steps"] = steps = args.epochs * -(-len(x_train) // args.batch_size)
    out["step_s"] = out["fit_s"] / steps
    if args.lib == "keraslite":
        out["fit_verbose1_s"] = min(verbose1_runs)
        out["fit_verbose1_runs"] = verbose1_runs
        out["floor"] = {
            "train_s": min(floor_runs), "train_runs": floor_runs,
            "train_by_threads": floor_threads,
            "train_step_s": min(floor_runs) / steps,
            "predict_s": min(predict_floor_runs),
            "predict_runs": predict_floor_runs,
        }
        best_loop = min(loops, key=lambda r: r["train_s"])
        out["numpy_loop"] = {
            "train_s": best_loop["train_s"],
            "train_runs": [r["train_s"] for r in loops],
            "train_by_threads": loop_threads,
            "epoch_s": best_loop["epoch_s"],
            "steady_epoch_s": min(steady_epoch(r["epoch_s"]) for r in loops),
        }
    out["final_peak_rss_mb"] = peak_rss_mb()
    return out


def fit_once(lib, model, x, y, args, verbose=0):
    """One timed `fit`; verbose output, if any, goes to /dev/null."""
    timer = epoch_timer(lib)
    saved = sys.stdout
    with open(os.devnull, "w") as devnull:
        if verbose:
            sys.stdout = devnull
        try:
            t0 = time.perf_counter()
            history = model.fit(x, y, epochs=args.epochs,
                                batch_size=args.batch_size, verbose=verbose,
                                callbacks=[timer])
            fit_s = time.perf_counter() - t0
        finally:
            sys.stdout = saved
    return {"fit_s": fit_s, "epoch_s": timer.seconds,
            "history": _history(history), "blas": blas_trials(model)}


def task_scaled(args):
    from benchmarks import gemm

    lib = _import_library(args.lib)
    (x_train, y_train), _ = load_data(args.mnist, args.n_train, 1, args.classes)
    fits, floor_runs = [], []
    for _ in range(args.fit_repeats):
        if args.lib == "keraslite":
            floor_runs.append(gemm.train_floor(
                x_train, args.hidden, args.classes, args.batch_size,
                args.epochs)[0])
        seed(lib)
        model = build_network(lib, x_train.shape[1], args.hidden, args.classes)
        fits.append(fit_once(lib, model, x_train, y_train, args))
        del model
    best = min(fits, key=lambda f: f["fit_s"])
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    out = {"fit_s": best["fit_s"], "fit_runs": [f["fit_s"] for f in fits],
           "epoch_s": best["epoch_s"], "steps_per_epoch": steps_per_epoch,
           # The last epoch: steady state, without Keras's tracing.
           "steady_step_s": best["epoch_s"][-1] / steps_per_epoch}
    if args.lib == "keraslite":
        out["floor_s"] = min(floor_runs)
        out["floor_runs"] = floor_runs
        out["floor_step_s"] = min(floor_runs) / (args.epochs * steps_per_epoch)
    return out


def build_convnet(lib):
    """The chapter-5 convnet (examples/mnist_convnet.py), built and compiled."""
    L = lib.layers
    model = lib.Sequential([
        lib.Input(shape=(28, 28, 1)),
        L.Conv2D(32, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)),
        L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)),
        L.Conv2D(64, (3, 3), activation="relu"), L.Flatten(),
        L.Dense(64, activation="relu"), L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def task_convnet(args):
    """Fits of the chapter-5 convnet (fresh, identically seeded model each
    time); for keraslite each fit is interleaved with the GEMM floor of its
    lowering. Peak RSS is taken after the first fit."""
    from benchmarks import gemm

    lib = _import_library(args.lib)
    (x_train, y_train), _ = load_data(args.mnist, args.n_train, 1, args.classes)
    x_train = x_train.reshape((-1, 28, 28, 1))
    out = {"versions": versions(args.lib), "blas": blas_info()}
    fits, floor_runs = [], []
    for i in range(args.fit_repeats):
        if args.lib == "keraslite":
            floor_runs.append(gemm.convnet_train_floor(
                len(x_train), args.batch_size, args.epochs)[0])
        seed(lib)
        model = build_convnet(lib)
        fits.append(fit_once(lib, model, x_train, y_train, args))
        del model
        if i == 0:
            out["peak_rss_mb"] = peak_rss_mb()
    best = min(fits, key=lambda f: f["fit_s"])
    out.update(fit_s=best["fit_s"], fit_runs=[f["fit_s"] for f in fits],
               epoch_s=best["epoch_s"], history=best["history"],
               steps=args.epochs * -(-len(x_train) // args.batch_size))
    if args.lib == "keraslite":
        out["floor_s"] = min(floor_runs)
        out["floor_runs"] = floor_runs
    return out


def build_imdb_lstm(lib, num_words=10000):
    """The book's IMDB LSTM (6.2), as its listing builds it (no Input: the
    model is built by the first fit), compiled as in the book."""
    L = lib.layers
    model = lib.Sequential()
    model.add(L.Embedding(num_words, 32))
    model.add(L.LSTM(32))
    model.add(L.Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def task_lstm(args):
    """One fit of the IMDB LSTM (a fresh, seeded model) on the padded reviews
    in `args.data`; the epoch times, history, BLAS trials and peak RSS."""
    import numpy as np

    lib = _import_library(args.lib)
    with np.load(args.data) as data:
        x_train, y_train = data["x"], data["y"]
    out = {"versions": versions(args.lib), "blas": blas_info()}
    seed(lib)
    model = build_imdb_lstm(lib, args.num_words)
    fit = fit_once(lib, model, x_train, y_train, args)
    out.update(fit_s=fit["fit_s"], epoch_s=fit["epoch_s"], history=fit["history"],
               blas_trials=fit["blas"], peak_rss_mb=peak_rss_mb(),
               steps_per_epoch=-(-len(x_train) // args.batch_size))
    return out


TASKS = {"import": task_import, "book": task_book, "scaled": task_scaled,
         "convnet": task_convnet, "lstm": task_lstm}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--lib", choices=LIBS, required=True)
    parser.add_argument("--out", required=True, help="JSON result file")
    parser.add_argument("--mnist", default=None,
                        help="mnist.npz; random data when omitted")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--predict-batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5,
                        help="batch predict runs and their floors (best kept)")
    parser.add_argument("--fit-repeats", type=int, default=3,
                        help="fits (and training floors) per library (best kept)")
    parser.add_argument("--latency-budget", type=float, default=2.0)
    parser.add_argument("--data", default=None,
                        help="lstm: .npz of the padded reviews (keys x, y)")
    parser.add_argument("--num-words", type=int, default=10000)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    result = TASKS[args.task](args)
    result["pid"] = os.getpid()
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
