"""keraslite vs Keras on the book workload, with the GEMM floor, in one run.

    python -m benchmarks.run                    # the book table (a few minutes)
    python -m benchmarks.run --scaled           # widths x batch sizes sweep
    python -m benchmarks.run --tiny             # seconds; keraslite only
    python -m benchmarks.run --tiny --with-keras
    python -m benchmarks.run --convnet          # the chapter-5 convnet's fit
    python -m benchmarks.run --lstm             # the chapter-6 IMDB LSTM's fit

Every measurement runs in a fresh subprocess (`benchmarks/worker.py`), one
library at a time, so that imports are cold and the two libraries never
share threads or memory. See benchmarks/README.md for the columns.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

BOOK = {"n_train": 60000, "n_test": 10000, "hidden": 512, "classes": 10,
        "batch_size": 128, "predict_batch_size": 32, "epochs": 5,
        "fit_repeats": 3, "repeats": 5, "latency_budget": 2.0,
        "import_repeats": 3}
TINY = {"n_train": 384, "n_test": 128, "hidden": 16, "classes": 10,
        "batch_size": 64, "predict_batch_size": 32, "epochs": 1,
        "fit_repeats": 1, "repeats": 1, "latency_budget": 0.1,
        "import_repeats": 1}
SCALED = {"n_train": 30000, "epochs": 2, "classes": 10, "fit_repeats": 2,
          "hiddens": (128, 512, 2048), "batch_sizes": (32, 128, 1024)}
CONVNET = {"n_train": 12800, "epochs": 1, "batch_size": 64, "classes": 10,
           "fit_repeats": 2}
CONVNET_TINY = {"n_train": 256, "epochs": 1, "batch_size": 64, "classes": 10,
                "fit_repeats": 1}
LSTM = {"n_train": 5000, "epochs": 2, "batch_size": 128, "fit_repeats": 2,
        "maxlen": 500, "num_words": 10000}
LSTM_TINY = {"n_train": 256, "epochs": 2, "batch_size": 128, "fit_repeats": 1,
             "maxlen": 100, "num_words": 10000}
IMDB_REVIEWS = 25000  # reviews in the IMDB training set: one epoch of the book
SCALED_TINY = {"n_train": 256, "epochs": 1, "classes": 10, "fit_repeats": 1,
               "hiddens": (8, 16), "batch_sizes": (32, 64)}

# name: (description, comparison, target)
TARGETS = {
    "fit_over_floor": ("keraslite fit / GEMM floor", "<=", 1.25),
    "keras_fit_over_keraslite_fit": ("Keras fit / keraslite fit", ">=", 2.5),
    "import_build_compile_s": (
        "keraslite import + build + compile (s)", "<", 0.15),
    "predict1_us": ("keraslite predict(x[:1]) median (us)", "<", 50.0),
    "call1_us": ("keraslite model(x[:1]) median (us)", "<", 50.0),
    "batch_predict_over_floor": (
        "keraslite batch predict / its GEMM floor", "<=", 1.2),
    "rss_over_keras_rss": ("keraslite peak RSS / Keras peak RSS", "<=", 1.0),
    "verbose1_over_verbose0": (
        "keraslite fit verbose=1 (to /dev/null) / verbose=0", None, None),
}


# --- environment -------------------------------------------------------------
def default_mnist_path():
    """$KERASLITE_SHARED_DATASETS/mnist.npz, else <repo>/../shared/datasets/
    (the rule of the repo's conftest.shared_datasets_dir)."""
    env = os.environ.get("KERASLITE_SHARED_DATASETS")
    base = Path(env) if env else REPO.parent / "shared" / "datasets"
    return base / "mnist.npz"


def worker_env(unset_openblas_env, blas_threads=None):
    env = dict(os.environ)
    if blas_threads is not None:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(blas_threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    # Imports are timed as a user of an installed package meets them: with
    # the bytecode compiled (pip compiles it on install; Keras's is in
    # site-packages). With PYTHONDONTWRITEBYTECODE set, a source tree would
    # be compiled again in every worker (about 0.15 s for keraslite).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if unset_openblas_env:
        for name in OPENBLAS_VARS:
            env.pop(name, None)
    return env


# Every library of the book table, in column order: keraslite, Keras on
# TensorFlow, then the peers run when installed (the `bench` extra).
LABELS = {"keraslite": "keraslite", "keras": "Keras/TF", "keras-jax": "Keras/JAX",
          "torch": "PyTorch"}
PEERS = ("keras-jax", "torch")


def report_key(lib):
    """The report's key of a library's results ("keras-jax" -> "keras_jax")."""
    return lib.replace("-", "_")


def lib_env(env, lib):
    """The worker environment of `lib`: Keras's backend set for the Keras runs."""
    env = dict(env)
    if lib == "keras":
        env["KERAS_BACKEND"] = "tensorflow"
    elif lib == "keras-jax":
        env["KERAS_BACKEND"] = "jax"
        env.setdefault("JAX_PLATFORMS", "cpu")
    return env


def available_peers(env):
    """The peers whose packages the workers can import (jax + keras, torch)."""
    code = ("import importlib.util as u, json; print(json.dumps({"
            "'keras-jax': bool(u.find_spec('jax') and u.find_spec('keras')), "
            "'torch': bool(u.find_spec('torch'))}))")
    found = _probe(code, env)
    return [lib for lib in PEERS if found[lib]]


def _probe(code, env):
    """The JSON that `python -c code` prints, in a fresh worker-like process."""
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class BusyLoop:
    """A separate process spinning on one core while the block runs."""

    def __init__(self, processes=1):
        self.processes = processes
        self._procs = []

    def __enter__(self):
        self._procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                        stdin=subprocess.DEVNULL)
                       for _ in range(self.processes)]
        time.sleep(0.5)  # let it get its core
        return self

    def __exit__(self, *exc):
        for proc in self._procs:
            proc.kill()
            proc.wait()
        self._procs = []


def machine_info():
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "nproc": os.cpu_count()}
    try:
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["usable_cpus"] = None
    info["cpu_model"] = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        info["memory_gb"] = None
    return info


def run_worker(task, lib, params, env, mnist=None):
    """Runs `python -m benchmarks.worker TASK` and returns its JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "benchmarks.worker", task, "--lib", lib,
               "--out", str(out)]
        for key, value in params.items():
            cmd += ["--" + key.replace("_", "-"), str(value)]
        if mnist is not None:
            cmd += ["--mnist", str(mnist)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, env=lib_env(env, lib), capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(
                f"benchmark worker failed ({' '.join(cmd)}), exit code "
                f"{proc.returncode}:\n{proc.stderr[-4000:]}")
        result = json.loads(out.read_text())
    result["process_wall_s"] = wall
    return result


def _worker_params(config, keys):
    return {k: config[k] for k in keys if k in config}


BOOK_KEYS = ("n_train", "n_test", "hidden", "classes", "batch_size",
             "predict_batch_size", "epochs", "fit_repeats", "repeats",
             "latency_budget")


# --- the book table ------------------------------------------------------------
def run_book(config, libs, env, mnist, log):
    """Import runs (interleaved, fresh processes), then one book run per lib."""
    results = {lib: {"import_runs": []} for lib in libs}
    import_params = _worker_params(config, ("hidden", "classes"))
    for lib in libs:  # untimed: writes the bytecode caches the timed runs use
        run_worker("import", lib, import_params, env)
    for i in range(config["import_repeats"]):
        for lib in libs:
            log(f"import + build + compile, {lib} ({i + 1}/{config['import_repeats']})")
            results[lib]["import_runs"].append(
                run_worker("import", lib, import_params, env))
    for lib in libs:
        runs = results[lib]["import_runs"]
        results[lib]["import_build_compile_s"] = statistics.median(
            r["total_s"] for r in runs)
        results[lib]["import_s"] = statistics.median(r["import_s"] for r in runs)
        results[lib]["build_compile_s"] = statistics.median(
            r["build_compile_s"] for r in runs)
    for lib in libs:
        log(f"book script, {lib}")
        results[lib].update(run_worker(
            "book", lib, _worker_params(config, BOOK_KEYS), env, mnist))
    return results


def _met(value, op, target):
    if value is None or op is None:
        return None
    return {"<=": value <= target, ">=": value >= target,
            "<": value < target}[op]


def ratios(kl, keras):
    floor = kl["floor"]
    values = {
        "fit_over_floor": kl["fit_s"] / floor["train_s"],
        "keras_fit_over_keraslite_fit": (
            keras["fit_s"] / kl["fit_s"] if keras else None),
        "import_build_compile_s": kl["import_build_compile_s"],
        "predict1_us": kl["predict1_us"],
        "call1_us": kl["call1_us"],
        "batch_predict_over_floor": kl["batch_predict_s"] / floor["predict_s"],
        "rss_over_keras_rss": (
            kl["peak_rss_mb"] / keras["peak_rss_mb"] if keras else None),
        "verbose1_over_verbose0": kl["fit_verbose1_s"] / kl["fit_s"],
    }
    out = {}
    for name, value in values.items():
        description, op, target = TARGETS[name]
        out[name] = {"description": description, "value": value,
                     "op": op, "target": target, "met": _met(value, op, target)}
    return out


PEER_TARGETS = {
    "fit_over_jax_fit": ("keraslite fit / Keras/JAX fit", "<=", 0.9),
    "steady_epoch_over_jax": (
        "keraslite steady epoch / Keras/JAX steady epoch", "<=", 1.2),
    "fit_over_floor": ("keraslite fit / GEMM floor", "<=", 1.6),
    "fit_over_tf_fit": ("keraslite fit / Keras/TF fit", None, None),
    "fit_over_torch_fit": ("keraslite fit / PyTorch fit", None, None),
    "load_fit_over_quiet_fit": (
        "keraslite fit, one core busy / quiet", "<=", 1.5),
    "load_fit_over_tf_load_fit": (
        "keraslite fit / Keras/TF fit, both with one core busy", "<=", 1.0),
    "load_fit_over_jax_load_fit": (
        "keraslite fit / Keras/JAX fit, both with one core busy", None, None),
    "fit_over_numpy_loop": ("keraslite fit / NumPy loop fit", None, None),
    "numpy_loop_over_jax_fit": ("NumPy loop fit / Keras/JAX fit", None, None),
    "numpy_loop_steady_over_jax": (
        "NumPy loop steady epoch / Keras/JAX steady epoch", None, None),
    "numpy_loop_over_floor": ("NumPy loop fit / GEMM floor", None, None),
}


def peer_ratios(results, loaded=None):
    """The ratios of issue 13 from one run's results ({report key: result});
    `loaded` holds the same run's results with one core busy (--load)."""
    kl = results["keraslite"]

    def over(key, other, field="fit_s", base=kl):
        r = (results if base is kl else loaded).get(other)
        return base[field] / r[field] if r and base else None

    values = {
        "fit_over_jax_fit": over("fit_s", "keras_jax"),
        "steady_epoch_over_jax": over("", "keras_jax", "steady_epoch_s"),
        "fit_over_floor": kl["fit_s"] / kl["floor"]["train_s"],
        "fit_over_tf_fit": over("", "keras"),
        "fit_over_torch_fit": over("", "torch"),
    }
    loop = kl.get("numpy_loop")
    if loop:  # the hand-written NumPy step (benchmarks/numpy_loop.py)
        values["fit_over_numpy_loop"] = kl["fit_s"] / loop["train_s"]
        jax = results.get("keras_jax")
        if jax:
            values["numpy_loop_over_jax_fit"] = loop["train_s"] / jax["fit_s"]
            values["numpy_loop_steady_over_jax"] = (
                loop["steady_epoch_s"] / jax["steady_epoch_s"])
        values["numpy_loop_over_floor"] = loop["train_s"] / kl["floor"]["train_s"]
    if loaded:
        lkl = loaded["keraslite"]
        values["load_fit_over_quiet_fit"] = lkl["fit_s"] / kl["fit_s"]
        values["load_fit_over_tf_load_fit"] = over("", "keras", base=lkl)
        values["load_fit_over_jax_load_fit"] = over("", "keras_jax", base=lkl)
    out = {}
    for name, value in values.items():
        description, op, target = PEER_TARGETS[name]
        out[name] = {"description": description, "value": value, "op": op,
                     "target": target, "met": _met(value, op, target)}
    return out


def _fmt(value, digits=3):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}g}" if abs(value) < 1 else f"{value:.{digits}f}"


def _markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def describe_setup(report):
    cfg, machine = report["config"], report["machine"]
    blas = report["blas"]
    env = blas.get("env", {})
    env_text = ", ".join(f"{k}={env.get(k) if env.get(k) is not None else '(unset)'}"
                         for k in OPENBLAS_VARS)
    versions = report.get("versions", {})
    lines = [
        f"Workload: {cfg['n_train']}x784 float32 -> Dense({cfg['hidden']}, relu)"
        f" -> Dense({cfg['classes']}, softmax), rmsprop, categorical_crossentropy,"
        f" accuracy, batch {cfg['batch_size']}, {cfg['epochs']} epoch(s);"
        f" predict on {cfg.get('n_test', '-')} test images at batch"
        f" {cfg.get('predict_batch_size', '-')}.",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}),"
        f" {machine.get('memory_gb')} GB; Python {machine['python']},"
        f" numpy {versions.get('numpy')}, BLAS {blas.get('library')}"
        f" (kernel {blas.get('kernel')}, {blas.get('num_threads')} threads);"
        f" {env_text}"
        + (" [OpenBLAS vars removed by --unset-openblas-env]"
           if report["unset_openblas_env"] else "")
        + (f"; Keras {versions['keras']} on TensorFlow {versions['tensorflow']}"
           if versions.get("keras") else "")
        + (f"; Keras on JAX {versions['keras-jax:jax']}"
           if versions.get("keras-jax:jax") else "")
        + (f"; PyTorch {versions['torch:torch']} ({versions['torch:torch_threads']}"
           " threads)" if versions.get("torch:torch") else "") + ".",
    ]
    return "\n".join(lines)


def book_table(report, title="target (issue 5)"):
    """The book table: one column per library (\"-\" when not run), then the
    GEMM floor; the targets of issue 5 and, with peers, of issue 13."""
    libs = list(LABELS)
    res = [report.get(report_key(lib)) or {} for lib in libs]
    kl, floor = report["keraslite"], report["keraslite"]["floor"]

    def fmt_runs(values):
        return " ".join(_fmt(v) for v in values) if values else None

    def row(name, values, floor_value=None, digits=3):
        return [name] + [_fmt(v, digits) for v in values] + [_fmt(floor_value, digits)]

    def each(key, scale=None):
        return [_get(r, key, scale) if scale else r.get(key) for r in res]

    def acc(r):
        h = r.get("history", {})
        if not h:
            return None
        return f"{h['loss'][-1]:.4f} / {h['accuracy'][-1]:.4f}"

    n_test = report["config"]["n_test"]
    rows = [
        row("fit, verbose=0 (s)", each("fit_s"), floor["train_s"]),
        row("per step (ms)", each("step_s", 1e3), floor["train_step_s"] * 1e3),
        row("fit runs (s), best kept", [fmt_runs(r.get("fit_runs")) for r in res],
            fmt_runs(floor["train_runs"])),
        row("epoch times of the best fit (s)", [fmt_runs(r.get("epoch_s")) for r in res]),
        row("steady epoch (s): median after the first, best fit",
            each("steady_epoch_s")),
        row("BLAS threads kept by each fit", [
            fmt_runs([b["chosen"] if b and not b["stopped"] else "-"
                      for b in r["blas_runs"]]) if r.get("blas_runs") else None
            for r in res]),
        row("fit, verbose=1 to /dev/null (s)", [kl["fit_verbose1_s"]] + [None] * 3),
        row("  runs (s)", [fmt_runs(kl["fit_verbose1_runs"])] + [None] * 3),
        row("import + build + compile (s)", each("import_build_compile_s")),
        row("  of which import (s)", each("import_s")),
        row("predict(x[:1]) median (us)", each("predict1_us")),
        row("model(x[:1]) median (us)", each("call1_us")),
        row(f"predict {n_test} test images (ms)", each("batch_predict_s", 1e3),
            floor["predict_s"] * 1e3),
        row("  throughput (samples/s)", each("batch_predict_samples_per_s"),
            n_test / floor["predict_s"]),
        row("peak RSS of the book script (MiB)", each("peak_rss_mb")),
        row("final train loss / accuracy", [acc(r) for r in res]),
        row("test accuracy", each("test_accuracy"), digits=4),
    ]
    header = ["measure"] + [LABELS[lib] for lib in libs] + ["GEMM floor"]
    text = _markdown(header, rows) + "\n\n" + targets_table(report["ratios"], title)
    if report.get("peer_ratios"):
        text += "\n\n" + targets_table(report["peer_ratios"], "target (issue 13)")
    return text


def targets_table(ratios, title):
    """The targets as a markdown table: measured value, target, met."""
    rows = []
    for r in ratios.values():
        target = "(info)" if r["op"] is None else f"{r['op']} {r['target']:g}"
        met = {True: "yes", False: "NO", None: "-"}[r["met"]]
        rows.append([r["description"], _fmt(r["value"]), target, met])
    return _markdown([title, "measured", "target", "met"], rows)


def _get(d, key, scale):
    return d[key] * scale if d and d.get(key) is not None else None


def plot_history(report, path):
    """Loss and accuracy per epoch of both libraries, side by side."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    styles = {"keraslite": dict(marker="o"), "keras": dict(marker="s", linestyle="--"),
              "keras-jax": dict(marker="^", linestyle=":"),
              "torch": dict(marker="x", linestyle="-.")}
    for lib in LABELS:
        result = report.get(report_key(lib))
        if not result:
            continue
        history = result["history"]
        epochs = range(1, len(history["loss"]) + 1)
        label = LABELS[lib]
        ax_loss.plot(epochs, history["loss"], label=label, **styles[lib])
        ax_acc.plot(epochs, history["accuracy"], label=label, **styles[lib])
    from matplotlib.ticker import MaxNLocator

    for ax, name in ((ax_loss, "loss"), (ax_acc, "accuracy")):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"training {name}")
        ax.grid(True, alpha=0.3)
        ax.legend()
    cfg = report["config"]
    fig.suptitle(f"Training curves: Dense({cfg['hidden']}, relu) -> "
                 f"Dense({cfg['classes']}, softmax), rmsprop, batch "
                 f"{cfg['batch_size']}, {cfg['n_train']} samples")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


# --- the scaled sweep -------------------------------------------------------------
def flops_per_sample(features, hidden, classes):
    """Multiply-adds x 2 of the five floor products, per sample."""
    return 2 * (2 * features * hidden + 3 * hidden * classes)


def run_scaled(config, libs, env, mnist, log):
    rows = []
    for hidden in config["hiddens"]:
        for batch_size in config["batch_sizes"]:
            params = {"n_train": config["n_train"], "epochs": config["epochs"],
                      "classes": config["classes"],
                      "fit_repeats": config["fit_repeats"],
                      "hidden": hidden, "batch_size": batch_size}
            row = {"hidden": hidden, "batch_size": batch_size}
            for lib in libs:
                log(f"scaled: hidden {hidden}, batch {batch_size}, {lib}")
                row[lib] = run_worker("scaled", lib, params, env, mnist)
            work = config["epochs"] * config["n_train"] * flops_per_sample(
                784, hidden, config["classes"])
            row["gflop"] = work / 1e9
            rows.append(row)
    return rows


def scaled_table(report):
    header = ["hidden", "batch", "steps", "GFLOP", "keraslite fit (s)",
              "Keras fit (s)", "GEMM floor (s)", "keraslite / floor",
              "Keras / keraslite", "keraslite step (us)", "Keras step (us)",
              "floor step (us)", "keraslite GFLOP/s", "Keras GFLOP/s",
              "floor GFLOP/s"]
    rows = []
    for r in report["rows"]:
        kl, k = r["keraslite"], r.get("keras")
        steps = kl["steps_per_epoch"] * report["config"]["epochs"]
        rows.append([
            str(r["hidden"]), str(r["batch_size"]), str(steps), _fmt(r["gflop"]),
            _fmt(kl["fit_s"]), _fmt(k["fit_s"] if k else None), _fmt(kl["floor_s"]),
            _fmt(kl["fit_s"] / kl["floor_s"]),
            _fmt(k["fit_s"] / kl["fit_s"] if k else None),
            _fmt(kl["steady_step_s"] * 1e6),
            _fmt(k["steady_step_s"] * 1e6 if k else None),
            _fmt(kl["floor_step_s"] * 1e6),
            _fmt(r["gflop"] / kl["fit_s"]),
            _fmt(r["gflop"] / k["fit_s"] if k else None),
            _fmt(r["gflop"] / kl["floor_s"]),
        ])
    return _markdown(header, rows)


# --- the chapter-5 convnet ---------------------------------------------------------
CONVNET_KEYS = ("n_train", "epochs", "batch_size", "classes", "fit_repeats")


def run_convnet(config, libs, env, mnist, log):
    results = {}
    for lib in libs:
        log(f"convnet fit, {lib}")
        results[lib] = run_worker("convnet", lib, _worker_params(config, CONVNET_KEYS),
                                  env, mnist)
    return results


def ratio_rows(values, targets):
    """{name: description, value, op, target, met} from the measured
    `values` and the `targets` ({name: (description, op, target)})."""
    return {name: {"description": targets[name][0], "value": value,
                   "op": targets[name][1], "target": targets[name][2],
                   "met": _met(value, targets[name][1], targets[name][2])}
            for name, value in values.items()}


def convnet_ratios(kl, keras):
    values = {
        "keras_fit_over_keraslite_fit": keras["fit_s"] / kl["fit_s"] if keras else None,
        "fit_over_floor": kl["fit_s"] / kl["floor_s"],
        "rss_over_keras_rss": kl["peak_rss_mb"] / keras["peak_rss_mb"] if keras else None,
    }
    targets = {"keras_fit_over_keraslite_fit": ("Keras fit / keraslite fit", ">=", 1.0),
               "fit_over_floor": ("keraslite fit / its lowering's GEMM floor", "<=", 1.5),
               "rss_over_keras_rss": ("keraslite peak RSS / Keras peak RSS", None, None)}
    return ratio_rows(values, targets)


def convnet_table(report):
    kl, k = report["keraslite"], report.get("keras") or {}
    runs = lambda r, key: " ".join(_fmt(v) for v in r.get(key, [])) or "-"  # noqa: E731
    rows = [
        ["fit, verbose=0 (s)", _fmt(kl["fit_s"]), _fmt(k.get("fit_s")), _fmt(kl["floor_s"])],
        ["per step (ms)", _fmt(kl["fit_s"] / kl["steps"] * 1e3),
         _fmt(k["fit_s"] / k["steps"] * 1e3 if k else None),
         _fmt(kl["floor_s"] / kl["steps"] * 1e3)],
        ["fit runs (s), best kept", runs(kl, "fit_runs"), runs(k, "fit_runs"),
         runs(kl, "floor_runs")],
        ["peak RSS after the first fit (MiB)", _fmt(kl["peak_rss_mb"]),
         _fmt(k.get("peak_rss_mb")), "-"],
        ["final train loss / accuracy",
         f"{kl['history']['loss'][-1]:.4f} / {kl['history']['accuracy'][-1]:.4f}",
         (f"{k['history']['loss'][-1]:.4f} / {k['history']['accuracy'][-1]:.4f}"
          if k else "-"), "-"],
    ]
    measures = _markdown(["measure", "keraslite", "Keras", "GEMM floor"], rows)
    return measures + "\n\n" + targets_table(report["ratios"], "target")


# --- the chapter-6 IMDB LSTM --------------------------------------------------------
LSTM_KEYS = ("epochs", "batch_size", "num_words")


def imdb_file():
    """The cached IMDB file (`imdb.npz` in keraslite's cache, then in
    Keras's, as `keraslite.datasets.imdb.load_data` looks), or None."""
    from keraslite.utils import file_utils

    for path in file_utils.cache_locations("imdb.npz"):
        if os.path.isfile(path):
            return path
    return None


def synthetic_imdb(n, num_words=10000, seed=0):
    """Reviews in the form `imdb.load_data(num_words=...)` returns them
    (lists of ids: the start mark 1, words by frequency rank from 4 on,
    2 for a word cut by `num_words`), with IMDB's review lengths (a
    log-normal of median 174 and mean 239 words, 10 to 2,494) and Zipf word
    frequencies over its 88,584 words; 0/1 labels, half each."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(174), 0.795, n).astype(int), 10, 2494)
    ranks = np.arange(1, 88585)
    p = 1.0 / ranks
    words = rng.choice(ranks, size=int(lengths.sum()), p=p / p.sum()) + 3
    words[words >= num_words] = 2
    reviews = [[1] + chunk.tolist()
               for chunk in np.split(words, np.cumsum(lengths)[:-1])]
    labels = rng.permutation(np.arange(n) % 2).astype("int64")
    return reviews, labels


def prepare_imdb(config, path, log):
    """The book's data: `imdb.load_data(num_words=10000)` (the cached file)
    or the synthetic reviews, the first `n_train` reviews padded by
    `pad_sequences(maxlen=500)`; saved as `path` (x, y) for every worker.
    Returns a description of the data."""
    import numpy as np

    from keraslite.utils import pad_sequences

    n, num_words = config["n_train"], config["num_words"]
    cached = imdb_file()
    if cached:
        from keraslite.datasets import imdb

        log(f"loading IMDB from {cached}")
        (reviews, labels), _ = imdb.load_data(num_words=num_words)
        reviews, labels = reviews[:n], labels[:n]
        source = f"IMDB ({cached})"
    else:
        log("IMDB is not cached: synthetic reviews of the same form")
        reviews, labels = synthetic_imdb(n, num_words)
        source = ("synthetic IMDB-like reviews (imdb.npz not cached; ids, "
                  "lengths and labels of the real file's form)")
    x = pad_sequences(reviews, maxlen=config["maxlen"])
    np.savez(path, x=x, y=np.asarray(labels))
    return {"source": source, "x_shape": list(x.shape), "x_dtype": str(x.dtype),
            "mean_review_words": float(np.mean([len(r) for r in reviews])),
            "padding_share": float(np.mean(x == 0))}


def run_lstm(config, libs, env, log):
    """`fit_repeats` rounds; each runs every library once, in a fresh
    worker, the order alternating from round to round (interleaved)."""
    results = {lib: {"runs": []} for lib in libs}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "imdb_padded.npz"
        config["data"] = prepare_imdb(config, data, log)
        params = dict(_worker_params(config, LSTM_KEYS), n_train=config["n_train"],
                      data=data)
        for r in range(config["fit_repeats"]):
            for lib in libs if r % 2 == 0 else libs[::-1]:
                log(f"IMDB LSTM fit, {lib} ({r + 1}/{config['fit_repeats']})")
                run = run_worker("lstm", lib, params, env)
                run["loadavg"] = _loadavg()
                results[lib]["runs"].append(run)
    scale = IMDB_REVIEWS / config["n_train"]
    for lib, result in results.items():
        runs = result["runs"]
        first = [r["epoch_s"][0] for r in runs]
        steady = [statistics.median(r["epoch_s"][1:]) for r in runs
                  if len(r["epoch_s"]) > 1]
        result.update(
            first_epoch_s=min(first), first_epoch_runs=first,
            steady_epoch_s=min(steady) if steady else None, steady_epoch_runs=steady,
            first_epoch_imdb_s=min(first) * scale,
            steady_epoch_imdb_s=min(steady) * scale if steady else None,
            steps_per_epoch=runs[0]["steps_per_epoch"],
            peak_rss_mb=min(r["peak_rss_mb"] for r in runs),
            history=min(runs, key=lambda r: r["fit_s"])["history"],
            versions=runs[0]["versions"], blas=runs[0]["blas"])
    return results


def lstm_ratios(kl, keras):
    def over(key):
        return keras[key] / kl[key] if keras and kl[key] and keras[key] else None

    targets = {
        "keras_first_epoch_over_keraslite": (
            "Keras/TF first epoch / keraslite first epoch", ">=", 1.0),
        "keras_steady_epoch_over_keraslite": (
            "Keras/TF steady epoch / keraslite steady epoch", ">=", 1.0),
    }
    values = {"keras_first_epoch_over_keraslite": over("first_epoch_s"),
              "keras_steady_epoch_over_keraslite": over("steady_epoch_s")}
    return ratio_rows(values, targets)


def lstm_table(report):
    kl, k = report["keraslite"], report.get("keras") or {}
    n = report["config"]["n_train"]

    def runs(r, key):
        return " ".join(_fmt(v) for v in r.get(key) or []) or "-"

    def per_step(r, key):
        return _fmt(r[key] / r["steps_per_epoch"] * 1e3) if r.get(key) else "-"

    def last(r):
        h = r.get("history")
        return f"{h['loss'][-1]:.4f} / {h['acc'][-1]:.4f}" if h else "-"

    def threads(r):
        chosen = [t["chosen"] if t and t.get("chosen") and not t["stopped"] else "-"
                  for t in (run.get("blas_trials") for run in r.get("runs", []))]
        return " ".join(map(str, chosen)) if r.get("runs") else "-"

    rows = [
        [f"first epoch, {n} reviews (s), best", _fmt(kl["first_epoch_s"]),
         _fmt(k.get("first_epoch_s"))],
        ["  runs (s)", runs(kl, "first_epoch_runs"), runs(k, "first_epoch_runs")],
        [f"steady epoch (the second), {n} reviews (s), best",
         _fmt(kl["steady_epoch_s"]), _fmt(k.get("steady_epoch_s"))],
        ["  runs (s)", runs(kl, "steady_epoch_runs"), runs(k, "steady_epoch_runs")],
        ["per step of 128, steady (ms)", per_step(kl, "steady_epoch_s"),
         per_step(k, "steady_epoch_s")],
        [f"first epoch scaled to {IMDB_REVIEWS:,} reviews (s)",
         _fmt(kl["first_epoch_imdb_s"]), _fmt(k.get("first_epoch_imdb_s"))],
        [f"steady epoch scaled to {IMDB_REVIEWS:,} reviews (s)",
         _fmt(kl["steady_epoch_imdb_s"]), _fmt(k.get("steady_epoch_imdb_s"))],
        ["BLAS threads kept by each fit", threads(kl), "-"],
        ["peak RSS of the worker (MiB)", _fmt(kl["peak_rss_mb"]), _fmt(k.get("peak_rss_mb"))],
        ["final train loss / acc (best fit)", last(kl), last(k)],
    ]
    measures = _markdown(["measure", "keraslite", "Keras/TF"], rows)
    return measures + "\n\n" + targets_table(report["ratios"], "target (issue 12)")


# --- main ---------------------------------------------------------------------------
def keraslite_and_keras(report, results):
    """The two libraries' results, BLAS and versions into `report`."""
    report["keraslite"], report["keras"] = results["keraslite"], results.get("keras")
    report["blas"] = report["keraslite"]["blas"]
    report["versions"] = dict(report["keraslite"]["versions"])
    if report["keras"]:
        report["versions"].update(report["keras"]["versions"])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="keraslite vs Keras on the book workload, with the GEMM floor.")
    parser.add_argument("--tiny", action="store_true",
                        help="a few hundred samples, 1 epoch, tiny widths; "
                             "keraslite only unless --with-keras")
    parser.add_argument("--scaled", action="store_true",
                        help="sweep hidden widths x batch sizes instead of the "
                             "book table")
    parser.add_argument("--convnet", action="store_true",
                        help="the chapter-5 convnet's fit (12,800 images, 1 "
                             "epoch, batch 64; --samples 60000 for all) "
                             "instead of the book table")
    parser.add_argument("--lstm", action="store_true",
                        help="the chapter-6 IMDB LSTM's fit (Embedding(10000, "
                             "32) -> LSTM(32) -> Dense(1), maxlen 500, batch "
                             "128; 5,000 reviews x 2 epochs, --samples to "
                             "change) instead of the book table")
    parser.add_argument("--with-keras", action="store_true",
                        help="include Keras in a --tiny run")
    parser.add_argument("--without-keras", action="store_true",
                        help="leave Keras (and the peers) out (quick "
                             "keraslite-only runs)")
    parser.add_argument("--with-peers", action="store_true",
                        help="include Keras/JAX and PyTorch in a --tiny run "
                             "(when installed)")
    parser.add_argument("--without-peers", action="store_true",
                        help="leave Keras/JAX and PyTorch out of the book table")
    parser.add_argument("--load", action="store_true",
                        help="book table: run it quiet, then again while a "
                             "busy loop (a separate process) holds one core")
    parser.add_argument("--mnist", type=Path, default=None,
                        help="path of mnist.npz (default: "
                             "$KERASLITE_SHARED_DATASETS/mnist.npz or "
                             "<repo>/../shared/datasets/mnist.npz)")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default "
                             "benchmarks/results/latest.json, or scaled.json "
                             "with --scaled)")
    parser.add_argument("--plot", type=Path, default=None,
                        help="PNG of the training curves (default "
                             "benchmarks/results/latest.png)")
    parser.add_argument("--unset-openblas-env", action="store_true",
                        help="run the workers without OPENBLAS_CORETYPE and "
                             "OPENBLAS_L2_SIZE")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="set OPENBLAS_NUM_THREADS (and OMP/MKL) in the "
                             "workers; default: the BLAS's own choice")
    parser.add_argument("--epochs", type=int, default=None,
                        help="override the number of epochs")
    parser.add_argument("--samples", type=int, default=None,
                        help="override the number of training samples")
    parser.add_argument("--fit-repeats", type=int, default=None,
                        help="fits per library, each interleaved with a "
                             "training GEMM floor (the minimum is kept)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="batch predict runs, each with its GEMM floor "
                             "(the minimum is kept)")
    parser.add_argument("--import-repeats", type=int, default=None,
                        help="fresh processes timing the import (median kept)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    log = (lambda msg: None) if args.quiet else (
        lambda msg: print(f"[benchmarks] {msg}", file=sys.stderr, flush=True))
    with_keras = (args.with_keras or not args.tiny) and not args.without_keras
    libs = ["keraslite"] + (["keras"] if with_keras else [])

    mnist = args.mnist or default_mnist_path()
    if args.lstm:
        mnist = None  # the IMDB reviews instead (prepare_imdb)
    elif not Path(mnist).exists():
        if args.mnist is not None or not args.tiny:
            sys.exit(f"MNIST not found at {mnist}: pass --mnist PATH or set "
                     "KERASLITE_SHARED_DATASETS (a --tiny run falls back to "
                     "random data).")
        mnist = None
    env = worker_env(args.unset_openblas_env, args.blas_threads)
    book = not (args.scaled or args.convnet or args.lstm)
    if book and (args.with_peers or not args.tiny) and not (
            args.without_peers or args.without_keras):
        libs += available_peers(env)

    if args.scaled:
        config = dict(SCALED_TINY if args.tiny else SCALED)
    elif args.convnet:
        config = dict(CONVNET_TINY if args.tiny else CONVNET)
    elif args.lstm:
        config = dict(LSTM_TINY if args.tiny else LSTM)
    else:
        config = dict(TINY if args.tiny else BOOK)
    for key, value in (("epochs", args.epochs), ("n_train", args.samples),
                       ("repeats", args.repeats),
                       ("fit_repeats", args.fit_repeats),
                       ("import_repeats", args.import_repeats)):
        if value is not None and (key in config or key == "import_repeats"):
            config[key] = value
    if args.lstm:
        pass  # run_lstm describes the data
    elif mnist is None:
        config["data"] = "random (MNIST not found)"
    else:
        config["data"] = str(mnist)

    started = time.perf_counter()
    load_before = _loadavg()
    report = {
        "schema": 1,
        "mode": ("scaled" if args.scaled else "convnet" if args.convnet
                 else "lstm" if args.lstm else "book")
        + ("-tiny" if args.tiny else "") + ("-load" if args.load and book else ""),
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": [Path(sys.executable).name, "-m", "benchmarks.run"] + list(
            sys.argv[1:] if argv is None else argv),
        "unset_openblas_env": args.unset_openblas_env,
        "blas_threads": args.blas_threads,
        "config": config,
        "machine": machine_info(),
        "libraries": libs,
    }
    if args.scaled:
        report["rows"] = run_scaled(config, libs, env, mnist, log)
        report["blas"], report["versions"] = _probe_blas(env)
        if "keras" in libs:
            report["versions"].update(_probe_keras_versions(env))
        setup = describe_setup({**report, "config": {
            **config, "hidden": "/".join(map(str, config["hiddens"])),
            "batch_size": "/".join(map(str, config["batch_sizes"]))}})
        table = scaled_table(report)
        default_json = RESULTS / "scaled.json"
    elif args.convnet:
        results = run_convnet(config, libs, env, mnist, log)
        keraslite_and_keras(report, results)
        report["ratios"] = convnet_ratios(report["keraslite"], report["keras"])
        setup = describe_setup({**report, "config": {**config, "hidden": "-"}}
                               ).split("\n", 1)[1]
        setup = (f"Workload: the chapter-5 convnet (Conv2D 32/64/64 3x3 relu, "
                 f"MaxPooling2D 2x2, Dense 64 relu, Dense 10 softmax; rmsprop), "
                 f"fit on {config['n_train']} MNIST images x {config['epochs']} "
                 f"epoch(s), batch {config['batch_size']}, best of "
                 f"{config['fit_repeats']}.\n" + setup)
        table = convnet_table(report)
        default_json = RESULTS / "convnet.json"
    elif args.lstm:
        results = run_lstm(config, libs, env, log)
        keraslite_and_keras(report, results)
        report["ratios"] = lstm_ratios(report["keraslite"], report["keras"])
        setup = describe_setup({**report, "config": {
            **config, "hidden": "-", "classes": "-"}}).split("\n", 1)[1]
        data = config["data"]
        setup = (f"Workload: the book's IMDB LSTM (Embedding({config['num_words']}, 32)"
                 f" -> LSTM(32) -> Dense(1, sigmoid); rmsprop, binary_crossentropy,"
                 f" acc), fit on {data['x_shape'][0]} reviews padded to"
                 f" {data['x_shape'][1]} ({data['source']}; mean review"
                 f" {data['mean_review_words']:.0f} words, {data['padding_share']:.0%}"
                 f" padding), batch {config['batch_size']}, {config['epochs']}"
                 f" epoch(s) per fit, {config['fit_repeats']} fit(s) per library in"
                 " fresh processes, interleaved; best kept.\n" + setup)
        table = lstm_table(report)
        default_json = RESULTS / "lstm.json"
    else:
        results = {report_key(lib): r
                   for lib, r in run_book(config, libs, env, mnist, log).items()}
        loaded = None
        if args.load:
            with BusyLoop():
                log("again, with a busy loop holding one core")
                report["loadavg_busy_start"] = _loadavg()
                loaded = {report_key(lib): r for lib, r in
                          run_book(config, libs, env, mnist, log).items()}
                report["loadavg_busy_end"] = _loadavg()
        for lib in LABELS:
            report[report_key(lib)] = results.get(report_key(lib))
        report["blas"] = report["keraslite"]["blas"]
        report["versions"] = dict(report["keraslite"]["versions"])
        for lib in libs[1:]:
            report["versions"].update(
                {f"{lib}:{k}" if lib in PEERS else k: v
                 for k, v in results[report_key(lib)]["versions"].items()
                 if k not in ("python", "numpy")})
        report["ratios"] = ratios(report["keraslite"], report["keras"])
        if len(libs) > 1 or loaded:
            report["peer_ratios"] = peer_ratios(results, loaded)
        setup = describe_setup(report)
        table = book_table(report)
        if loaded is not None:
            report["load"] = {"busy_loops": 1, **loaded,
                              "ratios": ratios(loaded["keraslite"], loaded.get("keras"))}
            table = ("Quiet (no busy loop):\n\n" + table
                     + "\n\nWith a busy loop holding one core (load average "
                     + f"{report['loadavg_busy_start']} at its start, "
                     + f"{report['loadavg_busy_end']} at its end):\n\n"
                     + book_table({**report, **{k: loaded.get(k) for k in map(
                         report_key, LABELS)}, "ratios": report["load"]["ratios"],
                         "peer_ratios": None}))
        default_json = RESULTS / "latest.json"
        plot_path = args.plot or RESULTS / "latest.png"
        report["plot"] = plot_history(report, plot_path)
    report["total_s"] = time.perf_counter() - started
    report["machine"]["loadavg_before"] = load_before
    report["machine"]["loadavg_after"] = _loadavg()
    setup += _load_warning(report["machine"])
    report["setup"] = setup
    report["table_markdown"] = table

    json_path = args.json or default_json
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=1) + "\n")
    print(setup)
    print()
    print(table)
    print()
    print(f"JSON: {json_path}" + (f"   plot: {report['plot']}" if report.get("plot") else "")
          + f"   ({report['total_s']:.0f} s)")
    return report


def _loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _load_warning(machine):
    """A note when other processes competed for the CPUs during the run."""
    loads = [machine.get("loadavg_before"), machine.get("loadavg_after")]
    loads = [load[0] for load in loads if load]
    if not loads:
        return ""
    text = (f"\nLoad average (1 min) before/after the run: "
            + " / ".join(f"{v:.2f}" for v in loads))
    # The benchmark itself keeps about one process busy (BLAS may use all
    # cores briefly); more than that means other work shared the machine.
    if max(loads) > 1.5:
        text += (f" -- WARNING: the machine was busy ({machine['nproc']} CPUs); "
                 "timings are inflated and noisy, rerun on a quiet machine.")
    return text


def _probe_blas(env):
    """BLAS info and versions as the workers see them (fresh process)."""
    code = ("import json, sys; from benchmarks.worker import blas_info, versions; "
            "json.dump({'blas': blas_info(), 'versions': versions('keraslite')}, "
            "sys.stdout)")
    data = _probe(code, env)
    return data["blas"], data["versions"]


def _probe_keras_versions(env):
    code = ("import json, sys, os; import keras, tensorflow as tf; "
            "json.dump({'keras': keras.__version__, 'tensorflow': tf.__version__},"
            " sys.stdout)")
    return _probe(code, env)


if __name__ == "__main__":
    if __package__ in (None, ""):
        # `python benchmarks/run.py`: make `benchmarks` importable.
        sys.path.insert(0, str(REPO))
    main()
