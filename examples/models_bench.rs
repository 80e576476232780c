//! Native timing of the model fits and predictions on simulated customers (days), and the same
//! summary as a CSV for timing lifetimes on identical data:
//!
//!   cargo run --release --example models_bench -- 100000 /tmp/models-bench.csv
//!
//! Customers follow BG/NBD (r = 0.25, α = 28 days, a = 0.8, b = 2.5) with T uniform over 30–730
//! whole days and recency rounded up to a whole day, as a daily summary has them; spend follows
//! Gamma-Gamma (p = 6, q = 3.7, γ = 15).
use std::io::Write;
use std::time::Instant;

use clvkit::models::*;
use clvkit::summary::TimeUnit;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(100_000, |s| s.parse().expect("N: a number"));
    let out = args.next();
    let mut rng = Rng::new(2024);
    let ages: Vec<f64> = (0..n).map(|_| (30.0 + 700.0 * rng.uniform()).floor()).collect();
    let truth = TransactionParams::BgNbd(BetaGeoParams { r: 0.25, alpha: 28.0, a: 0.8, b: 2.5 });
    let mut sim = simulate_transactions(&truth, &ages, 0.0, 7).expect("simulate");
    for (tx, t) in sim.recency.iter_mut().zip(&sim.t) {
        *tx = tx.ceil().min(*t);
    }
    let spend = simulate_spend(&GammaGammaParams { p: 6.0, q: 3.7, gamma: 15.0 }, &sim.frequency, 8).expect("spend");
    if let Some(path) = out {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create the CSV"));
        writeln!(f, "customer_id,frequency,recency,T,monetary_value").expect("write");
        for (i, m) in spend.iter().enumerate() {
            writeln!(f, "c{i},{},{},{},{m}", sim.frequency[i], sim.recency[i], sim.t[i]).expect("write");
        }
    }
    let c = Customers::new(&sim.frequency, &sim.recency, &sim.t, TimeUnit::Days);
    let mut unique: Vec<(u64, u64, u64)> = (0..n).map(|i| (sim.frequency[i].to_bits(), sim.recency[i].to_bits(), sim.t[i].to_bits())).collect();
    unique.sort_unstable();
    unique.dedup();
    println!("{n} customers, {} unique (x, t_x, T)", unique.len());
    let mut fits = Vec::new();
    for model in TransactionModel::ALL {
        let t = Instant::now();
        let fit = fit_transactions(model, &c, &FitOptions::default()).expect("fit");
        println!(
            "  fit {:9} {:7.3} s  ll {:.6}  iterations {}  converged {}  {:?}",
            model.as_str(),
            t.elapsed().as_secs_f64(),
            fit.log_likelihood,
            fit.iterations,
            fit.converged,
            fit.params
        );
        fits.push(fit);
    }
    let t = Instant::now();
    let gg = fit_gamma_gamma(&sim.frequency, &spend, &FitOptions::default()).expect("gamma-gamma");
    println!("  fit gammaGamma {:7.3} s  ll {:.6}  {:?}", t.elapsed().as_secs_f64(), gg.log_likelihood, gg.params);
    for fit in &fits {
        let t = Instant::now();
        let p = fit.params.p_alive(&c).expect("p alive");
        let e = fit.params.expected_purchases(&c, 30.0).expect("expected");
        let v = clv(&fit.params, &gg.params, &c, &spend, &ClvOptions::default()).expect("clv");
        println!(
            "  predict {:9} {:7.3} s  (P(alive), E[30 days], 12-month CLV; mean CLV {:.4}, mean P(alive) {:.4}, total E {:.1})",
            fit.params.model().as_str(),
            t.elapsed().as_secs_f64(),
            v.iter().sum::<f64>() / n as f64,
            p.iter().sum::<f64>() / n as f64,
            e.iter().sum::<f64>()
        );
    }
}
