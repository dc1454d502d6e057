#include "aebench/report/html.h"

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "aebench/analysis/compare.h"
#include "aebench/io/regular_file.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

// Reads the whole file; false when it cannot be opened or read.

std::uint32_t read_be32(const std::string& bytes, std::size_t at) {
  const auto byte = [&](std::size_t i) {
    return std::uint32_t(static_cast<unsigned char>(bytes[i]));
  };
  return byte(at) << 24 | byte(at + 1) << 16 | byte(at + 2) << 8 | byte(at + 3);
}

// "" when `bytes` is a whole PNG, else what is wrong with it; fills width and height from IHDR.
std::string check_png(const std::string& bytes, int& width, int& height) {
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 8 || bytes.compare(0, 8, kSignature, 8) != 0)
    return "not a PNG file (no PNG signature)";
  std::size_t at = 8;
  bool first = true;
  while (true) {
    if (bytes.size() - at < 12)
      return "truncated after " + std::to_string(at) + " bytes (no IEND chunk)";
    const std::uint32_t length = read_be32(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (length > bytes.size() - at - 12)
      return "truncated in its " + type + " chunk at byte " + std::to_string(at);
    const auto* start = reinterpret_cast<const Bytef*>(bytes.data() + at + 4);
    const std::uint32_t crc = std::uint32_t(crc32(crc32(0L, Z_NULL, 0), start, length + 4));
    if (crc != read_be32(bytes, at + 8 + length))
      return "corrupt: the CRC of its " + type + " chunk at byte " + std::to_string(at) +
             " does not match";
    if (first) {
      if (type != "IHDR" || length != 13) return "corrupt: its first chunk is not an IHDR";
      width = int(read_be32(bytes, at + 8));
      height = int(read_be32(bytes, at + 12));
      if (width <= 0 || height <= 0) return "corrupt: its IHDR gives a size of 0";
      first = false;
    }
    if (type == "IEND") return "";
    at += 12 + length;
  }
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string base64_encode(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  encoded.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto byte = [&](std::size_t j) {
      return j < bytes.size() ? std::uint32_t(static_cast<unsigned char>(bytes[j])) : 0u;
    };
    const std::uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    encoded += kAlphabet[(group >> 18) & 63];
    encoded += kAlphabet[(group >> 12) & 63];
    encoded += i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=';
    encoded += i + 2 < bytes.size() ? kAlphabet[group & 63] : '=';
  }
  return encoded;
}

InlinePng read_inline_png(const fs::path& path) {
  InlinePng png;
  const RegularFileText file = read_regular_file(path);
  if (!file.ok()) {
    png.problem = file.problem();
    return png;
  }
  const std::string& bytes = file.bytes;
  png.problem = check_png(bytes, png.width, png.height);
  if (png.problem.empty()) png.data_uri = "data:image/png;base64," + base64_encode(bytes);
  return png;
}

ReportJson read_report_json(const fs::path& path) {
  ReportJson result;
  const RegularFileText file = read_regular_file(path);
  if (!file.ok())
    result.problem = file.problem();
  else
    try {
      result.value = nlohmann::json::parse(file.bytes);
      if (!result.value.is_object()) {
        result.problem = std::string("expected a JSON object, found ") + result.value.type_name();
        result.value = nullptr;
      }
    } catch (const nlohmann::json::exception& parse_error) {
      std::string reason = parse_error.what();
      // "[json.exception.parse_error.101] parse error at line 3, column 1: ...": keep the rest.
      const auto bracket = reason.find("] ");
      if (bracket != std::string::npos) reason = reason.substr(bracket + 2);
      result.problem = "not valid JSON: " + reason;
    }
  return result;
}

std::string display_value(const nlohmann::json& value) {
  return format_cell(value);
}

std::string marked_value(const nlohmann::json& value, const std::string& file,
                         const std::string& key) {
  return "<span class=\"value\" data-file=\"" + html_escape(file) + "\" data-key=\"" +
         html_escape(key) + "\" data-value=\"" + html_escape(value.dump()) + "\">" +
         html_escape(display_value(value)) + "</span>";
}

std::string image_or_problem(const std::string& file, const InlinePng& png,
                             const std::string& alt) {
  if (!png.problem.empty())
    return "<p class=\"missing\">" + html_escape(file) + ": " + html_escape(png.problem) + "</p>";
  return "<img src=\"" + png.data_uri + "\" width=\"" + std::to_string(png.width) + "\" height=\"" +
         std::to_string(png.height) + "\" alt=\"" + html_escape(alt) + "\" data-file=\"" +
         html_escape(file) + "\">";
}

std::string key_value_table(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string html = "<table class=\"pairs\"><tbody>\n";
  for (const auto& [key, value] : rows)
    html += "<tr><th scope=\"row\">" + html_escape(key) + "</th><td>" + value + "</td></tr>\n";
  return html + "</tbody></table>\n";
}

std::string html_page(const std::string& title, const std::string& body,
                      const std::string& script) {
  static const char kStyle[] = R"css(
:root { --ink: #1d2430; --muted: #5b6472; --line: #d9dee5; --soft: #f4f6f9; --accent: #1f5fbf;
        --warn-bg: #fff6e0; --warn-line: #e0b84c; --bad: #a32020; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
nav.toc { margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 14px; }
a { color: var(--accent); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 18px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px;
        background: var(--soft); }
.card .label { color: var(--muted); font-size: 13px; }
.card .big { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 12px 5px 0; text-align: left;
         vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
td.number, th.number { text-align: right; padding-left: 12px; }
table.pairs th { font-weight: normal; color: var(--muted); padding-right: 24px; }
table.sortable thead th { cursor: pointer; user-select: none; min-width: 4.5em; }
table.sortable thead th:hover { color: var(--accent); }
table.sortable thead th::after { content: " \2195"; color: #aab1bb; }
table.sortable thead th[aria-sort="ascending"]::after { content: " \25B2"; color: var(--accent); }
table.sortable thead th[aria-sort="descending"]::after { content: " \25BC"; color: var(--accent); }
.scroll { overflow-x: auto; }
figure { margin: 8px 0 18px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.missing { color: var(--bad); }
td.best { font-weight: 700; background: #e7f4e8; }
td.best::after { content: " \2605"; color: #2e7d32; }
.null { color: var(--muted); font-style: italic; }
.problems { background: var(--warn-bg); border: 1px solid var(--warn-line); border-radius: 8px;
            padding: 10px 16px; margin: 18px 0; }
.problems h2 { border: 0; margin: 0 0 6px; font-size: 16px; }
.problems ul { margin: 0; padding-left: 20px; }
.notes { color: var(--muted); font-size: 14px; }
pre { background: var(--soft); border: 1px solid var(--line); padding: 10px; overflow-x: auto;
      font-size: 13px; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
           gap: 0 28px; align-items: start; }
.columns > figure { margin-top: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 18px; }
.charts svg { width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
.status-failed { color: var(--bad); font-weight: 600; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; }
)css";
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"aebench\">\n"
      // No favicon request: the page loads nothing from anywhere.
      "<link rel=\"icon\" href=\"data:,\">\n"
      "<title>" +
      html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n" +
      "<body>\n<main>\n" + body + "</main>\n";
  if (!script.empty()) page += "<script>\n" + script + "</script>\n";
  return page + "</body>\n</html>\n";
}

}  // namespace aebench
