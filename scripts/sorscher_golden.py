"""Make tests/data/sorscher_golden.npz: one minibatch of Sorscher et al.'s place-cell RNN (the
peer in ../shared/peers/sorscher, run unchanged) with its weights, inputs, targets and loss,
so that `tests/sorscher_golden.rs` can show that gridrnn's CTRNN with alpha = 1, no noise, no
bias, ReLU, velocity inputs, the place-code initial state and the place-cell readout gives the
peer's loss and decoding error on the peer's own weights and trajectories.

Run once, with torch and numpy (see the peer's README for its virtual environment):

    ~/.venv-peer/bin/python scripts/sorscher_golden.py ../shared/peers/sorscher

Small on purpose (Ng 24, Np 40, batch 5, the peer's sequence length 20): the file stays a few
tens of kB. The weights are the peer's own initialisation, moved by 30 steps of its own
training (Adam, its main.py defaults otherwise) so that W_out and W_enc are not at their
initial values.
"""
import sys

import numpy as np

PEER = sys.argv[1] if len(sys.argv) > 1 else "../shared/peers/sorscher"
OUT = sys.argv[2] if len(sys.argv) > 2 else "tests/data/sorscher_golden.npz"
sys.path.insert(0, PEER)

import torch  # noqa: E402
from peer_common import build  # noqa: E402

NG, NP, BATCH = 24, 40, 5
options, pc, model, tg = build(NG, seed=0, Np=NP, batch_size=BATCH, learning_rate=1e-2)

# A few of the peer's own training steps, so that no weight is at its initial value.
opt = torch.optim.Adam(model.parameters(), lr=options.learning_rate)
gen = tg.get_generator()
for _ in range(30):
    inputs, pc_outputs, pos = next(gen)
    loss, _ = model.compute_loss(inputs, pc_outputs, pos)
    opt.zero_grad()
    loss.backward()
    opt.step()

# The start points are not yielded by the generator: record what it asks the place cells
# to encode (its last call of a batch is the start position).
seen = []
get_activation = pc.get_activation
pc.get_activation = lambda p: (seen.append(p.detach().clone()), get_activation(p))[1]
inputs, pc_outputs, pos = next(gen)
pc.get_activation = get_activation
init_pos = seen[-1].reshape(BATCH, 2)
with torch.no_grad():
    loss, err = model.compute_loss(inputs, pc_outputs, pos)
    w_rec = model.RNN.weight_hh_l0
    xent = loss - options.weight_decay * (w_rec**2).sum()

f32 = lambda t: t.detach().cpu().numpy().astype(np.float32)
np.savez(
    OUT,
    W_rec=f32(model.RNN.weight_hh_l0),
    W_in=f32(model.RNN.weight_ih_l0),
    W_enc=f32(model.encoder.weight),
    W_out=f32(model.decoder.weight),
    place_centres=pc.us.detach().cpu().numpy().astype(np.float64),
    place_cell_width=np.float64(options.place_cell_rf),
    surround_scale=np.float64(options.surround_scale),
    velocity=f32(inputs[0]),  # (T, B, 2)
    init_pos=f32(init_pos),  # (B, 2)
    position=f32(pos),  # (T, B, 2)
    weight_decay=np.float64(options.weight_decay),
    loss=np.float64(loss.item()),
    cross_entropy=np.float64(xent.item()),
    decoding_error=np.float64(err.item()),
)
print(f"wrote {OUT}: loss {loss.item():.6f}, cross-entropy {xent.item():.6f}, "
      f"decoding error {err.item():.4f}")
