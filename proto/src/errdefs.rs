//! BuildKit's `errdefs.Source` detail, in: a file, its text and line ranges; out: the
//! `google.protobuf.Any` that makes `docker buildx build` print a `>>>` snippet.
//! Invariant: the JSON matches Go's `encoding/json` of BuildKit's types (bytes as base64, 1-based lines).

use base64::Engine as _;
use serde::Serialize;

use crate::rpc::Any;

/// The type URL BuildKit looks for when it renders a source snippet under an error.
pub const SOURCE_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Source+json";

/// A line range in a source file, 1-based and inclusive, as BuildKit's `pb.Range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRange {
    pub start: u32,
    pub end: u32,
}

/// Builds the `errdefs.Source` detail for an error located in `filename` at `ranges`.
pub fn source_detail(filename: &str, data: &[u8], language: &str, ranges: &[LineRange]) -> Any {
    let detail = SourceJson {
        info: InfoJson {
            filename,
            data: base64::engine::general_purpose::STANDARD.encode(data),
            language,
        },
        ranges: ranges
            .iter()
            .map(|range| RangeJson {
                start: PositionJson {
                    line: range.start,
                    character: 0,
                },
                end: PositionJson {
                    line: range.end,
                    character: 0,
                },
            })
            .collect(),
    };
    Any {
        type_url: SOURCE_TYPE_URL.to_owned(),
        // Serializing plain structs of strings and integers cannot fail.
        value: serde_json::to_vec(&detail).unwrap_or_default(),
    }
}

#[derive(Serialize)]
struct SourceJson<'a> {
    info: InfoJson<'a>,
    ranges: Vec<RangeJson>,
}

#[derive(Serialize)]
struct InfoJson<'a> {
    filename: &'a str,
    data: String,
    language: &'a str,
}

#[derive(Serialize)]
struct RangeJson {
    start: PositionJson,
    end: PositionJson,
}

#[derive(Serialize)]
struct PositionJson {
    line: u32,
    character: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_detail_is_go_json_with_base64_data() {
        let any = source_detail(
            "Dockerfile",
            b"FROM x\n",
            "Dockerfile",
            &[LineRange { start: 1, end: 1 }],
        );
        assert_eq!(any.type_url, SOURCE_TYPE_URL);
        let text = String::from_utf8(any.value).expect("utf-8");
        assert_eq!(
            text,
            r#"{"info":{"filename":"Dockerfile","data":"RlJPTSB4Cg==","language":"Dockerfile"},"ranges":[{"start":{"line":1,"character":0},"end":{"line":1,"character":0}}]}"#
        );
    }
}
