#include "aebench/plot/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "chart_frame.h"

namespace aebench {
namespace {

constexpr double kLineThicknessPx = 2.0;
constexpr double kMarkerDiameterPx = 7.0;
constexpr int kLegendSwatchPx = 24;
constexpr int kLegendInsetPx = 10;  // legend box to the plot frame

// What the finite points of all series span.
struct Extent {
  chart::Range x = chart::kNoRange, y = chart::kNoRange;
  bool whole_x = true;     // every x is a whole number (epochs)
  bool positive_x = true;  // every x > 0, so a log axis is possible
  bool positive_y = true;  // every y > 0, so a log axis is possible
};

bool is_finite_point(const LineSeries& series, std::size_t i) {
  return std::isfinite(series.x[i]) && std::isfinite(series.y[i]);
}

std::size_t point_count(const LineSeries& series) {
  return std::min(series.x.size(), series.y.size());
}

Extent data_extent(const std::vector<LineSeries>& series) {
  Extent extent;
  for (const auto& line : series)
    for (std::size_t i = 0; i < point_count(line); ++i) {
      if (!is_finite_point(line, i)) continue;
      const double x = line.x[i], y = line.y[i];
      extent.x = {std::min(extent.x.low, x), std::max(extent.x.high, x)};
      extent.y = {std::min(extent.y.low, y), std::max(extent.y.high, y)};
      extent.whole_x = extent.whole_x && x == std::round(x);
      extent.positive_x = extent.positive_x && x > 0.0;
      extent.positive_y = extent.positive_y && y > 0.0;
    }
  return extent;
}

void draw_series(Canvas& canvas, const chart::Layout& layout, const LineSeries& series,
                 const chart::Axis& x_axis, const chart::Axis& y_axis, bool markers) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Point> points;
  for (std::size_t i = 0; i < point_count(series); ++i) {
    if (!is_finite_point(series, i)) {
      points.push_back({nan, nan});
      continue;
    }
    const double x = x_axis.log ? std::log10(series.x[i]) : series.x[i];
    const double y = y_axis.log ? std::log10(series.y[i]) : series.y[i];
    points.push_back({layout.to_pixel_x(x, x_axis.range), layout.to_pixel_y(y, y_axis.range)});
  }
  canvas.draw_polyline(points, series.color, kLineThicknessPx);
  const auto finite = [&](std::size_t i) {
    return i < points.size() && std::isfinite(points[i].x);
  };
  for (std::size_t i = 0; i < points.size(); ++i)
    if (finite(i) && (markers || (!finite(i + 1) && (i == 0 || !finite(i - 1)))))
      canvas.draw_line(points[i].x, points[i].y, points[i].x, points[i].y, series.color,
                       kMarkerDiameterPx);
}

// In the top-right corner of the plot area: a line swatch and the label of each labelled series.
void draw_legend(Canvas& canvas, const chart::Layout& layout,
                 const std::vector<LineSeries>& series) {
  std::vector<const LineSeries*> entries;
  for (const auto& line : series)
    if (!line.label.empty()) entries.push_back(&line);
  if (entries.empty()) return;
  int label_width = 0;
  for (const auto* entry : entries)
    label_width = std::max(label_width, text_width(entry->label, chart::kLegendSizePx));
  chart::LegendBox box;
  box.width = 2 * chart::kLegendPaddingPx + kLegendSwatchPx + chart::kTextGapPx + label_width;
  box.left = layout.right - kLegendInsetPx - box.width;
  box.top = layout.top + kLegendInsetPx;
  box.rows = int(entries.size());
  chart::draw_legend_box(canvas, box);
  const TextStyle style{chart::kLegendSizePx, chart::kTextColor, TextAlign::kLeft, false};
  for (int i = 0; i < box.rows; ++i) {
    const int middle = box.row_middle(i);
    const int swatch_left = box.left + chart::kLegendPaddingPx;
    canvas.draw_line(swatch_left, middle, swatch_left + kLegendSwatchPx, middle, entries[i]->color,
                     kLineThicknessPx + 1);
    canvas.draw_text(swatch_left + kLegendSwatchPx + chart::kTextGapPx, box.row_text_baseline(i),
                     entries[i]->label, style);
  }
}

}  // namespace

Canvas render_line_plot(const std::vector<LineSeries>& series, const PlotOptions& options) {
  Canvas canvas(options.width, options.height, kWhite);
  const chart::FrameOptions frame{options.title, options.x_label, options.y_label, options.width,
                                  options.height};
  const auto extent = data_extent(series);
  chart::Axis x_axis, y_axis;
  if (!extent.x.empty()) {
    const bool log_y = options.log_y && extent.positive_y;
    const chart::Range y_data =
        log_y ? chart::Range{std::log10(extent.y.low), std::log10(extent.y.high)} : extent.y;
    y_axis = chart::make_axis(chart::padded(y_data, 0.05), std::clamp(options.height / 80, 3, 10),
                              {/*whole_numbers=*/false, log_y});
    const bool log_x = options.log_x && extent.positive_x;
    x_axis = chart::fit_x_axis(
        log_x ? chart::padded({std::log10(extent.x.low), std::log10(extent.x.high)}, 0.03)
              : chart::padded(extent.x, 0.03, extent.whole_x),
        std::clamp(options.width / 80, 3, 12), {extent.whole_x && !log_x, log_x}, frame, y_axis);
  }
  const auto layout = chart::make_layout(frame, x_axis, y_axis);
  if (layout.has_area()) {
    chart::draw_grid_and_ticks(canvas, layout, x_axis, y_axis);
    if (!extent.x.empty())
      for (const auto& line : series)
        draw_series(canvas, layout, line, x_axis, y_axis, options.markers);
    chart::draw_frame(canvas, layout);
    draw_legend(canvas, layout, series);
  }
  chart::draw_titles(canvas, layout, frame);
  return canvas;
}

bool spans_decades(const std::vector<double>& values) {
  double low = std::numeric_limits<double>::infinity(), high = 0.0;
  for (const double value : values) {
    if (!std::isfinite(value)) continue;
    if (value <= 0.0) return false;
    low = std::min(low, value);
    high = std::max(high, value);
  }
  return high >= 100.0 * low;
}

std::vector<double> nice_ticks(double low, double high, int target_count) {
  if (!std::isfinite(low) || !std::isfinite(high) || !std::isfinite(high - low)) return {};
  if (low > high) std::swap(low, high);
  if (low == high) {
    const double half = low == 0.0 ? 1.0 : std::abs(low) * 0.1;
    low -= half, high += half;
  }
  target_count = std::max(target_count, 1);
  const int exponent = static_cast<int>(std::floor(std::log10((high - low) / target_count)));
  // Steps of mantissa x 10^exponent; a tick is index x step. Dividing by 10^-exponent rather
  // than multiplying by 10^exponent keeps 0.3 from printing as 0.30000000000000004.
  const auto tick_at = [exponent](double index, int mantissa) {
    return exponent >= 0 ? index * mantissa * std::pow(10.0, exponent)
                         : index * mantissa / std::pow(10.0, -exponent);
  };
  const double slack = 1e-9;  // so low = 0.3 with step 0.1 does not add a tick at 0.2
  // The step whose tick count is nearest the target; among equals, the one reaching least
  // beyond [low, high].
  int best_mantissa = 0;
  double best_first = 0.0, best_last = 0.0, best_miss = INFINITY, best_waste = INFINITY;
  for (const int mantissa : {1, 2, 5, 10}) {
    const double step = tick_at(1.0, mantissa);
    const double first = std::floor(low / step + slack), last = std::ceil(high / step - slack);
    const double miss = std::abs(last - first + 1 - target_count);
    const double waste = (last - first) * step - (high - low);
    if (miss < best_miss || (miss == best_miss && waste < best_waste))
      best_mantissa = mantissa, best_first = first, best_last = last, best_miss = miss,
      best_waste = waste;
  }
  // No usable step: the range is too narrow for its values' precision, or denormal. Beyond
  // 2^52 tick indices stop being distinct doubles (and ++index would never advance).
  const double max_exact_index = 0x1p52;
  if (best_mantissa == 0 || !(best_last - best_first < 10000) ||
      !(std::abs(best_first) < max_exact_index) || !(std::abs(best_last) < max_exact_index))
    return {};
  std::vector<double> ticks;
  const auto count = static_cast<int>(best_last - best_first) + 1;
  for (int i = 0; i < count; ++i) ticks.push_back(tick_at(best_first + i, best_mantissa));
  return ticks;
}

std::string format_tick_label(double value, double step) {
  const double magnitude = std::abs(value);
  step = std::abs(step);
  if (magnitude <= step * 1e-6) return "0";
  int precision = 1;
  if (magnitude >= 1.0 && magnitude < 1e6) precision = int(std::floor(std::log10(magnitude))) + 1;
  char text[32];
  for (; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::abs(std::strtod(text, nullptr) - value) <= step * 1e-3) break;
  }
  return text;
}

}  // namespace aebench
