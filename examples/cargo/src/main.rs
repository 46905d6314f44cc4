//! Prints a few integers formatted without allocation.

fn main() {
    let mut buffer = itoa::Buffer::new();
    for number in [1_u64, 42, 1_000_000] {
        println!("{}", buffer.format(number));
    }
}
