//! Colour maps for rate maps and autocorrelograms: a perceptual one by default (viridis,
//! from `colorous`), and the paper's jet-like map as an option.

use plotters::style::RGBColor;

/// Which colour map the heat maps use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Colormap {
    /// Perceptually uniform (viridis); the default.
    #[default]
    Viridis,
    /// MATLAB's jet, as in the paper's figures.
    Jet,
}

impl Colormap {
    /// Parse `viridis` or `jet`.
    pub fn parse(s: &str) -> Option<Colormap> {
        match s {
            "viridis" => Some(Colormap::Viridis),
            "jet" => Some(Colormap::Jet),
            _ => None,
        }
    }

    /// The colour of `t` in [0, 1] (clamped).
    pub fn color(self, t: f64) -> RGBColor {
        let t = t.clamp(0.0, 1.0);
        match self {
            Colormap::Viridis => {
                let c = colorous::VIRIDIS.eval_continuous(t);
                RGBColor(c.r, c.g, c.b)
            }
            Colormap::Jet => {
                // Piecewise-linear jet: blue, cyan, yellow, red.
                let ch =
                    |centre: f64| ((1.5 - (4.0 * t - centre).abs()).clamp(0.0, 1.0) * 255.0) as u8;
                RGBColor(ch(3.0), ch(2.0), ch(1.0))
            }
        }
    }
}
