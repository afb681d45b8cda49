//! The operating system's random number generator, the only randomness source.

use crate::{Error, Result};

/// `N` fresh random bytes from the OS.
pub(crate) fn random_bytes<const N: usize>() -> Result<zeroize::Zeroizing<[u8; N]>> {
    let mut out = zeroize::Zeroizing::new([0u8; N]);
    getrandom::fill(out.as_mut()).map_err(|_| Error::Randomness)?;
    Ok(out)
}
