"""The Python module against the command line on the same inputs, and its errors."""

import csv
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gridrnn

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("GRIDRNN_BIN", ROOT / "target" / "release" / "gridrnn"))


def cli(*args):
    """Run the gridrnn binary; fail with its stderr."""
    if not BIN.exists():
        pytest.skip(f"no gridrnn binary at {BIN} (cargo build --release, or set GRIDRNN_BIN)")
    out = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out


def lattice_maps(n=6, size=20, seed=1):
    """Hexagonal and square lattices of different periods plus noise, a few bins unvisited."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(float)
    maps = []
    for k in range(n):
        period = 5.0 + k
        dirs = (0, 60, 120) if k % 2 == 0 else (0, 90)
        m = sum(np.cos(2 * np.pi / period * (x * np.cos(np.radians(d + 7 * k))
                                               + y * np.sin(np.radians(d + 7 * k))))
                for d in dirs)
        m = m + 0.3 * rng.standard_normal(m.shape)
        m[rng.random(m.shape) < 0.03] = np.nan
        maps.append(m)
    return np.array(maps)


def test_scores_equal_the_command_line(tmp_path):
    maps = lattice_maps()
    np.save(tmp_path / "maps.npy", maps)
    cli("score", tmp_path / "maps.npy", "--arena", "square", "--shuffles", 20,
        "--out", tmp_path / "scores.csv")
    header, *rows = csv.reader((tmp_path / "scores.csv").read_text().splitlines())
    got = gridrnn.score(maps, "square", shuffles=20)
    assert list(got) == header
    for j, name in enumerate(header):
        want = [r[j] for r in rows]
        if got[name].dtype.kind == "f":
            # Full precision here; printed as scores.csv prints it (6 decimals, NaN), the
            # same text.
            text = ["NaN" if np.isnan(v) else f"{v:.6f}" for v in got[name]]
        else:
            text = [str(v) for v in got[name]]
        assert text == want, name
    assert got["unit"].dtype == np.int64 and got["grid_score"].dtype == np.float64
    assert (got["cell_type"] == "grid").sum() >= 1


def test_any_memory_order_and_dtype_and_one_map():
    maps = lattice_maps(n=3)
    c = gridrnn.score(maps, shuffles=10)
    f = gridrnn.score(np.asfortranarray(maps), shuffles=10)
    v = gridrnn.score(maps[:, ::-1, :][:, ::-1, :], shuffles=10)
    for name in c:
        np.testing.assert_array_equal(c[name], f[name])
        np.testing.assert_array_equal(c[name], v[name])
    m32 = maps.astype(np.float32)
    np.testing.assert_array_equal(gridrnn.score(m32, shuffles=10)["grid_score"],
                                  gridrnn.score(m32.astype(np.float64), shuffles=10)["grid_score"])
    one = gridrnn.score(maps[0], shuffles=10)
    assert one["unit"].tolist() == [0]


def test_trajectories_equal_the_command_line(tmp_path):
    cli("trajectories", "--trials", 3, "--steps", 40, "--set", "train.seed=5",
        "--set", "task.arena=hexagon", "--out", tmp_path / "t.npz")
    got = gridrnn.trajectories({"task.arena": "hexagon"}, trials=3, steps=40, seed=5)
    with np.load(tmp_path / "t.npz") as want:
        assert sorted(want.files) == sorted(got)
        for k in want.files:
            np.testing.assert_array_equal(got[k], want[k], err_msg=k)


def test_trajectories_never_leave_the_arena():
    for arena in ("square", "triangle", "hexagon"):
        t = gridrnn.trajectories({"task.arena": arena}, trials=20, steps=500, seed=3)
        v = t["arena_vertices"]
        p = t["position"].reshape(-1, 2)
        # Inside a convex polygon: on the inner side of every edge (counter-clockwise).
        edges = np.roll(v, -1, axis=0) - v
        cross = edges[:, 0] * (p[:, None, 1] - v[:, 1]) - edges[:, 1] * (p[:, None, 0] - v[:, 0])
        sign = np.sign(np.sum(edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1]
                              - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]))
        assert (sign * cross >= -1e-9).all(), arena


def test_bad_keys_values_and_files_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unitz"):
        gridrnn.trajectories({"model.unitz": 3}, trials=1)
    with pytest.raises(ValueError, match="task.arena"):
        gridrnn.trajectories({"task.arena": "blob"}, trials=1)
    with pytest.raises(ValueError, match="arena"):
        gridrnn.score(lattice_maps(n=1), "blob")
    with pytest.raises(ValueError, match="shuffles"):
        gridrnn.score(lattice_maps(n=1), shuffles=0)
    with pytest.raises(ValueError, match="maps"):
        gridrnn.score(np.zeros(5))
    with pytest.raises(OSError, match="config.toml"):
        gridrnn.Run(tmp_path)
    with pytest.raises((OSError, ValueError), match="nope.toml"):
        gridrnn.trajectories(tmp_path / "nope.toml", trials=1)


def test_run_reads_what_the_command_line_trained(tmp_path):
    run = tmp_path / "run"
    cli("train", "--set", "model.units=16", "--set", "task.steps=20", "--set",
        "train.batch_size=8", "--set", "train.iterations=4", "--out", run)
    r = gridrnn.Run(run)
    assert r.config["model"]["units"] == 16
    assert r.log["iteration"].tolist() == [0, 1, 2, 3]
    assert np.isfinite(r.log["loss"]).all()
    assert r.checkpoints() == [0, 1, 2, 4]
    latest = r.checkpoint()
    assert latest["W_rec"].shape == (16, 16)
    np.testing.assert_array_equal(latest["W_rec"], r.checkpoint(4)["W_rec"])
    assert not np.array_equal(latest["W_rec"], r.checkpoint(0)["W_rec"])
    with pytest.raises(OSError, match="analyze"):
        r.scores()


def test_from_ratinabox_shapes():
    class Agent:  # the part of ratinabox.Agent the converter reads
        history = {"pos": [[0.1, 0.1], [0.2, 0.1], [0.2, 0.3]]}

    t = gridrnn.from_ratinabox(Agent())
    np.testing.assert_allclose(t["speed"], [[0.1, 0.2]])
    np.testing.assert_allclose(t["heading"], [[0.0, np.pi / 2]])
    assert t["position"].shape == (1, 2, 2)


SMALL = {"model.units": 16, "task.steps": 20, "train.batch_size": 8, "train.iterations": 4}


def test_train_gives_the_command_lines_network(tmp_path):
    cli("train", *[a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")],
        "--out", tmp_path / "cli")
    run = gridrnn.train(SMALL, out=tmp_path / "py", progress=False)
    assert isinstance(run, gridrnn.Run)
    for name in ("00000004.npz", "latest.npz", "00000000.npz"):
        a = (tmp_path / "cli" / "checkpoints" / name).read_bytes()
        b = (run.path / "checkpoints" / name).read_bytes()
        assert a == b, name
    with pytest.raises(ValueError, match="not empty"):
        gridrnn.train(SMALL, out=run.path)


def test_simulate_gives_the_evaluated_error(tmp_path):
    run = gridrnn.train(SMALL, out=tmp_path / "run", progress=False)
    traj = gridrnn.trajectories(SMALL, trials=5, steps=30, seed=9)
    np.savez(tmp_path / "t.npz", **traj)
    out = cli("evaluate", "--checkpoint", run.path / "checkpoints" / "latest.npz",
              "--trajectories", tmp_path / "t.npz", "--json", tmp_path / "e.json")
    import json
    mse = json.loads((tmp_path / "e.json").read_text())["mse"]
    sim = gridrnn.simulate(run, traj)
    assert sim["output"].shape == (5, 30, 2) and sim["activity"].shape == (5, 30, 16)
    e = np.mean((sim["output"] - traj["position"]) ** 2)
    assert abs(e - mse) < 1e-5 * mse, (e, mse)
    again = gridrnn.simulate(run.path / "checkpoints" / "latest.npz", tmp_path / "t.npz")
    np.testing.assert_array_equal(again["activity"], sim["activity"])
    noisy = gridrnn.simulate(run, traj, noise=True)
    assert not np.array_equal(noisy["activity"], sim["activity"])


def test_analyze_equals_the_command_line(tmp_path):
    import shutil
    run = gridrnn.train(SMALL, out=tmp_path / "py", progress=False)
    shutil.copytree(run.path, tmp_path / "cli")
    opts = {"steps": 20000, "stages": "off", "long_steps": 0, "shuffles": 10}
    cli("analyze", tmp_path / "cli", "--steps", 20000, "--stages", "off", "--long-steps", 0,
        "--shuffles", 10)
    report = run.analyze(**opts)
    assert report == run.report_path and report.is_file()
    assert run.ratemaps().shape == (16, 20, 20)
    assert (run.path / "analysis" / "scores.csv").read_text() == \
        (tmp_path / "cli" / "analysis" / "scores.csv").read_text()
    assert run.scores()["unit"].tolist() == list(range(16))
    with pytest.raises(ValueError, match="stepz"):
        run.analyze(stepz=10)
    with pytest.raises(ValueError, match="bins"):
        run.analyze(bins=1, stages="off", long_steps=0)


def test_from_ratinabox_with_the_real_package(tmp_path):
    ratinabox = pytest.importorskip("ratinabox")  # installed by .ci/run
    from ratinabox.Agent import Agent
    from ratinabox.Environment import Environment

    np.random.seed(0)
    agent = Agent(Environment(params={"scale": 2.0}))
    for _ in range(200):
        agent.update()
    t = gridrnn.from_ratinabox(agent)
    pos = np.asarray(agent.history["pos"])
    assert t["position"].shape == (1, 199, 2) and t["speed"].shape == (1, 199)
    # The speeds and headings integrate back to RatInABox's own positions.
    step = t["speed"][0, :, None] * np.stack([np.cos(t["heading"][0]), np.sin(t["heading"][0])], 1)
    np.testing.assert_allclose(t["start"][0] + np.cumsum(step, axis=0), pos[1:], atol=1e-9)
    # Centred, the box of scale 2 is gridrnn's square [-1, 1]^2; steps are unchanged.
    centred = gridrnn.from_ratinabox(agent, centre=True)
    np.testing.assert_array_equal(centred["position"], t["position"] - 1.0)
    np.testing.assert_array_equal(centred["speed"], t["speed"])
    assert np.abs(centred["position"]).max() <= 1.0
    run = gridrnn.train(SMALL, out=tmp_path / "run", progress=False)
    sim = gridrnn.simulate(run, centred)
    assert sim["activity"].shape == (1, 199, 16) and np.isfinite(sim["output"]).all()


def test_ctrl_c_checkpoints_and_raises_keyboard_interrupt(tmp_path):
    import signal
    import sys
    import time
    run = tmp_path / "run"
    code = (
        "import gridrnn\n"
        "try:\n"
        f"    gridrnn.train(dict({SMALL!r}, **{{'train.iterations': 10**7}}), out={str(run)!r},"
        " progress=False)\n"
        "except KeyboardInterrupt as e:\n"
        "    print('interrupted:', e)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (run / "checkpoints" / "00000008.npz").exists():
        assert p.poll() is None and time.time() < deadline, p.communicate()
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert "interrupted:" in out and "gridrnn resume" in out, (out, err)
    r = gridrnn.Run(run)
    last = max(r.checkpoints())
    assert last >= 8 and last == len(r.log["iteration"])


def test_the_example_script_runs(tmp_path):
    import sys
    pytest.importorskip("matplotlib")
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python_quickstart.py"), "--preset",
         "pytorch-peer", "--iterations", "3", "--analysis-steps", "20000", "--out",
         str(tmp_path / "run")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "run" / "ratemaps.png").is_file()
    assert "cell types:" in out.stdout and "held-out error" in out.stdout
