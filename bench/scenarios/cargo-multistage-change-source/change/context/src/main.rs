//! stock-report: reads stock movements (JSON lines on stdin) and prints the non-zero balance per SKU
//! as JSON.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Movement {
    sku: String,
    quantity: i64,
}

#[derive(Debug, Serialize)]
struct Balance<'a> {
    sku: &'a str,
    quantity: i64,
}

#[derive(Debug, thiserror::Error)]
enum ReportError {
    #[error("line {line}: {source}")]
    Parse { line: usize, source: serde_json::Error },
}

fn balances(input: impl BufRead) -> anyhow::Result<BTreeMap<String, i64>> {
    let mut totals = BTreeMap::new();
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let movement: Movement =
            serde_json::from_str(&line).map_err(|source| ReportError::Parse { line: index + 1, source })?;
        *totals.entry(movement.sku).or_insert(0) += movement.quantity;
    }
    Ok(totals)
}

fn main() -> anyhow::Result<()> {
    let totals = balances(io::stdin().lock())?;
    let report: Vec<Balance> = totals
        .iter()
        .filter(|(_, quantity)| **quantity != 0)
        .map(|(sku, quantity)| Balance { sku, quantity: *quantity }).collect();
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(())
}
