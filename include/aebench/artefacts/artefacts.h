#pragma once
// What a stage of a run produces for its folder: pictures and JSON documents, each with the
// file it belongs in. Computing modules (test metrics, analyses, probes) return Artefacts and
// never touch the file system; write_artefacts is the one place that writes them, so every file
// of a run is written the same way (atomically, into the run folder, nowhere else).
// Free of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/plot/canvas.h"

namespace aebench {

struct Figure {
  std::string file;  // relative to the run folder, e.g. "probe/mlp_confusion.png"
  Canvas picture;
};

struct JsonDocument {
  std::string file;  // relative to the run folder, e.g. "probe/mlp.json"
  nlohmann::ordered_json content;
};

struct TextFile {
  std::string file;  // relative to the run folder, e.g. "report.html"
  std::string content;
};

struct Artefacts {
  std::vector<Figure> figures;
  std::vector<JsonDocument> documents;
  std::vector<TextFile> texts;

  void add(std::string file, Canvas picture) {
    figures.push_back({std::move(file), std::move(picture)});
  }
  void add(std::string file, nlohmann::ordered_json content) {
    documents.push_back({std::move(file), std::move(content)});
  }
  void add(std::string file, const nlohmann::json& content) {
    add(std::move(file), nlohmann::ordered_json::parse(content.dump()));
  }
  void add_text(std::string file, std::string content) {
    texts.push_back({std::move(file), std::move(content)});
  }
  // "a.png, probe/b.json": for messages that say which files a stage completed.
  std::string file_list() const;
};

// Writes every figure (PNG), document (JSON) and text file, in that order, under `folder`, each
// atomically, creating subfolders as needed. A file name that is absolute or climbs out of `folder`
// ("..") is an OutputError: artefacts stay inside their run folder.
void write_artefacts(const std::filesystem::path& folder, const Artefacts& artefacts);

}  // namespace aebench
