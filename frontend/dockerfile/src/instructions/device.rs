//! `RUN --device` values, in: the flag's value as written; out: a typed `Device` (a CDI device
//! name and whether it is required), or BuildKit's error. Invariant: BuildKit's `ParseDevice`
//! (dockerfile 1.26): CSV fields, the first bare field (or unknown `key=value` field) is the
//! name, `name=` may not follow a name, `required` alone or as a Go boolean. The stable frontend
//! reads the flag while typing and refuses it when lowering (it is a labs feature).

use super::mount_values::go_bool;
use crate::csv::{split_fields, CsvError};
use crate::suggest::Hint;

/// One `--device`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub name: String,
    pub required: bool,
}

/// Why BuildKit rejects a `--device`; `Display` is its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("failed to parse csv devices: {0}")]
    Csv(#[from] CsvError),
    #[error("invalid field '{field}' must be a key=value pair")]
    NotKeyValue { field: String },
    #[error("device name already set to {name}")]
    NameSet { name: String },
    #[error("invalid value for {key}: {value}")]
    InvalidValue { key: String, value: String },
    #[error("unexpected key '{key}' in '{field}'{hint}")]
    UnexpectedKey {
        key: String,
        field: String,
        hint: Hint,
    },
}

/// Reads one `--device` value.
pub(super) fn parse_device(value: &str) -> Result<Device, DeviceError> {
    let mut device = Device {
        name: String::new(),
        required: false,
    };
    for field in split_fields(value)? {
        let (key, value) = match field.split_once('=') {
            Some((key, value)) => (key.to_lowercase(), Some(value)),
            None => (field.to_lowercase(), None),
        };
        match (key.as_str(), value) {
            ("required", None) => device.required = true,
            (_, None) if device.name.is_empty() => device.name = field.clone(),
            (_, None) => return Err(DeviceError::NotKeyValue { field }),
            ("name", Some(_)) if !device.name.is_empty() => {
                return Err(DeviceError::NameSet { name: device.name })
            }
            ("name", Some(value)) => device.name = value.to_owned(),
            ("required", Some(value)) => {
                device.required = go_bool(value).ok_or_else(|| DeviceError::InvalidValue {
                    key: key.clone(),
                    value: value.to_owned(),
                })?
            }
            (_, Some(_)) if device.name.is_empty() => device.name = field.clone(),
            (_, Some(_)) => {
                return Err(DeviceError::UnexpectedKey {
                    hint: Hint::new(&key, &["name", "required"], true),
                    key,
                    field,
                })
            }
        }
    }
    Ok(device)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> Result<Device, String> {
        parse_device(value).map_err(|error| error.to_string())
    }

    #[test]
    fn reads_as_buildkit() {
        assert_eq!(
            read("vendor.com/gpu=all,required"),
            Ok(Device {
                name: "vendor.com/gpu=all".to_owned(),
                required: true
            })
        );
        assert_eq!(
            read("name=gpu,required=false"),
            Ok(Device {
                name: "gpu".to_owned(),
                required: false
            })
        );
        assert_eq!(
            read("gpu,name=other"),
            Err("device name already set to gpu".to_owned())
        );
        assert_eq!(
            read("gpu,other"),
            Err("invalid field 'other' must be a key=value pair".to_owned())
        );
        assert_eq!(
            read("gpu,requird=true"),
            Err("unexpected key 'requird' in 'requird=true' (did you mean required?)".to_owned())
        );
        assert_eq!(
            read("gpu,required=maybe"),
            Err("invalid value for required: maybe".to_owned())
        );
    }
}
