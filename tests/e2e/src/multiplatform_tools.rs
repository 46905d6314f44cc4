//! The `tools` named build context of multi-platform cases: input = the host's static busybox
//! (`/bin/busybox` of Debian's busybox-static), output = a temporary directory holding it as
//! `busybox`, passed as `--build-context tools=<dir>`. Invariants: a missing busybox or one with
//! an ELF program interpreter (dynamically linked: it cannot run in a `FROM scratch` stage) is an
//! error naming scripts/setup-env. The binary is the host's (x86-64) for every target platform:
//! an amd64 kernel runs it in linux/386 stages too, and the test compares frontends, not binaries.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

/// Where busybox-static puts its binary.
pub const HOST_BUSYBOX: &str = "/bin/busybox";

/// The name of the named build context that holds the tools.
pub const TOOLS_CONTEXT_NAME: &str = "tools";

const ELF_MAGIC: &[u8; 4] = b"\x7fELF";
const ELF_CLASS_64: u8 = 2;
const ELF_LITTLE_ENDIAN: u8 = 1;
const PROGRAM_HEADER_INTERPRETER: u32 = 3;

/// A temporary directory holding `busybox`, removed when dropped.
#[derive(Debug)]
pub struct ToolsContext {
    directory: TempDir,
}

impl ToolsContext {
    /// Copies the host's static busybox into a new temporary directory.
    pub fn prepare() -> Result<ToolsContext> {
        let source = Path::new(HOST_BUSYBOX);
        let bytes = fs::read(source).with_context(|| {
            format!("reading {HOST_BUSYBOX}: install busybox-static (scripts/setup-env does)")
        })?;
        if !is_static_elf(&bytes)
            .with_context(|| format!("reading the ELF header of {HOST_BUSYBOX}"))?
        {
            bail!(
                "{HOST_BUSYBOX} is dynamically linked; multi-platform cases need busybox-static \
                 (scripts/setup-env installs it)"
            );
        }
        let directory = tempfile::Builder::new()
            .prefix("cachefront-e2e-tools-")
            .tempdir()
            .context("creating the tools context directory")?;
        let destination = directory.path().join("busybox");
        fs::copy(source, &destination)
            .with_context(|| format!("copying {HOST_BUSYBOX} to {}", destination.display()))?;
        Ok(ToolsContext { directory })
    }

    /// `--build-context tools=<dir>`.
    pub fn flags(&self) -> [String; 2] {
        [
            "--build-context".to_string(),
            format!("{TOOLS_CONTEXT_NAME}={}", self.directory.path().display()),
        ]
    }
}

/// The `WIDTH` bytes at `offset`, or an error when the file is shorter.
fn read_bytes<const WIDTH: usize>(bytes: &[u8], offset: usize) -> Result<[u8; WIDTH]> {
    offset
        .checked_add(WIDTH)
        .and_then(|end| bytes.get(offset..end))
        .and_then(|field| <[u8; WIDTH]>::try_from(field).ok())
        .with_context(|| format!("truncated at byte {offset}"))
}

/// Whether a 64-bit little-endian ELF file has no program interpreter (`PT_INTERP`) header.
pub fn is_static_elf(bytes: &[u8]) -> Result<bool> {
    if !bytes.starts_with(ELF_MAGIC) {
        bail!("not an ELF file");
    }
    if bytes.get(4) != Some(&ELF_CLASS_64) || bytes.get(5) != Some(&ELF_LITTLE_ENDIAN) {
        bail!("not a 64-bit little-endian ELF file");
    }
    let table_offset = usize::try_from(u64::from_le_bytes(read_bytes(bytes, 0x20)?))?;
    let entry_size = usize::from(u16::from_le_bytes(read_bytes(bytes, 0x36)?));
    let entry_count = usize::from(u16::from_le_bytes(read_bytes(bytes, 0x38)?));
    for index in 0..entry_count {
        let entry_offset = index
            .checked_mul(entry_size)
            .and_then(|relative| relative.checked_add(table_offset))
            .context("program header table offset overflows")?;
        if u32::from_le_bytes(read_bytes(bytes, entry_offset)?) == PROGRAM_HEADER_INTERPRETER {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal 64-bit ELF header followed by program headers of the given types.
    fn elf_with_program_headers(types: &[u32]) -> Vec<u8> {
        const HEADER_SIZE: usize = 64;
        const ENTRY_SIZE: usize = 56;
        let mut bytes = vec![0_u8; HEADER_SIZE + ENTRY_SIZE * types.len()];
        bytes[..4].copy_from_slice(ELF_MAGIC);
        bytes[4] = ELF_CLASS_64;
        bytes[5] = ELF_LITTLE_ENDIAN;
        bytes[0x20..0x28].copy_from_slice(&(HEADER_SIZE as u64).to_le_bytes());
        bytes[0x36..0x38].copy_from_slice(&(ENTRY_SIZE as u16).to_le_bytes());
        bytes[0x38..0x3a].copy_from_slice(&(types.len() as u16).to_le_bytes());
        for (index, program_type) in types.iter().enumerate() {
            let offset = HEADER_SIZE + index * ENTRY_SIZE;
            bytes[offset..offset + 4].copy_from_slice(&program_type.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn tells_static_from_dynamic_binaries() {
        assert_eq!(
            is_static_elf(&elf_with_program_headers(&[1, 1, 4])).ok(),
            Some(true)
        );
        assert_eq!(
            is_static_elf(&elf_with_program_headers(&[6, 3, 1])).ok(),
            Some(false)
        );
    }

    #[test]
    fn the_dynamically_linked_test_binary_is_not_static() {
        let executable = std::env::current_exe().and_then(fs::read);
        let Ok(bytes) = executable else {
            panic!("reading the test binary: {executable:?}");
        };
        assert_eq!(is_static_elf(&bytes).ok(), Some(false));
    }

    #[test]
    fn rejects_non_elf_and_truncated_files() {
        assert!(is_static_elf(b"#!/bin/sh\n").is_err());
        let mut truncated = elf_with_program_headers(&[1, 3]);
        truncated.truncate(80);
        assert!(is_static_elf(&truncated).is_err());
    }
}
