"""Profile keraslite's fit on the book workload: where the time goes.

    python -m benchmarks.profile_fit                  # cProfile, top 25
    python -m benchmarks.profile_fit --pyinstrument   # call tree (pip install pyinstrument)
    python -m benchmarks.profile_fit --epochs 1 --verbose 1
    python -m benchmarks.profile_fit --convnet --samples 6400 --batch-size 64 --epochs 1

Prints the fit time next to its GEMM floor, then the profile.
"""
import argparse
import cProfile
import io
import os
import pstats
import sys
import time

from benchmarks import gemm
from benchmarks.run import default_mnist_path
from benchmarks.worker import build_convnet, build_network, load_data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=None)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--verbose", type=int, default=0,
                        help="fit verbosity (output goes to /dev/null)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime",
                        help="pstats sort key (tottime, cumulative)")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--convnet", action="store_true",
                        help="the chapter-5 convnet instead of the book MLP")
    parser.add_argument("--samples", type=int, default=60000)
    args = parser.parse_args(argv)

    import keraslite

    keraslite.utils.set_random_seed(0)
    (x, y), _ = load_data(args.mnist or default_mnist_path(), args.samples, 1)
    if args.convnet:
        x = x.reshape((-1, 28, 28, 1))
        model = build_convnet(keraslite)
        floor_s, _ = gemm.convnet_train_floor(len(x), args.batch_size, args.epochs)
    else:
        model = build_network(keraslite, 784, args.hidden, 10)
        floor_s, _ = gemm.train_floor(x, args.hidden, 10, args.batch_size, args.epochs)

    def fit():
        saved = sys.stdout
        with open(os.devnull, "w") as devnull:
            if args.verbose:
                sys.stdout = devnull
            try:
                model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size,
                          verbose=args.verbose)
            finally:
                sys.stdout = saved

    start = time.perf_counter()
    fit()
    plain_s = time.perf_counter() - start
    print(f"fit without profiler: {plain_s:.3f} s; GEMM floor {floor_s:.3f} s; "
          f"ratio {plain_s / floor_s:.2f}")
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        fit()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        return
    profiler = cProfile.Profile()
    profiler.enable()
    fit()
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats(args.sort).print_stats(args.top)
    print(stream.getvalue())


if __name__ == "__main__":
    main()
