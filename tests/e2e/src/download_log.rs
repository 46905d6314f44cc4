//! What a RUN step fetched or rebuilt, read from a `--progress=plain` build log: input = the log
//! and a text identifying the step's header (`RUN pip install`), output = the step's output lines
//! and, per tool, the items it downloaded (pip, apt, npm with `loglevel=http`, cargo), compiled
//! (`go build -v`), Maven's downloads, or ccache's statistics. Invariants: only the named step's lines are read;
//! parsers return items in log order and never panic on unexpected text.

/// The output lines of every step whose header line (`#<n> [<stage> <i>/<k>] <text>`) contains
/// `step_text`, without the `#<n> <seconds> ` prefix.
pub fn step_output(log: &str, step_text: &str) -> Vec<String> {
    let step_ids: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(" [") && line.contains(step_text))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|id| id.starts_with('#'))
        .collect();
    log.lines()
        .filter_map(|line| {
            let (id, rest) = line.split_once(' ')?;
            if !step_ids.contains(&id) {
                return None;
            }
            let (seconds, text) = rest.split_once(' ')?;
            seconds
                .parse::<f64>()
                .is_ok()
                .then(|| text.trim().to_string())
        })
        .collect()
}

/// pip's `Downloading <file or URL>` lines, as file names.
pub fn pip_downloads(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|line| line.strip_prefix("Downloading "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|target| file_name_of(target).to_string())
        .collect()
}

/// pip's `Using cached <file>` lines, as file names.
pub fn pip_cache_hits(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|line| line.strip_prefix("Using cached "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|target| file_name_of(target).to_string())
        .collect()
}

/// apt's `Get:<n> <what> [<size>]` lines, as `<what>` (URL, suite, and for packages the
/// architecture, name and version; for indexes the file).
pub fn apt_downloads(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.starts_with("Get:"))
        .map(|line| {
            line.split_whitespace()
                .skip(1)
                .take_while(|word| !word.starts_with('['))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// npm's `http fetch GET <status> <url> <time> [(cache ...)]` lines (with `loglevel=http`) that
/// went to the network: not `(cache hit)` nor `(cache revalidated)`; as URLs.
pub fn npm_downloads(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.contains("http fetch GET"))
        .filter(|line| !line.contains("(cache hit)") && !line.contains("(cache revalidated)"))
        .filter_map(|line| {
            line.split_whitespace()
                .find(|word| word.starts_with("http://") || word.starts_with("https://"))
                .map(str::to_string)
        })
        .collect()
}

/// npm's fetches of package tarballs (`.tgz`) that went to the network, as URLs.
pub fn npm_tarball_downloads(lines: &[String]) -> Vec<String> {
    npm_downloads(lines)
        .into_iter()
        .filter(|url| url.ends_with(".tgz"))
        .collect()
}

/// cargo's `Downloaded <crate> v<version>` lines, as `<crate> v<version>` (not the summary line
/// `Downloaded 2 crates (...)`).
pub fn cargo_downloads(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|line| line.strip_prefix("Downloaded "))
        .filter_map(|rest| {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [name, version] if version.starts_with('v') => Some(format!("{name} {version}")),
                _ => None,
            }
        })
        .collect()
}

/// Maven's `[INFO] Downloaded from <repository>: <url> (<size> ...)` lines, as the URL's path
/// (without scheme and host, so the same artifact from another port compares equal).
pub fn maven_downloads(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|line| line.split("Downloaded from ").nth(1))
        .filter_map(|rest| rest.split_whitespace().nth(1))
        .map(|url| {
            let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
            without_scheme
                .split_once('/')
                .map_or(without_scheme, |(_, path)| path)
                .to_string()
        })
        .collect()
}

/// The import paths `go build -v` printed: the packages it compiled (cache hits print nothing).
pub fn go_compiled_packages(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| !line.is_empty() && !line.contains(char::is_whitespace))
        .filter(|line| !line.starts_with('#'))
        .cloned()
        .collect()
}

/// ccache's `--show-stats` counts: (hits, misses), from `Hits: <n> / <m>` and `Misses: <n> / <m>`.
pub fn ccache_hits_and_misses(lines: &[String]) -> Option<(u64, u64)> {
    let count = |label: &str| {
        lines.iter().find_map(|line| {
            line.strip_prefix(label)?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
    };
    Some((count("Hits:")?, count("Misses:")?))
}

/// The items of `later` that also occur in `earlier`.
pub fn repeated<'a>(earlier: &[String], later: &'a [String]) -> Vec<&'a String> {
    later.iter().filter(|item| earlier.contains(item)).collect()
}

fn file_name_of(target: &str) -> &str {
    let without_fragment = target.split(['#', '?']).next().unwrap_or(target);
    without_fragment
        .rsplit('/')
        .next()
        .unwrap_or(without_fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
#11 [4/5] RUN pip install -r requirements.txt  [cachefront: cache /.cachefront/pip/root/.cache/pip]
#11 0.512 Looking in indexes: http://127.0.0.1:4000/simple
#11 0.701 Collecting idna==3.10
#11 0.702   Downloading http://127.0.0.1:4000/packages/idna-3.10-py3-none-any.whl (70 kB)
#11 0.901   Using cached http://127.0.0.1:4000/packages/six-1.17.0-py2.py3-none-any.whl (11 kB)
#12 [5/5] RUN apt-get update && apt-get install -y curl
#12 0.300 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]
#12 1.300 Get:5 http://deb.debian.org/debian bookworm/main amd64 curl amd64 7.88.1-10+deb12u8 [315 kB]
#11 DONE 1.2s
#13 [6/6] RUN cargo build --release && go build -v . && ccache -s && npm ci
#13 1.879   Downloaded itoa v1.0.11
#13 1.880   Downloaded 1 crate (10.2 KB) in 0.31s
#13 2.018 example.com/greet/greeting
#13 3.537   Hits:               2 /    3 (66.67%)
#13 3.537   Misses:             1 /    3 (33.33%)
#13 3.800 [INFO] Downloaded from local: http://127.0.0.1:38555/org/jsoup/jsoup/1.15.3/jsoup-1.15.3.jar (432 kB at 798 kB/s)
#13 3.801 [INFO] Downloading from local: http://127.0.0.1:38555/org/x/x.pom
#13 4.000 npm http fetch GET 200 https://registry.npmjs.org/ms/-/ms-2.1.3.tgz 25ms (cache miss)
#13 4.001 npm http fetch GET 200 https://registry.npmjs.org/ms 25ms (cache revalidated)
#13 4.002 npm http fetch GET 200 https://registry.npmjs.org/escape-html/-/escape-html-1.0.3.tgz 1ms (cache hit)
";

    #[test]
    fn reads_only_the_named_step() {
        let pip = step_output(LOG, "RUN pip install");
        assert_eq!(pip.len(), 4);
        assert_eq!(pip_downloads(&pip), ["idna-3.10-py3-none-any.whl"]);
        assert_eq!(pip_cache_hits(&pip), ["six-1.17.0-py2.py3-none-any.whl"]);
        assert!(apt_downloads(&pip).is_empty());
    }

    #[test]
    fn parses_each_tool() {
        let apt = step_output(LOG, "RUN apt-get update");
        assert_eq!(
            apt_downloads(&apt),
            [
                "http://deb.debian.org/debian bookworm InRelease",
                "http://deb.debian.org/debian bookworm/main amd64 curl amd64 7.88.1-10+deb12u8"
            ]
        );
        let build = step_output(LOG, "RUN cargo build");
        assert_eq!(cargo_downloads(&build), ["itoa v1.0.11"]);
        assert_eq!(go_compiled_packages(&build), ["example.com/greet/greeting"]);
        assert_eq!(
            maven_downloads(&build),
            ["org/jsoup/jsoup/1.15.3/jsoup-1.15.3.jar"]
        );
        assert_eq!(ccache_hits_and_misses(&build), Some((2, 1)));
        assert_eq!(
            npm_tarball_downloads(&build),
            ["https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"]
        );
        let earlier = vec!["a".to_string(), "b".to_string()];
        let later = vec!["b".to_string(), "c".to_string()];
        assert_eq!(repeated(&earlier, &later), [&"b".to_string()]);
    }
}
