"""gridrnn from Python: score rate maps, generate trajectories and read runs.

The functions call the same library as the ``gridrnn`` command line, so the same inputs give
the same numbers. Arrays go in as any float dtype and memory order and come out as numpy
arrays. A bad key or value raises ``ValueError`` with the command line's message (it names
the key and the fix); a bad file raises ``OSError`` or ``ValueError`` naming the file.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import numpy as np

from . import _gridrnn

__all__ = ["score", "trajectories", "simulate", "train", "Run", "from_ratinabox", "__version__"]
__version__ = _gridrnn.version()

ConfigLike = Union[None, str, os.PathLike, Mapping[str, Any]]

_TEXT_COLUMNS = ("cell_type", "lattice")


def _columns(text: str) -> dict:
    """A scores.csv (or any header-first CSV) as one numpy array per column."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    out = {}
    for j, name in enumerate(header):
        values = [r[j] for r in body]
        if name in _TEXT_COLUMNS:
            out[name] = np.array(values, dtype=str)
        elif name in ("unit", "iteration"):
            out[name] = np.array([int(v) for v in values], dtype=np.int64)
        else:
            out[name] = np.array([float(v) for v in values], dtype=np.float64)
    return out


def score(maps, arena: Optional[str] = "square", *, arena_area: float = 4.0,
          shuffles: int = 100, percentile: float = 99.0, seed: int = 0,
          threads: int = 0) -> dict:
    """Score rate maps as ``gridrnn score`` does (docs/analysis.md).

    maps: (n, rows, cols) or one (rows, cols) map, any float dtype and memory order, NaN =
    unvisited. arena: "square", "triangle", "hexagon", "circle" (masks and walls of that
    arena of area ``arena_area``), or None for a rectangle whose edges are the walls.
    shuffles, percentile, seed: the mask-preserving shuffle null that sets the thresholds.
    threads: 0 = all cores (results do not depend on it).

    Returns one numpy array per scores.csv column, in its order (``cell_type`` and
    ``lattice`` as string arrays, ``unit`` int64, the scores float64 at full precision:
    the file rounds them to 6 decimals). Maps alone have no split halves, so irregular
    and non-spatial maps are typed ``unclassified``, as on the command line.
    """
    a = np.asarray(maps, dtype=np.float64)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or 0 in a.shape:
        raise ValueError(f"maps: expected (n, rows, cols) or (rows, cols), got shape {a.shape}")
    a = np.ascontiguousarray(a)
    out = _gridrnn.score(a, arena, float(arena_area), int(shuffles), float(percentile),
                         int(seed), int(threads))
    for name in _TEXT_COLUMNS:
        out[name] = np.array(out[name], dtype=str)
    return out


def _value(v: Any) -> str:
    """A Python value as ``--set`` takes it (TOML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, (int, float, np.integer, np.floating)):
        return repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v))
    raise ValueError(f"config value {v!r}: give a number, string, bool or list")


def _config(config: ConfigLike, extra: Mapping[str, Any] = ()) -> tuple:
    """(TOML path or None, ``section.key=value`` settings) from a config argument."""
    path, sets = None, []
    if config is None:
        pass
    elif isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
    elif isinstance(config, Mapping):
        sets = [f"{k}={_value(v)}" for k, v in config.items()]
    else:
        raise ValueError("config: give None, a TOML path or a dict of dotted keys "
                         "(e.g. {'model.units': 256})")
    sets += [f"{k}={_value(v)}" for k, v in dict(extra).items()]
    return path, sets


def trajectories(config: ConfigLike = None, *, trials: int, steps: Optional[int] = None,
                 seed: int = 0, preset: Optional[str] = None) -> dict:
    """Trajectories of the config's task, as ``gridrnn trajectories`` writes them.

    config: None (the defaults), a TOML path, or a dict of dotted keys as ``--set`` takes
    them, over ``preset`` (as ``--preset``: "pytorch-peer", "authors-code", "sorscher",
    "place-cells") when given. trials: B; steps: T (default ``task.steps``); seed:
    ``train.seed``.

    Returns ``speed`` (B, T), ``heading`` (B, T), ``position`` (B, T, 2), ``start`` (B, 2),
    ``boundary`` (B, T) bool and ``arena_vertices`` (V, 2): the keys of the trajectory .npz.
    """
    path, sets = _config(config, {"train.seed": int(seed)})
    return _gridrnn.trajectories(path, preset, sets, int(trials),
                                 None if steps is None else int(steps))


def simulate(checkpoint, trajectories, noise: bool = False, *, threads: int = 0) -> dict:
    """Run a trained network on trajectories, as ``gridrnn evaluate`` does.

    checkpoint: a checkpoint .npz path or a :class:`Run` (its ``latest.npz``).
    trajectories: a trajectories dict (as :func:`trajectories` returns) or a .npz path.
    noise: the unit noise as in training (its own fixed stream), or none.

    Returns ``output`` (B, T, 2): the network's y_t of eq. 2, the decoded position for a
    place-cell readout; and ``activity`` (B, T, N): the firing rates u_t (float32).
    """
    if isinstance(checkpoint, Run):
        checkpoint = checkpoint.path / "checkpoints" / "latest.npz"
    if isinstance(trajectories, Mapping):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "trajectories.npz"
            np.savez(f, **{k: np.asarray(v) for k, v in trajectories.items()})
            return _gridrnn.simulate(os.fspath(checkpoint), str(f), bool(noise), int(threads))
    return _gridrnn.simulate(os.fspath(checkpoint), os.fspath(trajectories), bool(noise),
                             int(threads))


def train(config: ConfigLike = None, *, out: Union[str, os.PathLike],
          progress: bool = True, preset: Optional[str] = None) -> "Run":
    """Train a network into the new run directory ``out``, as ``gridrnn train`` does, and
    return it as a :class:`Run`.

    config: None (the defaults), a TOML path, or a dict of dotted keys as ``--set`` takes
    them, over ``preset`` when given (``preset="place-cells"`` grows grid cells:
    docs/place_cells.md). The GIL is released while it trains, so other Python threads run.
    Ctrl-C (or a notebook's interrupt) writes a checkpoint and raises KeyboardInterrupt;
    continue with ``gridrnn resume OUT``.
    """
    path, sets = _config(config)
    return Run(_gridrnn.train(path, preset, sets, os.fspath(out), bool(progress)))


class Run:
    """A run directory (``gridrnn run`` / ``gridrnn train``): its config, training log,
    checkpoints and analysis outputs (docs/design.md section 5)."""

    def __init__(self, path: Union[str, os.PathLike]):
        self.path = Path(path)
        if not (self.path / "config.toml").is_file():
            raise OSError(f"{self.path} is not a run directory: it has no config.toml")

    def __repr__(self) -> str:
        return f"gridrnn.Run({str(self.path)!r})"

    @property
    def config(self) -> dict:
        """The run's full resolved config as nested dicts (config.toml)."""
        return json.loads(_gridrnn.config_json(str(self.path / "config.toml")))

    @property
    def log(self) -> dict:
        """train_log.csv as one numpy array per column."""
        return _columns((self.path / "train_log.csv").read_text())

    def checkpoints(self) -> list:
        """The iterations with a checkpoint, ascending."""
        names = (self.path / "checkpoints").glob("*.npz")
        return sorted(int(p.stem) for p in names if p.stem.isdigit())

    def checkpoint(self, iteration: Optional[int] = None) -> dict:
        """A checkpoint's arrays (``latest.npz`` when ``iteration`` is None)."""
        name = "latest.npz" if iteration is None else f"{int(iteration):08d}.npz"
        f = self.path / "checkpoints" / name
        if not f.is_file():
            raise OSError(f"{f}: no such checkpoint; the run has {self.checkpoints()}")
        with np.load(f) as z:
            return {k: z[k] for k in z.files}

    def analyze(self, *, threads: int = 0, **options) -> Path:
        """Analyze the run and write its report, as ``gridrnn analyze`` does; returns the
        report's path.

        options: the analysis settings of docs/analysis.md by name (``steps``, ``bins``,
        ``noise``, ``shuffles``, ``percentile``, ``transient_steps``, ``colormap``,
        ``long_steps``, ``long_trials``, ``stages``); the rest as ``gridrnn run`` analyzes
        after training (10^6 steps, Fig. 4's stages "0.02,0.2,1", Fig. 6's long trials).
        An unknown name or a bad value raises ValueError naming it.
        """
        return Path(_gridrnn.analyze(str(self.path), json.dumps(options), int(threads)))

    def ratemaps(self) -> np.ndarray:
        """analysis/ratemaps.npy: (units, rows, cols), NaN = unvisited (run ``analyze`` first)."""
        return np.load(self._analysis("ratemaps.npy"))

    def scores(self) -> dict:
        """analysis/scores.csv as one numpy array per column."""
        return _columns(self._analysis("scores.csv").read_text())

    @property
    def report_path(self) -> Path:
        """report.html."""
        return self.path / "report.html"

    def _analysis(self, name: str) -> Path:
        f = self.path / "analysis" / name
        if not f.is_file():
            raise OSError(f"{f} does not exist: analyze the run first "
                          f"(gridrnn analyze {self.path})")
        return f


def from_ratinabox(agent, *, centre: bool = False) -> dict:
    """A RatInABox ``Agent``'s history as a trajectories dict (one trial): ``start`` is its
    first position, ``position`` the positions after each later update, ``speed`` the step
    lengths and ``heading`` their directions (unwrapped), ``boundary`` all False.

    RatInABox's box spans [0, scale]^2; gridrnn's square of area 4 spans [-1, 1]^2. With
    ``centre=True`` the environment's centre is subtracted from every position, so a box of
    scale 2 lands on gridrnn's square; otherwise positions are RatInABox's own. ``speed`` is
    the distance per update (the agent's ``dt``), as gridrnn's trajectories are per step:
    match the agent's speed and ``dt`` to the trained network's, or its decoded positions
    drift."""
    origin = np.zeros(2)
    if centre:
        origin = np.asarray(agent.Environment.centre, dtype=np.float64)
        if origin.shape != (2,):
            raise ValueError("centre=True: agent.Environment.centre must be a 2D point "
                             f"(a 2D environment), got {origin!r}")
    pos = np.asarray(agent.history["pos"], dtype=np.float64)
    if pos.ndim != 2 or pos.shape[1] != 2 or len(pos) < 2:
        raise ValueError("agent.history['pos'] must hold at least two 2D positions")
    pos = pos - origin
    step = np.diff(pos, axis=0)
    speed = np.hypot(step[:, 0], step[:, 1])
    heading = np.unwrap(np.arctan2(step[:, 1], step[:, 0]))
    return {
        "speed": speed[None],
        "heading": heading[None],
        "position": pos[1:][None],
        "start": pos[:1],
        "boundary": np.zeros((1, len(step)), dtype=bool),
    }
