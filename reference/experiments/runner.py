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

# one BLAS thread per worker: with --jobs workers on as many cores, more threads only contend
THREAD_VARIABLES = ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')


class ExperimentError(Exception):
    """A problem the user can fix (a missing dataset, a bad option): one line, no traceback."""


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


def run_all(configs, out_dir, jobs=1, data_dirs=None, quiet=False):
    """Trains every configuration not finished yet; returns the results in the order of configs."""
    unique = list({run_key(c): c for c in configs}.values())  # experiments may repeat a run
    os.makedirs(os.path.join(out_dir, 'runs'), exist_ok=True)
    todo = [c for c in unique if read_run(run_path(out_dir, c), c) is None]
    folders = {c['dataset']: dataset_dir(c, data_dirs or {}) for c in todo}
    if todo:
        for variable in THREAD_VARIABLES:
            os.environ.setdefault(variable, '1')
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
