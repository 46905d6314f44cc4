//! Content digests, in: bytes; out: `sha256:<hex>` as BuildKit writes them.

use sha2::{Digest as _, Sha256};

/// The digest BuildKit uses to name a marshalled op.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}
