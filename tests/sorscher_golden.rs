//! Sorscher et al.'s place-cell RNN is gridrnn's CTRNN with alpha = 1, no noise, no bias, ReLU,
//! velocity inputs, the place-code initial state and the place-cell readout: on the peer's own
//! weights and minibatch (`tests/data/sorscher_golden.npz`, made once by
//! `scripts/sorscher_golden.py`, which runs the peer unchanged) the engine gives the peer's
//! loss and decoding error.

use std::path::Path;

use gridrnn::config::{Activation, Encoding, NoiseSite};
use gridrnn::io::NpzIn;
use gridrnn::model::{Ctrnn, Engine};
use gridrnn::task::{DECODE_TOP_K, PlaceCells, PlaceTargets, Trajectories};

fn scalar(z: &mut NpzIn, k: &str) -> f64 {
    z.array(k).unwrap().data[0]
}

#[test]
fn the_peer_network_gives_the_peer_loss_on_its_own_weights_and_trajectories() {
    let mut z = NpzIn::open(Path::new("tests/data/sorscher_golden.npz")).unwrap();
    let w_rec = z.array("W_rec").unwrap();
    let n = w_rec.shape[0];
    let w_out = z.array("W_out").unwrap();
    let np = w_out.shape[0];
    let vel = z.array("velocity").unwrap();
    let (steps, batch) = (vel.shape[0], vel.shape[1]);
    let pos = z.array("position").unwrap();
    let init = z.array("init_pos").unwrap();
    let centres = z.array("place_centres").unwrap();
    let pc = PlaceCells {
        centres: centres.data.chunks(2).map(|c| [c[0], c[1]]).collect(),
        sigma: scalar(&mut z, "place_cell_width"),
        targets: PlaceTargets::DifferenceOfSoftmaxes {
            surround_scale: scalar(&mut z, "surround_scale"),
        },
    };
    assert_eq!(pc.len(), np);
    let net = Ctrnn::<f64> {
        n,
        n_in: 2,
        w_rec: w_rec.data,
        w_in: z.array("W_in").unwrap().data,
        b: vec![0.0; n],
        w_out: w_out.data,
        w_enc: z.array("W_enc").unwrap().data,
        place_cells: Some(pc),
        alpha: 1.0,
        activation: Activation::Relu,
        noise_site: NoiseSite::Eq1,
        encoding: Encoding::Velocity,
        input_scale: vec![1.0, 1.0],
        noise_std: 0.0,
        bias: false,
    };
    // The peer's (T, B, 2) arrays as trial-major trajectories: the velocity as speed and
    // heading, which the velocity encoding turns back into (v cos h, v sin h).
    let mut traj = Trajectories {
        trials: batch,
        steps,
        speed: vec![0.0; batch * steps],
        heading: vec![0.0; batch * steps],
        position: vec![0.0; batch * steps * 2],
        start: init.data.chunks(2).map(|p| [p[0], p[1]]).collect(),
        boundary: vec![false; batch * steps],
        arena_vertices: Vec::new(),
    };
    for t in 0..steps {
        for b in 0..batch {
            let i = (t * batch + b) * 2;
            let (vx, vy) = (vel.data[i], vel.data[i + 1]);
            traj.speed[b * steps + t] = vx.hypot(vy);
            traj.heading[b * steps + t] = vy.atan2(vx);
            traj.position[(b * steps + t) * 2] = pos.data[i];
            traj.position[(b * steps + t) * 2 + 1] = pos.data[i + 1];
        }
    }
    let mut engine = Engine::<f64>::new(n, 2, steps, batch, 2, 1, false);
    let terms = engine.forward_on(&net, None, &traj, 0, None);
    let loss = terms.e + scalar(&mut z, "weight_decay") * terms.r_rec;
    let (want_xent, want_loss) = (scalar(&mut z, "cross_entropy"), scalar(&mut z, "loss"));
    eprintln!(
        "cross-entropy {} (peer {want_xent}), loss {loss} (peer {want_loss})",
        terms.e
    );
    // The peer computes in float32; the engine here in f64 from the same float32 weights.
    assert!(
        (terms.e - want_xent).abs() < 1e-6 * want_xent,
        "{} vs {want_xent}",
        terms.e
    );
    assert!(
        (loss - want_loss).abs() < 1e-6 * want_loss,
        "{loss} vs {want_loss}"
    );
    // Its decoding error: the mean distance from the top-3 centres' mean to the position.
    assert_eq!(DECODE_TOP_K, 3);
    let dist: f64 = engine
        .step_errors()
        .iter()
        .map(|se| (2.0 * se).sqrt())
        .sum::<f64>()
        / (batch * steps) as f64;
    let want_err = scalar(&mut z, "decoding_error");
    eprintln!("decoding error {dist} (peer {want_err})");
    assert!((dist - want_err).abs() < 1e-9, "{dist} vs {want_err}");
}
