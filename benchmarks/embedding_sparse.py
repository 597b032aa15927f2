"""The Embedding's sparse SGD update against its dense path (issue 12), and
the book MLP's train step in this tree against another tree.

    python -m benchmarks.embedding_sparse                      # sparse vs dense
    python -m benchmarks.embedding_sparse --zipf               # ids as word ranks
    python -m benchmarks.embedding_sparse --book /work/main    # book step, here vs there

Sparse vs dense: Embedding(10000, 128) on batches of 32 x 500 ids ->
GlobalAveragePooling1D -> Dense(1, sigmoid), SGD (no momentum); the dense
path is forced by taking `update_step_sparse` off the optimizer. The two
models start from the same weights, run interleaved (`--rounds` rounds of
`--steps` steps each), and end with the same bits (checked). The book step:
Dense(512, relu) -> Dense(10, softmax), RMSprop, batch 128, `--book-steps`
steps a fit, each tree in a fresh process, interleaved. Prints best and
range of the per-step time; run with OPENBLAS_NUM_THREADS=1 for steadier
numbers.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

BOOK = r"""
import time, numpy as np, keraslite
keraslite.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.random((12800, 784), dtype=np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 12800)]
L = keraslite.layers
model = keraslite.Sequential([keraslite.Input((784,)), L.Dense(512, activation="relu"),
                              L.Dense(10, activation="softmax")])
model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, batch_size=128, epochs=1, verbose=0)
steps = {steps}
start = time.perf_counter()
model.fit(x, y, batch_size=128, epochs=steps // 100, verbose=0)
print((time.perf_counter() - start) / (steps // 100 * 100))
"""


def _model(keraslite, vocab, dim, length):
    L = keraslite.layers
    model = keraslite.Sequential([keraslite.Input((length,), dtype="int32"),
                                  L.Embedding(vocab, dim), L.GlobalAveragePooling1D(),
                                  L.Dense(1, activation="sigmoid")])
    model.compile(keraslite.optimizers.SGD(0.01), "binary_crossentropy")
    return model


def sparse_vs_dense(args):
    import keraslite

    keraslite.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    n = args.batch * args.steps
    if args.zipf:  # word ranks as in text: id k drawn with probability ~ 1/(k+1)
        p = 1.0 / np.arange(1, args.vocab + 1)
        x = rng.choice(args.vocab, (n, args.length), p=p / p.sum()).astype("int32")
    else:
        x = rng.integers(0, args.vocab, (n, args.length)).astype("int32")
    rows = np.mean([np.unique(x[i:i + args.batch]).size for i in range(0, n, args.batch)])
    y = (rng.random(n) < 0.5).astype("float32")
    models = {"sparse": _model(keraslite, args.vocab, args.dim, args.length),
              "dense": _model(keraslite, args.vocab, args.dim, args.length)}
    models["dense"].set_weights(models["sparse"].get_weights())
    for kind, model in models.items():
        model.fit(x[:args.batch], y[:args.batch], batch_size=args.batch, shuffle=False,
                  verbose=0)
        if kind == "dense":
            model.optimizer.update_step_sparse = None  # every step densifies
    times = {kind: [] for kind in models}
    for _ in range(args.rounds):
        for kind, model in models.items():
            start = time.perf_counter()
            model.fit(x, y, batch_size=args.batch, epochs=1, shuffle=False, verbose=0)
            times[kind].append((time.perf_counter() - start) / args.steps * 1e3)
    same = all(np.array_equal(a, b) for a, b in zip(models["sparse"].get_weights(),
                                                    models["dense"].get_weights()))
    print(f"Embedding({args.vocab}, {args.dim}) on {args.batch}x{args.length} ids -> "
          f"GlobalAveragePooling1D -> Dense(1, sigmoid), SGD; {args.rounds} interleaved "
          f"rounds of {args.steps} steps; {'Zipf' if args.zipf else 'uniform'} ids, "
          f"{rows:.0f} distinct rows a batch; same weights after: {same}")
    for kind, values in times.items():
        print(f"  {kind:6s} step: best {min(values):.2f} ms, range "
              f"{min(values):.2f}-{max(values):.2f} ms")
    print(f"  dense / sparse (best): {min(times['dense']) / min(times['sparse']):.2f}x")


def book(args):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trees = {"this tree": here, "other tree": os.path.abspath(args.book)}
    times = {name: [] for name in trees}
    code = BOOK.replace("{steps}", str(args.book_steps))
    for round_ in range(args.rounds):
        order = list(trees.items())  # each tree first in every other round
        for name, tree in (order if round_ % 2 == 0 else order[::-1]):
            env = dict(os.environ, PYTHONPATH=tree)
            out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True, cwd=tree).stdout
            times[name].append(float(out.split()[-1]) * 1e3)
    print(f"book MLP train step (batch 128, {args.book_steps // 100 * 100} steps a fit, "
          f"{args.rounds} interleaved rounds, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')})")
    for name, tree in trees.items():
        values = times[name]
        print(f"  {name} ({tree}): best {min(values):.3f} ms, range "
              f"{min(values):.3f}-{max(values):.3f} ms")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=10000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--zipf", action="store_true",
                        help="ids drawn as word ranks (1/rank) instead of uniformly")
    parser.add_argument("--book", default=None, help="another tree to time the book "
                        "step against (instead of sparse vs dense)")
    parser.add_argument("--book-steps", type=int, default=2000)
    args = parser.parse_args(argv)
    if args.book:
        book(args)
    else:
        sparse_vs_dense(args)


if __name__ == "__main__":
    main()
