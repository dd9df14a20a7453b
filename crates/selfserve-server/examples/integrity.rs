//! `cargo run --example integrity -- DATABASE_URL`: prints the money and seat invariants of a
//! database (`cargo xtask soak` runs it after the load) and fails if one does not hold.

use selfserve_server::store::Store;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: integrity DATABASE_URL");
        return ExitCode::from(2);
    };
    let store = match Store::open(&url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("integrity: cannot open {url}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match store.integrity().await {
        Ok(found) => {
            println!(
                "charged_orders={} succeeded_charges={} paid_without_charge={} \
                 charge_without_paid_order={} seat_violations={}",
                found.charged_orders,
                found.succeeded_charges,
                found.paid_without_charge,
                found.charge_without_paid_order,
                found.seat_violations
            );
            if found.holds() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("integrity: {error}");
            ExitCode::FAILURE
        }
    }
}
