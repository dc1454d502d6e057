#pragma once
// report.html of one run folder: what the run's files hold, on one self-contained page (every
// picture inlined as a data: URI, inline CSS only): headline test metrics, split sizes,
// training figures, the loss curve and the per-epoch metrics, the reconstructions, bottleneck,
// weights and embedding pictures, layer activity, probe accuracies with per-class reports and
// confusion matrices, eval/'s results, anything else summary.json holds, and the config.
// A file that is missing or cannot be read is named at the top with what is wrong, and the
// rest of the page is still drawn. Every number taken from a file is marked with data-file and
// data-key (see marked_value). Free of LibTorch.

#include <filesystem>
#include <string>

namespace aebench {

// The page. Never throws for the run's files (it reports them); reads only, writes nothing.
std::string render_run_report(const std::filesystem::path& run_dir);

}  // namespace aebench
