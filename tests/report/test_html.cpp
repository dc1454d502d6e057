#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

#include "aebench/plot/png.h"
#include "aebench/report/html.h"
#include "aebench/report/svg_chart.h"
#include "aebench/report/sweep_report.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::count_of;
using aebench::testing::file_contents;
using aebench::testing::ScratchFolder;
using aebench::testing::write_text;
namespace fs = std::filesystem;

namespace {}  // namespace

TEST_CASE("html_escape replaces the five characters that can end text or an attribute") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"plain run_1", "plain run_1"},
      {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
      {"a & b", "a &amp; b"},
      {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
      {"&amp;", "&amp;amp;"},
      {"ünïcode σ", "ünïcode σ"},
  };
  for (const auto& [text, escaped] : cases) {
    INFO(text);
    CHECK(aebench::html_escape(text) == escaped);
  }
}

TEST_CASE("base64_encode gives RFC 4648's test vectors") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\x00\xff\xfe", 3), "AP/+"}};
  for (const auto& [bytes, encoded] : cases) CHECK(aebench::base64_encode(bytes) == encoded);
}

TEST_CASE("url_path_segment keeps unreserved characters and percent-encodes the rest") {
  CHECK(aebench::url_path_segment("latent_16-a.b~") == "latent_16-a.b~");
  CHECK(aebench::url_path_segment("a b#c?d%e/f\"") == "a%20b%23c%3Fd%25e%2Ff%22");
  CHECK(aebench::url_path_segment("σ") == "%CF%83");
}

TEST_CASE("a whole PNG is inlined with its size and a truncated, corrupt or missing one is named") {
  ScratchFolder folder("report-png");
  aebench::Canvas canvas(13, 5);
  canvas.fill_rect(2, 1, 4, 3, {200, 10, 10});
  aebench::write_png(folder / "good.png", canvas);
  const auto good = aebench::read_inline_png(folder / "good.png");
  CHECK(good.problem.empty());
  CHECK(good.width == 13);
  CHECK(good.height == 5);
  CHECK(good.data_uri ==
        "data:image/png;base64," + aebench::base64_encode(file_contents(folder / "good.png")));

  const std::string bytes = file_contents(folder / "good.png");
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = char(flipped[bytes.size() / 2] ^ 0x55);  // inside IDAT
  struct Case {
    std::string name;
    std::string bytes;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"truncated.png", bytes.substr(0, bytes.size() - 20), "truncated"},
      {"flipped.png", flipped, "CRC"},
      {"text.png", "not a picture at all", "no PNG signature"},
      {"empty.png", "", "no PNG signature"},
      {"signature-only.png", bytes.substr(0, 8), "truncated"},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    write_text(folder / test.name, test.bytes);
    const auto png = aebench::read_inline_png(folder / test.name);
    CHECK_THAT(png.problem, Catch::Contains(test.problem));
    CHECK(png.data_uri.empty());
    CHECK_THAT(aebench::image_or_problem(test.name, png, "alt"),
               Catch::Contains(test.name) && !Catch::Contains("<img"));
  }
  CHECK(aebench::read_inline_png(folder / "absent.png").problem == "missing");
}

TEST_CASE("a JSON file that is missing, not JSON or not an object is a problem, not an error") {
  ScratchFolder folder("report-json");
  write_text(folder / "good.json", R"({"a": 1})");
  write_text(folder / "broken.json", R"({"a": )");
  write_text(folder / "list.json", "[1, 2]");
  CHECK(aebench::read_report_json(folder / "good.json").value["a"] == 1);
  CHECK(aebench::read_report_json(folder / "absent.json").problem == "missing");
  CHECK_THAT(aebench::read_report_json(folder / "broken.json").problem,
             Catch::StartsWith("not valid JSON: parse error"));
  CHECK(aebench::read_report_json(folder / "list.json").problem ==
        "expected a JSON object, found array");
}

TEST_CASE("a marked value shows the number and keeps its exact JSON for checking") {
  const std::string html =
      aebench::marked_value(0.0123456789012, "run \"a\"/summary.json", "test.mse");
  CHECK_THAT(html, Catch::Contains(">0.0123457</span>"));
  CHECK_THAT(html, Catch::Contains("data-value=\"0.0123456789012\""));
  CHECK_THAT(html, Catch::Contains("data-file=\"run &quot;a&quot;/summary.json\""));
  CHECK_THAT(aebench::marked_value("<b>", "f", "k"),
             Catch::Contains("data-value=\"&quot;&lt;b&gt;&quot;\"") &&
                 Catch::Contains(">&lt;b&gt;</span>"));
}

TEST_CASE("an SVG chart draws one circle per finite point and picks a log axis for wide ranges") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  aebench::SvgSeries first{
      "model.type = dense", {1e-4, 1e-3, 1e-2}, {0.3, 0.2, 0.25}, {"a", "b", "<c>"}};
  aebench::SvgSeries second{"", {1e-3, 1e-2}, {nan, 0.1}, {"d", "e"}};
  aebench::SvgChartOptions options;
  options.title = "test MSE against train.lr";
  const std::string svg = aebench::render_svg_chart({first, second}, options);
  CHECK(count_of(svg, "<circle") == 4 + 1);  // four points and one legend marker
  CHECK(count_of(svg, "<polyline") == 1);    // the second series has one finite point
  CHECK_THAT(svg, Catch::Contains("data-run=\"&lt;c&gt;\"") && !Catch::Contains("<c>"));
  // On a log axis 1e-4, 1e-3 and 1e-2 are evenly spaced.
  const auto x_of = [&](const std::string& run) {
    const auto at = svg.rfind("cx=\"", svg.find("data-run=\"" + run + "\""));
    return std::stod(svg.substr(at + 4));
  };
  CHECK(x_of("b") - x_of("a") == Approx(x_of("&lt;c&gt;") - x_of("b")).epsilon(1e-3));
  options.categories = {"dense", "conv"};
  const std::string categorical =
      aebench::render_svg_chart({{"", {0, 1}, {1.0, 2.0}, {"p", "q"}}}, options);
  CHECK_THAT(categorical, Catch::Contains(">dense</text>") && Catch::Contains(">conv</text>"));
  CHECK_THAT(aebench::render_svg_chart({}, options), Catch::Contains("no values"));
}
