#pragma once
// report.html of a sweep folder: a folder whose subfolders are run folders (see sweep_runs), as
// `aebench sweep` or `aebench train --out SWEEP/NAME` in a loop make
// it. One self-contained page: a table of the finished runs (click a header to sort) with the
// config values that differ between the runs and their main test metrics, each metric plotted
// (inline SVG) against the first varied config value, one line per combination of the others,
// links to each run's report.html, and the runs that failed or did not finish with their error
// where one is recorded (RunFiles::error). Free of LibTorch.

#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

// Dotted config keys never shown as varied: they differ between runs by construction or say
// nothing about the experiment.
inline const std::vector<std::string> kSweepIgnoredKeys = {"name", "comment", "output.dir"};

// The page. Never throws for the runs' files (it reports them); reads only, writes nothing.
// A run's link points at RUN/report.html, which report_artefacts writes beside it.
std::string render_sweep_report(const std::filesystem::path& sweep_dir);

// "a%20b": a folder name as a relative URL path segment (RFC 3986: unreserved characters kept,
// every other byte percent-encoded).
std::string url_path_segment(const std::string& name);

}  // namespace aebench
