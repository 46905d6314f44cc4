//! Throwaway SSH keys for cases that forward an agent: input = the agent ids a case lists and a
//! directory to write into, output = `docker buildx build` flags `--ssh <id>=<private key file>`
//! (buildx loads each key into an agent it serves to the build). Invariants: a fresh ed25519 key
//! per id and call, written only into the given (temporary) directory, never into the
//! repository; a missing `ssh-keygen` is an error that names the package to install.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// Makes one key per id in `directory` and returns the `--ssh` flags that forward them.
pub fn ssh_flags(ids: &[String], directory: &Path) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    fs::create_dir_all(directory).with_context(|| format!("creating {}", directory.display()))?;
    let mut flags = Vec::new();
    for id in ids {
        let key = generate_key(directory, id)?;
        flags.push("--ssh".to_string());
        flags.push(format!("{id}={}", key.display()));
    }
    Ok(flags)
}

/// Writes an unencrypted ed25519 key pair `<directory>/<id>` (and `.pub`), returns the private
/// key's path.
fn generate_key(directory: &Path, id: &str) -> Result<PathBuf> {
    let key = directory.join(id);
    let output = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "cachefront-e2e-throwaway",
            "-f",
        ])
        .arg(&key)
        .stdin(Stdio::null())
        .output()
        .context(
            "cannot run ssh-keygen, which the ssh cases need for throwaway keys: install \
             openssh-client",
        )?;
    if !output.status.success() {
        bail!(
            "ssh-keygen failed for {}: {}{}",
            key.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_fresh_key_and_flag_per_id() -> Result<()> {
        let directory = tempfile::tempdir()?;
        let ids = vec!["default".to_string(), "deploy".to_string()];
        let flags = ssh_flags(&ids, &directory.path().join("keys"))?;
        let default_key = directory.path().join("keys/default");
        let deploy_key = directory.path().join("keys/deploy");
        assert_eq!(
            flags,
            [
                "--ssh".to_string(),
                format!("default={}", default_key.display()),
                "--ssh".to_string(),
                format!("deploy={}", deploy_key.display()),
            ]
        );
        let default_text = fs::read_to_string(&default_key)?;
        assert!(default_text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert_ne!(default_text, fs::read_to_string(&deploy_key)?);
        let public = fs::read_to_string(directory.path().join("keys/deploy.pub"))?;
        assert!(public.starts_with("ssh-ed25519 "), "{public}");
        Ok(())
    }

    #[test]
    fn no_ids_no_flags_and_no_directory() -> Result<()> {
        let directory = tempfile::tempdir()?;
        let keys = directory.path().join("keys");
        assert!(ssh_flags(&[], &keys)?.is_empty());
        assert!(!keys.exists());
        Ok(())
    }
}
