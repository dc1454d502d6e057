#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "aebench/plot/bar_chart.h"
#include "aebench/plot/plot.h"
#include "aebench/plot/png.h"
#include "support/canvas_pixels.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::Canvas;
using aebench::LineSeries;
using aebench::PlotOptions;
using aebench::Rgb;
using aebench::testing::count_color;
using aebench::testing::same;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> epochs(int count) {
  std::vector<double> x;
  for (int epoch = 1; epoch <= count; ++epoch) x.push_back(epoch);
  return x;
}

std::vector<double> falling_loss(int count, double start, double end) {
  std::vector<double> y;
  for (int i = 0; i < count; ++i) y.push_back(end + (start - end) * std::exp(-i / 6.0));
  return y;
}

PlotOptions loss_options() {
  PlotOptions options;
  options.title = "loss";
  options.x_label = "epoch";
  options.y_label = "mse";
  return options;
}

// The step's mantissa is 1, 2 or 5.
bool is_nice_step(double step) {
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
  for (const double nice : {1.0, 2.0, 5.0, 10.0})
    if (std::abs(mantissa - nice) < 1e-9) return true;
  return false;
}

}  // namespace

TEST_CASE("nice_ticks covers the range with evenly spaced 1, 2 or 5 x 10^k multiples") {
  struct Case {
    double low, high;
    int target;
  };
  const Case cases[] = {
      {0.0, 1.0, 6},       {0.01, 0.06, 6}, {0.0098, 0.0612, 6}, {1.0, 30.0, 8},
      {0.13, 30.87, 8},    {-3.7, 12.2, 5}, {1e-5, 3e-5, 5},     {1234.0, 98765.0, 6},
      {-0.002, -0.001, 4}, {0.5, 1.5, 3},   {0.0, 1e6, 10},      {2.0, 2.0001, 6},
      {-1e-9, 1e-9, 6},    {0.3, 0.7, 4},   {5.0, 1.0, 6},       {0.0, 1.0, 1},
  };
  for (const auto& c : cases) {
    const auto ticks = aebench::nice_ticks(c.low, c.high, c.target);
    INFO("range [" << c.low << ", " << c.high << "], target " << c.target);
    REQUIRE(ticks.size() >= 2);
    const double step = ticks[1] - ticks[0];
    CHECK(is_nice_step(step));
    for (std::size_t i = 1; i < ticks.size(); ++i)
      CHECK(ticks[i] - ticks[i - 1] == Approx(step).epsilon(1e-6));
    for (const double tick : ticks) CHECK(std::abs(tick / step - std::round(tick / step)) < 1e-6);
    const double low = std::min(c.low, c.high), high = std::max(c.low, c.high);
    const double slack = step * 1e-6;
    CHECK(ticks.front() <= low + slack);
    CHECK(ticks.back() >= high - slack);
    CHECK(ticks.front() > low - step - slack);  // no tick wasted beyond the range
    CHECK(ticks.back() < high + step + slack);
    CHECK(int(ticks.size()) >= c.target / 2);
    CHECK(int(ticks.size()) <= 2 * c.target + 2);
  }
}

TEST_CASE("nice_ticks gives the obvious ticks for round ranges") {
  const auto unit = aebench::nice_ticks(0.0, 1.0, 6);
  REQUIRE(unit.size() == 6);
  for (std::size_t i = 0; i < unit.size(); ++i) CHECK(unit[i] == Approx(0.2 * i).margin(1e-12));
  const auto loss = aebench::nice_ticks(0.01, 0.06, 6);
  REQUIRE(loss.size() == 6);
  CHECK(loss.front() == Approx(0.01));
  CHECK(loss.back() == Approx(0.06));
}

TEST_CASE("nice_ticks widens an empty range and returns nothing for non-finite bounds") {
  const auto around_two = aebench::nice_ticks(2.0, 2.0, 6);
  REQUIRE(around_two.size() >= 2);
  CHECK(around_two.front() < 2.0);
  CHECK(around_two.back() > 2.0);
  CHECK(aebench::nice_ticks(0.0, 0.0, 6).size() >= 2);
  CHECK(aebench::nice_ticks(kNan, 1.0, 6).empty());
  CHECK(aebench::nice_ticks(0.0, kInf, 6).empty());
  CHECK(aebench::nice_ticks(-std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                            6)
            .empty());
}

TEST_CASE("tick labels are as short as their step allows") {
  struct Case {
    double value, step;
    const char* label;
  };
  const Case cases[] = {
      {0.02, 0.005, "0.02"},     {0.015, 0.005, "0.015"}, {0.1 + 0.2, 0.1, "0.3"},
      {30.0, 5.0, "30"},         {1000.0, 500.0, "1000"}, {1e-5, 5e-6, "1e-05"},
      {1.5e-5, 5e-6, "1.5e-05"}, {5.551e-17, 0.1, "0"},   {-0.25, 0.05, "-0.25"},
      {2.5, 0.5, "2.5"},         {1e7, 1e6, "1e+07"},     {0.0001, 0.0001, "0.0001"},
  };
  for (const auto& c : cases) {
    INFO("value " << c.value << ", step " << c.step);
    CHECK(aebench::format_tick_label(c.value, c.step) == c.label);
  }
}

TEST_CASE("a plot of two series has the requested size and shows both colours") {
  const auto x = epochs(30);
  const Rgb blue = aebench::kSeriesColors[0], orange = aebench::kSeriesColors[1];
  // No labels, so no legend: any pixel of a series colour comes from the lines.
  const LineSeries train{"", x, falling_loss(30, 0.06, 0.01), blue};
  const LineSeries validation{"", x, falling_loss(30, 0.065, 0.012), orange};
  auto options = loss_options();
  options.width = 640;
  options.height = 400;
  const auto canvas = aebench::render_line_plot({train, validation}, options);
  CHECK(canvas.width() == 640);
  CHECK(canvas.height() == 400);
  CHECK(count_color(canvas, blue) > 100);
  CHECK(count_color(canvas, orange) > 100);
}

TEST_CASE("the legend sits in the top-right corner with a swatch per labelled series") {
  const Rgb green = aebench::kSeriesColors[2];
  // A flat line along the bottom of the plot keeps the top right free for the legend.
  const LineSeries low{"baseline", {1, 2, 3}, {1.0, 1.0, 1.0}, green};
  const LineSeries high{"", {1, 2, 3}, {5.0, 5.0, 5.0}, aebench::kSeriesColors[3]};
  const auto canvas = aebench::render_line_plot({low, high}, loss_options());
  const int half_width = canvas.width() / 2, third_height = canvas.height() / 3;
  // The red line spans the top at y = 5 too, so look for the green swatch only.
  CHECK(count_color(canvas, green, half_width, 0, canvas.width(), third_height) > 20);
}

TEST_CASE("plots of empty, non-finite, single-point and constant series do not fail") {
  const Rgb purple = aebench::kSeriesColors[4];
  const std::vector<std::vector<LineSeries>> cases = {
      {},
      {LineSeries{"empty", {}, {}, purple}},
      {LineSeries{"all NaN", {1, 2, 3}, {kNan, kNan, kInf}, purple}},
      {LineSeries{"one point", {1}, {0.05}, purple}},
      {LineSeries{"constant", {1, 2, 3, 4}, {0.5, 0.5, 0.5, 0.5}, purple}},
      {LineSeries{"gappy", {1, 2, 3, 4, 5}, {0.3, kNan, 0.2, -kInf, 0.1}, purple}},
      {LineSeries{"mismatched", {1, 2, 3}, {0.3, 0.2}, purple}},
      {LineSeries{"huge", {0, 1}, {-1e300, 1e300}, purple}},
      {LineSeries{"zero", {0}, {0.0}, purple}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    const auto canvas = aebench::render_line_plot(cases[i], loss_options());
    CHECK(canvas.width() == 800);
    CHECK(canvas.height() == 500);
  }
}

TEST_CASE("a single point is drawn as a marker") {
  const Rgb red = aebench::kSeriesColors[3];
  const auto canvas = aebench::render_line_plot({LineSeries{"", {1}, {0.05}, red}}, loss_options());
  CHECK(count_color(canvas, red) >= 20);
}

TEST_CASE("a log y axis draws positive data and falls back to linear for non-positive data") {
  auto options = loss_options();
  options.log_y = true;
  const Rgb blue = aebench::kSeriesColors[0];
  const LineSeries decades{"", epochs(5), {1.0, 0.1, 0.01, 0.001, 1e-4}, blue};
  CHECK(count_color(aebench::render_line_plot({decades}, options), blue) > 100);
  const LineSeries signed_values{"", epochs(3), {1.0, -1.0, 0.5}, blue};
  CHECK(count_color(aebench::render_line_plot({signed_values}, options), blue) > 100);
}

TEST_CASE("a tiny canvas still renders without failing") {
  auto options = loss_options();
  options.width = 40;
  options.height = 30;
  const LineSeries series{"train", epochs(3), {3, 2, 1}, aebench::kSeriesColors[0]};
  const auto canvas = aebench::render_line_plot({series}, options);
  CHECK(canvas.width() == 40);
  CHECK(canvas.height() == 30);
}

TEST_CASE("a rendered plot is written as a valid PNG of the plot's size") {
  const aebench::testing::ScratchFolder folder("plot");
  const auto path = folder / "loss.png";
  const LineSeries series{"train", epochs(10), falling_loss(10, 0.06, 0.01),
                          aebench::kSeriesColors[0]};
  aebench::write_png(path, aebench::render_line_plot({series}, loss_options()));
  const auto info = aebench::testing::inspect_png(path);
  INFO(info.error);
  CHECK(info.valid);
  CHECK(info.width == 800);
  CHECK(info.height == 500);
}

TEST_CASE("a range one rounding step wide gets no ticks and the plot still renders") {
  const double one = 1.0, next = std::nextafter(1.0, 2.0);
  CHECK(aebench::nice_ticks(one, next).empty());
  aebench::LineSeries series{"flat", {1, 2}, {one, next}};
  const auto canvas = aebench::render_line_plot({series}, aebench::PlotOptions{});
  CHECK(canvas.width() == 800);
}

TEST_CASE("values two decades apart read better on a log axis, and only positive ones") {
  CHECK(aebench::spans_decades({1, 10, 100}));
  CHECK(aebench::spans_decades({1e-4, 1e-2}));
  CHECK_FALSE(aebench::spans_decades({1, 10, 99}));
  CHECK_FALSE(aebench::spans_decades({0, 10, 1000}));  // zero has no logarithm
  CHECK_FALSE(aebench::spans_decades({-1, 10, 1000}));
  CHECK_FALSE(aebench::spans_decades({}));
  CHECK(aebench::spans_decades({kNan, 1, 1000}));  // non-finite values are left out
}

TEST_CASE("on a log x axis points a decade apart are evenly spaced and every point is marked") {
  // Four runs, each its own colour with one point: x = 1, 10, 100, 1000.
  std::vector<LineSeries> series;
  for (int i = 0; i < 4; ++i)
    series.push_back({"", {std::pow(10.0, i)}, {1.0 + i}, aebench::kSeriesColors[i]});
  const auto centre_x = [](const aebench::Canvas& canvas, Rgb color) {
    double sum = 0;
    int count = 0;
    for (int y = 0; y < canvas.height(); ++y)
      for (int x = 0; x < canvas.width(); ++x)
        if (same(canvas.at(x, y), color)) sum += x, ++count;
    return count > 0 ? sum / count : -1.0;
  };
  auto options = loss_options();
  options.markers = true;
  options.log_x = true;
  const auto log_canvas = aebench::render_line_plot(series, options);
  std::vector<double> centres;
  for (int i = 0; i < 4; ++i) centres.push_back(centre_x(log_canvas, aebench::kSeriesColors[i]));
  for (const double centre : centres) REQUIRE(centre > 0);  // each point drawn
  for (int i = 1; i < 3; ++i)
    CHECK(std::abs((centres[i + 1] - centres[i]) - (centres[1] - centres[0])) < 2.0);
  // The same points on a linear axis: 1, 10 and 100 crowd at the left.
  options.log_x = false;
  const auto linear_canvas = aebench::render_line_plot(series, options);
  const double first_gap = centre_x(linear_canvas, aebench::kSeriesColors[1]) -
                           centre_x(linear_canvas, aebench::kSeriesColors[0]);
  const double last_gap = centre_x(linear_canvas, aebench::kSeriesColors[3]) -
                          centre_x(linear_canvas, aebench::kSeriesColors[2]);
  CHECK(last_gap > 10 * first_gap);
}

TEST_CASE("a bar chart draws one bar per category, its height proportional to its value") {
  PlotOptions options = loss_options();
  const Rgb bar = aebench::kSeriesColors[0];
  const auto canvas = aebench::render_bar_chart({"a", "b", "c"}, {1.0, 2.0, kNan}, options);
  CHECK(canvas.width() == 800);
  // The bars' pixel columns, left to right: each bar's height in pixels.
  std::vector<int> heights;
  bool inside = false;
  for (int x = 0; x < canvas.width(); ++x) {
    int height = 0;
    for (int y = 0; y < canvas.height(); ++y) height += same(canvas.at(x, y), bar);
    if (height > 0 && !inside) heights.push_back(height);
    inside = height > 0;
  }
  REQUIRE(heights.size() == 2);  // the non-finite value draws no bar
  CHECK(double(heights[1]) / double(heights[0]) == Approx(2.0).epsilon(0.03));
}
