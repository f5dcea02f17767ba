"""The staff's experiment runner: the report's questions answered by the reference solution.

    python -m reference.experiments grid --jobs 2 --out docs/experiments
    python -m reference.experiments sweep --train-size 10000 --epochs 8 --seeds 0 1 2
    python -m reference.experiments decay --halve-at 4 7 --epochs 10
    python -m reference.experiments analysis --datasets mnist fashion-mnist
    python -m reference.experiments extras --train-size 10000

Each run is trained once with the reference's run_mlp (reference/codes/), in parallel worker
processes, and saved as <out>/runs/<key>.json; a rerun skips finished runs. Each experiment writes its
tables (CSV, JSON) to <out>/<experiment>/ and, with matplotlib installed, its figures (PNG).
"""
