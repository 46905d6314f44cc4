//! The `--call=check` answer (subrequest `frontend.lint`), in: the check report, or the error
//! that stopped the checks, and the Dockerfile as loaded; out: the metadata-only result the stock
//! frontend returns: `result.json` (upstream's `LintResults`, Go field order, two-space indent),
//! `result.txt`, `result.statuscode` (1 when anything was found) and `version`. Invariant: an
//! error is part of the answer (`buildError`), never a failed request.

use std::collections::BTreeMap;

use base64::Engine as _;
use cachefront_dockerfile::checks::Report;
use cachefront_dockerfile::parse::Span;
use cachefront_gateway::BuildResult;
use cachefront_proto::pb;
use serde::Serialize;

use crate::checks::loader_digest;
use crate::failure::DockerfileSource;

/// The request id buildx sends for `--call=check`.
pub const LINT_REQUEST: &str = "frontend.lint";

#[derive(Serialize)]
struct LintResults {
    warnings: Vec<LintWarning>,
    sources: Vec<SourceJson>,
    #[serde(rename = "buildError", skip_serializing_if = "Option::is_none")]
    build_error: Option<BuildError>,
}

#[derive(Serialize)]
struct LintWarning {
    #[serde(rename = "ruleName")]
    rule_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    detail: String,
    location: LocationJson,
}

#[derive(Serialize)]
struct BuildError {
    message: String,
    location: LocationJson,
}

#[derive(Serialize, Default)]
struct LocationJson {
    #[serde(rename = "sourceIndex", skip_serializing_if = "is_zero")]
    source_index: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<RangeJson>,
}

#[derive(Serialize)]
struct RangeJson {
    start: PositionJson,
    end: PositionJson,
}

#[derive(Serialize)]
struct PositionJson {
    #[serde(skip_serializing_if = "is_zero")]
    line: i32,
}

#[derive(Serialize)]
struct SourceJson {
    filename: String,
    data: String,
    definition: DefinitionJson,
    language: String,
}

#[derive(Serialize)]
struct DefinitionJson {
    def: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    metadata: BTreeMap<String, OpMetadataJson>,
    #[serde(rename = "Source")]
    source: SourceMapJson,
}

#[derive(Serialize)]
struct OpMetadataJson {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    description: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    caps: BTreeMap<String, bool>,
}

#[derive(Serialize)]
struct SourceMapJson {
    locations: BTreeMap<String, BTreeMap<String, String>>,
}

fn is_zero(value: &i32) -> bool {
    *value == 0
}

fn location(spans: &[Span]) -> LocationJson {
    let line = |line: usize| PositionJson {
        line: i32::try_from(line).unwrap_or(i32::MAX),
    };
    LocationJson {
        source_index: 0,
        ranges: spans
            .iter()
            .map(|span| RangeJson {
                start: line(span.start),
                end: line(span.end),
            })
            .collect(),
    }
}

fn source_json(source: &DockerfileSource) -> SourceJson {
    let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let definition: &pb::Definition = &source.definition;
    let metadata = definition
        .metadata
        .iter()
        .map(|(digest, metadata)| {
            let entry = OpMetadataJson {
                description: metadata.description.clone().into_iter().collect(),
                caps: metadata.caps.clone().into_iter().collect(),
            };
            (digest.clone(), entry)
        })
        .collect();
    let locations = BTreeMap::from([(loader_digest(definition), BTreeMap::new())]);
    SourceJson {
        filename: source.filename.clone(),
        data: encode(&source.data),
        definition: DefinitionJson {
            def: definition.def.iter().map(|op| encode(op)).collect(),
            metadata,
            source: SourceMapJson { locations },
        },
        language: "Dockerfile".to_owned(),
    }
}

/// The answer: the findings, or the error (with its lines) that stops the build.
pub fn answer(
    source: &DockerfileSource,
    report: &Report,
    error: Option<(String, Option<Span>)>,
) -> BuildResult {
    let results = LintResults {
        warnings: report
            .findings
            .iter()
            .map(|finding| LintWarning {
                rule_name: finding.rule.name.to_owned(),
                description: finding.rule.description.to_owned(),
                url: finding.rule.url.to_owned(),
                detail: finding.message.clone(),
                location: location(&finding.spans),
            })
            .collect(),
        sources: vec![source_json(source)],
        build_error: error.map(|(message, span)| {
            // One range per line, as upstream's `Node.Location()`.
            let lines: Vec<Span> = span
                .map(|span| {
                    (span.start..=span.end.max(span.start))
                        .map(Span::line)
                        .collect()
                })
                .unwrap_or_default();
            BuildError {
                message,
                location: location(&lines),
            }
        }),
    };
    let json = serde_json::to_vec_pretty(&results).unwrap_or_default();
    let text = text(&results);
    let failed = !results.warnings.is_empty() || results.build_error.is_some();
    BuildResult::metadata_only(BTreeMap::new())
        .with_metadata("result.json", json)
        .with_metadata("result.txt", text)
        .with_metadata("result.statuscode", if failed { "1" } else { "0" })
        .with_metadata("version", "1.0.0")
}

/// `result.txt`: one block per warning in line order (upstream's `PrintTo` without snippets).
fn text(results: &LintResults) -> String {
    let mut warnings: Vec<&LintWarning> = results.warnings.iter().collect();
    warnings.sort_by_key(|warning| warning.location.ranges.first().map_or(0, |r| r.start.line));
    let mut text = String::new();
    for warning in warnings {
        text.push_str(&format!("\nWARNING: {}", warning.rule_name));
        if !warning.url.is_empty() {
            text.push_str(&format!(" - {}", warning.url));
        }
        text.push_str(&format!("\n{}\n", warning.detail));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachefront_dockerfile::checks::{run, CheckConfig, CheckOptions};

    #[test]
    fn answer_is_upstreams_lint_result() {
        let text = "FROM scratch as base\nENV a b\n";
        let (ast, dockerfile) = cachefront_dockerfile::parse_and_type(text.as_bytes()).unwrap();
        let options = CheckOptions {
            config: CheckConfig::default(),
            all_stages: true,
            ..CheckOptions::default()
        };
        let report = run(&ast, &dockerfile, &options);
        let source = DockerfileSource {
            filename: "Dockerfile".to_owned(),
            data: text.as_bytes().to_vec(),
            definition: pb::Definition {
                def: vec![b"a".to_vec(), b"b".to_vec()],
                ..pb::Definition::default()
            },
        };
        let result = answer(&source, &report, None);
        let json: serde_json::Value =
            serde_json::from_slice(&result.metadata["result.json"]).unwrap();
        assert_eq!(json["warnings"][0]["ruleName"], "FromAsCasing");
        assert_eq!(json["warnings"][1]["ruleName"], "LegacyKeyValueFormat");
        assert_eq!(
            json["warnings"][1]["location"]["ranges"][0]["start"]["line"],
            2
        );
        assert!(json["warnings"][0]["location"].get("sourceIndex").is_none());
        assert_eq!(json["sources"][0]["filename"], "Dockerfile");
        assert_eq!(json["sources"][0]["language"], "Dockerfile");
        assert!(json.get("buildError").is_none());
        assert_eq!(result.metadata["result.statuscode"], b"1");
        assert_eq!(result.metadata["version"], b"1.0.0");

        let failed = answer(&source, &Report::default(), Some(("bad".to_owned(), None)));
        let json: serde_json::Value =
            serde_json::from_slice(&failed.metadata["result.json"]).unwrap();
        assert_eq!(json["buildError"]["message"], "bad");
        assert_eq!(json["buildError"]["location"], serde_json::json!({}));
    }
}
