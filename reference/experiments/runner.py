"""Trains many configurations in parallel worker processes, skipping those already finished.

Each run's result is <out>/runs/<key>.json, written by its worker atomically, so an interrupted
experiment resumes where it stopped and experiments that share a configuration share its run.
"""
import importlib
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
import multiprocessing

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .plans import DATASET_DIRS, run_key, run_name

# read by each worker's BLAS once, when numpy loads there (the same variables run_mlp.py sets)
THREAD_VARIABLES = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS')


class ExperimentError(Exception):
    """A problem the user can fix (a missing dataset, a bad option): one line, no traceback."""


def worker_threads(jobs, requested=0, environ=os.environ, cores=None, load=None):
    """(BLAS threads per worker, why): --threads if given, else a *_NUM_THREADS variable already set,
    else the cores no other process is using (by the load average) shared among the jobs, at least 1.

    BLAS threads wait for each other by spinning: one more thread than there are free cores made
    single epochs take 28-45 s instead of 2 s on a shared 2-core machine.
    """
    if requested > 0:
        return requested, '--threads'
    for name in THREAD_VARIABLES:
        if environ.get(name, '').strip().isdigit() and int(environ[name]) > 0:
            return int(environ[name]), name
    cores = cores or (len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1)
    load = os.getloadavg()[0] if load is None else load
    idle = max(0, int(cores - load + 0.5))
    return max(1, idle // jobs), 'automatic: load %.1f on %d cores, %d jobs' % (load, cores, jobs)


def run_path(out_dir, config):
    return os.path.join(out_dir, 'runs', run_key(config) + '.json')


def read_run(path, config):
    """The finished run at path, or None if there is none for this configuration."""
    try:
        with open(path) as f:
            result = json.load(f)
    except (OSError, ValueError):
        return None
    return result if result.get('config') == config else None


def dataset_dir(config, data_dirs):
    """The folder of config's dataset: data_dirs overrides DATASET_DIRS; a missing one is an error."""
    name = config['dataset']
    folder = data_dirs.get(name) or DATASET_DIRS.get(name)
    if folder is None:
        raise ExperimentError('unknown dataset %r: give its folder with --data-dir %s=DIR' % (name, name))
    if not any(os.path.exists(os.path.join(folder, 'train-images-idx3-ubyte' + end)) for end in ('', '.gz')):
        raise ExperimentError('%s: no train-images-idx3-ubyte(.gz) in %s' % (name, folder))
    return folder


def _train_in_worker(config, data_dir, path):
    # imported in the worker only: it loads the reference's modules; a course's experiment module
    # ('trainer' in its configurations) brings its own training loop
    trainer = importlib.import_module('.' + config.get('trainer', 'training'), __package__)
    return trainer.run_and_save(config, data_dir, path)


def run_all(configs, out_dir, jobs=1, data_dirs=None, quiet=False, threads=1):
    """Trains every configuration not finished yet, each worker with `threads` BLAS threads; returns
    the results in the order of configs."""
    unique = list({run_key(c): c for c in configs}.values())  # experiments may repeat a run
    os.makedirs(os.path.join(out_dir, 'runs'), exist_ok=True)
    todo = [c for c in unique if read_run(run_path(out_dir, c), c) is None]
    folders = {c['dataset']: dataset_dir(c, data_dirs or {}) for c in todo}
    if todo:
        for variable in THREAD_VARIABLES:
            os.environ[variable] = str(threads)
        columns = (TextColumn('{task.description}'), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        # spawn, not fork: the workers start clean and read the thread limits above when numpy loads
        context = multiprocessing.get_context('spawn')
        with Progress(*columns, disable=quiet) as progress, \
                ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            done_before = len(unique) - len(todo)
            task = progress.add_task('%d runs (%d done before)' % (len(unique), done_before),
                                     total=len(unique), completed=done_before)
            futures = {pool.submit(_train_in_worker, c, folders[c['dataset']], run_path(out_dir, c)): c
                       for c in todo}
            try:
                for future in as_completed(futures):
                    future.result()
                    progress.update(task, advance=1, description='done: %s' % run_name(futures[future]))
            except BaseException:  # Ctrl-C or a failed run: drop the queue, keep what finished
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return [read_run(run_path(out_dir, c), c) for c in configs]
