#pragma once
// Building blocks of aebench's HTML reports: escaping, PNG files checked and inlined as base64
// data: URIs, numbers marked with the file and key they come from, and the page around it all
// (inline CSS and JS only, so one report.html can be mailed and opened offline). Free of
// LibTorch.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aebench {

// `text` with & < > " ' replaced by entities: safe as element text and in quoted attributes.
std::string html_escape(const std::string& text);

// RFC 4648 base64 with padding.
std::string base64_encode(const std::string& bytes);

// A PNG file read for inlining. `problem` is empty when the file is a whole PNG (signature,
// IHDR first, every chunk's CRC-32 right, IEND last); otherwise it says what is wrong ("missing",
// "truncated: ...") and `data_uri` is empty.
struct InlinePng {
  std::string data_uri;  // "data:image/png;base64,..."
  int width = 0;         // pixels, from IHDR
  int height = 0;
  std::string problem;
};
InlinePng read_inline_png(const std::filesystem::path& path);

// A JSON file read for a report: `problem` says why `value` is null ("missing", "not valid
// JSON: ...", "expected an object, found an array").
struct ReportJson {
  nlohmann::json value;
  std::string problem;
};
ReportJson read_report_json(const std::filesystem::path& path);

// A value as page text: format_cell's (six significant digits, whole numbers in full).
std::string display_value(const nlohmann::json& value);

// <span> showing `value`, marked data-file="FILE" data-key="KEY" data-value="JSON" so that a
// test can check what is shown against the file (`file` relative to the report's folder, `key`
// dotted, e.g. "test.mse"). data-value holds the exact JSON (numbers round-trip).
std::string marked_value(const nlohmann::json& value, const std::string& file,
                         const std::string& key);

// <img> of a checked PNG with its alt text and size, or, when the PNG has a problem, a
// <p class="missing"> saying which file and what is wrong.
std::string image_or_problem(const std::string& file, const InlinePng& png, const std::string& alt);

// The whole page: doctype, charset, `title`, the shared stylesheet, `body` and `script` (inline
// JS, may be empty).
std::string html_page(const std::string& title, const std::string& body,
                      const std::string& script = "");

// A two-column table (key, value) of `rows`, each value already HTML.
std::string key_value_table(const std::vector<std::pair<std::string, std::string>>& rows);

}  // namespace aebench
