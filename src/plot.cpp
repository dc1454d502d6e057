#include "aebench/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace aebench {
namespace {

constexpr double kTitleSizePx = 18.0;
constexpr double kAxisLabelSizePx = 14.0;
constexpr double kTickLabelSizePx = 12.0;
constexpr double kLegendSizePx = 13.0;
constexpr double kLineThicknessPx = 2.0;
constexpr double kMarkerDiameterPx = 7.0;
constexpr int kMarginPx = 12;  // canvas edge to the outermost text
constexpr int kTickLengthPx = 5;
constexpr int kTextGapPx = 6;  // between a tick and its label, and between stacked labels
constexpr int kLegendPaddingPx = 8;
constexpr int kLegendSwatchPx = 24;
constexpr int kLegendInsetPx = 10;  // legend box to the plot frame

// DejaVu Sans extents as fractions of the em, for layout.
constexpr double kAscentEm = 0.93;
constexpr double kCapHeightEm = 0.73;
constexpr double kDescentEm = 0.24;

constexpr Rgb kTextColor{34, 34, 34};
constexpr Rgb kFrameColor{80, 80, 80};
constexpr Rgb kGridColor{235, 235, 235};
constexpr Rgb kLegendBorderColor{200, 200, 200};

int em(double size_px, double fraction) {
  return static_cast<int>(std::ceil(size_px * fraction));
}

struct Range {
  double low = 0.0, high = 1.0;
};

// One axis in plotted units (log10 of the value on a log axis).
struct Axis {
  Range range;
  std::vector<double> ticks;
  std::vector<std::string> labels;
  bool log = false;
};

// What the finite points of all series span.
struct Extent {
  Range x{INFINITY, -INFINITY}, y{INFINITY, -INFINITY};
  bool whole_x = true;     // every x is a whole number (epochs)
  bool positive_y = true;  // every y > 0, so a log axis is possible

  bool empty() const { return x.low > x.high; }
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
      extent.positive_y = extent.positive_y && y > 0.0;
    }
  return extent;
}

// The data range with a margin so no line touches the frame; a zero-width range is widened
// around its value (by half a step for whole numbers, so a single epoch gets one tick).
Range padded(Range range, double fraction, bool whole_numbers) {
  if (range.high > range.low) {
    const double pad = (range.high - range.low) * fraction;
    return {range.low - pad, range.high + pad};
  }
  const double half = whole_numbers ? 0.5 : range.low != 0.0 ? std::abs(range.low) * 0.1 : 1.0;
  return {range.low - half, range.high + half};
}

std::vector<double> inside(const std::vector<double>& ticks, Range range) {
  const double tolerance = (range.high - range.low) * 1e-9;
  std::vector<double> kept;
  for (const double tick : ticks)
    if (tick >= range.low - tolerance && tick <= range.high + tolerance) kept.push_back(tick);
  return kept;
}

// The nice ticks inside `range`; whole numbers only when `whole_numbers`.
std::vector<double> linear_ticks(Range range, int target_count, bool whole_numbers) {
  auto ticks = inside(nice_ticks(range.low, range.high, target_count), range);
  if (ticks.size() < 2)  // the covering ticks fell outside: ask for finer ones
    ticks = inside(nice_ticks(range.low, range.high, 2 * target_count + 2), range);
  if (whole_numbers && ticks.size() >= 2 && ticks[1] - ticks[0] < 1.0) {
    ticks.clear();
    for (double tick = std::ceil(range.low); tick <= range.high; ++tick) ticks.push_back(tick);
  }
  return ticks;
}

// Ticks for a log axis (range in log10 units): whole decades, thinned to about
// `target_count`; within less than a decade, nice linear values instead.
std::vector<double> log_ticks(Range range, int target_count) {
  const double first = std::ceil(range.low), last = std::floor(range.high);
  if (last > first) {
    const double stride = std::max(1.0, std::ceil((last - first + 1) / target_count));
    std::vector<double> ticks;
    for (double decade = first; decade <= last; decade += stride) ticks.push_back(decade);
    return ticks;
  }
  auto ticks =
      linear_ticks({std::pow(10.0, range.low), std::pow(10.0, range.high)}, target_count, false);
  for (auto& tick : ticks) tick = std::log10(tick);
  return ticks;
}

// Log-axis labels, and a lone linear tick, are written to about three significant digits.
std::vector<std::string> tick_labels(const std::vector<double>& ticks, bool log) {
  const bool evenly_spaced = !log && ticks.size() >= 2;
  const double step = evenly_spaced ? std::abs(ticks[1] - ticks[0]) : 0.0;
  std::vector<std::string> labels;
  for (const double tick : ticks) {
    const double value = log ? std::pow(10.0, tick) : tick;
    labels.push_back(format_tick_label(value, evenly_spaced ? step : value));
  }
  return labels;
}

Axis make_axis(Range range, int target_count, bool whole_numbers, bool log) {
  Axis axis{range, {}, {}, log};
  axis.ticks =
      log ? log_ticks(range, target_count) : linear_ticks(range, target_count, whole_numbers);
  axis.labels = tick_labels(axis.ticks, log);
  return axis;
}

int widest(const std::vector<std::string>& texts, double size_px) {
  int width = 0;
  for (const auto& text : texts) width = std::max(width, text_width(text, size_px));
  return width;
}

// The plot area (inclusive pixel bounds) and where the text around it goes.
struct Layout {
  int left = 0, top = 0, right = 0, bottom = 0;
  int title_baseline = 0;
  int x_tick_baseline = 0;
  int x_label_baseline = 0;
  int y_label_column = 0;      // baseline column of the vertical y label
  int y_tick_label_right = 0;  // right end of the y tick labels

  double to_pixel_x(double x, Range range) const {
    return left + (x - range.low) / (range.high - range.low) * (right - left);
  }
  double to_pixel_y(double y, Range range) const {
    return bottom - (y - range.low) / (range.high - range.low) * (bottom - top);
  }
};

Layout make_layout(const PlotOptions& options, const Axis& x_axis, const Axis& y_axis) {
  Layout layout;
  const int tick_cap = em(kTickLabelSizePx, kCapHeightEm);
  layout.title_baseline = kMarginPx + em(kTitleSizePx, kAscentEm);
  layout.top = options.title.empty() ? kMarginPx + tick_cap
                                     : layout.title_baseline + em(kTitleSizePx, kDescentEm) +
                                           kTextGapPx + tick_cap / 2;
  layout.y_label_column = kMarginPx + em(kAxisLabelSizePx, kAscentEm);
  const int y_label_right =
      options.y_label.empty()
          ? kMarginPx
          : layout.y_label_column + em(kAxisLabelSizePx, kDescentEm) + kTextGapPx;
  layout.y_tick_label_right = y_label_right + widest(y_axis.labels, kTickLabelSizePx);
  layout.left = layout.y_tick_label_right + kTextGapPx + kTickLengthPx;

  const int x_label_height =
      options.x_label.empty() ? 0 : em(kAxisLabelSizePx, kAscentEm + kDescentEm) + kTextGapPx;
  layout.bottom =
      options.height - 1 - kMarginPx - x_label_height - tick_cap - kTextGapPx - kTickLengthPx;
  layout.x_tick_baseline = layout.bottom + kTickLengthPx + kTextGapPx + tick_cap;
  layout.x_label_baseline = layout.x_tick_baseline + kTextGapPx + em(kAxisLabelSizePx, kAscentEm);
  const int last_label_half =
      x_axis.labels.empty() ? 0 : text_width(x_axis.labels.back(), kTickLabelSizePx) / 2;
  layout.right = options.width - 1 - std::max(kMarginPx + kTextGapPx, last_label_half + 2);
  return layout;
}

// Fewer x ticks until their labels no longer touch.
Axis fit_x_axis(Range range, int target_count, bool whole_numbers, const PlotOptions& options,
                const Axis& y_axis) {
  for (;; --target_count) {
    auto axis = make_axis(range, target_count, whole_numbers, false);
    const auto layout = make_layout(options, axis, y_axis);
    if (axis.ticks.size() < 2 || target_count <= 2) return axis;
    const double spacing =
        layout.to_pixel_x(axis.ticks[1], range) - layout.to_pixel_x(axis.ticks[0], range);
    if (spacing >= widest(axis.labels, kTickLabelSizePx) + 2 * kTextGapPx) return axis;
  }
}

void draw_grid_and_ticks(Canvas& canvas, const Layout& layout, const Axis& x_axis,
                         const Axis& y_axis) {
  const TextStyle tick_style{kTickLabelSizePx, kTextColor, TextAlign::kCenter, false};
  for (std::size_t i = 0; i < x_axis.ticks.size(); ++i) {
    const double x = std::round(layout.to_pixel_x(x_axis.ticks[i], x_axis.range));
    canvas.draw_line(x, layout.top + 1, x, layout.bottom - 1, kGridColor);
    canvas.draw_line(x, layout.bottom, x, layout.bottom + kTickLengthPx, kFrameColor);
    canvas.draw_text(int(x), layout.x_tick_baseline, x_axis.labels[i], tick_style);
  }
  auto y_style = tick_style;
  y_style.align = TextAlign::kRight;
  const int half_cap = em(kTickLabelSizePx, kCapHeightEm) / 2;
  for (std::size_t i = 0; i < y_axis.ticks.size(); ++i) {
    const double y = std::round(layout.to_pixel_y(y_axis.ticks[i], y_axis.range));
    canvas.draw_line(layout.left + 1, y, layout.right - 1, y, kGridColor);
    canvas.draw_line(layout.left - kTickLengthPx, y, layout.left, y, kFrameColor);
    canvas.draw_text(layout.y_tick_label_right, int(y) + half_cap, y_axis.labels[i], y_style);
  }
}

void draw_series(Canvas& canvas, const Layout& layout, const LineSeries& series, const Axis& x_axis,
                 const Axis& y_axis) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Point> points;
  for (std::size_t i = 0; i < point_count(series); ++i) {
    if (!is_finite_point(series, i)) {
      points.push_back({nan, nan});
      continue;
    }
    const double y = y_axis.log ? std::log10(series.y[i]) : series.y[i];
    points.push_back(
        {layout.to_pixel_x(series.x[i], x_axis.range), layout.to_pixel_y(y, y_axis.range)});
  }
  canvas.draw_polyline(points, series.color, kLineThicknessPx);
  const auto finite = [&](std::size_t i) {
    return i < points.size() && std::isfinite(points[i].x);
  };
  for (std::size_t i = 0; i < points.size(); ++i)
    if (finite(i) && !finite(i + 1) && (i == 0 || !finite(i - 1)))
      canvas.draw_line(points[i].x, points[i].y, points[i].x, points[i].y, series.color,
                       kMarkerDiameterPx);
}

void draw_legend(Canvas& canvas, const Layout& layout, const std::vector<LineSeries>& series) {
  std::vector<const LineSeries*> entries;
  for (const auto& line : series)
    if (!line.label.empty()) entries.push_back(&line);
  if (entries.empty()) return;
  int label_width = 0;
  for (const auto* entry : entries)
    label_width = std::max(label_width, text_width(entry->label, kLegendSizePx));
  const int row_height = em(kLegendSizePx, kAscentEm + kDescentEm) + 4;
  const int width = 2 * kLegendPaddingPx + kLegendSwatchPx + kTextGapPx + label_width;
  const int height = 2 * kLegendPaddingPx + int(entries.size()) * row_height - 4;
  const int left = layout.right - kLegendInsetPx - width, top = layout.top + kLegendInsetPx;
  canvas.fill_rect(left, top, width, height, kWhite);
  canvas.draw_rect(left, top, width, height, kLegendBorderColor);
  const TextStyle style{kLegendSizePx, kTextColor, TextAlign::kLeft, false};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const int middle = top + kLegendPaddingPx + int(i) * row_height + (row_height - 4) / 2;
    const int swatch_left = left + kLegendPaddingPx;
    canvas.draw_line(swatch_left, middle, swatch_left + kLegendSwatchPx, middle, entries[i]->color,
                     kLineThicknessPx + 1);
    canvas.draw_text(swatch_left + kLegendSwatchPx + kTextGapPx,
                     middle + em(kLegendSizePx, kCapHeightEm) / 2, entries[i]->label, style);
  }
}

void draw_titles(Canvas& canvas, const Layout& layout, const PlotOptions& options) {
  const int centre_x = (layout.left + layout.right) / 2;
  const int title_half = text_width(options.title, kTitleSizePx) / 2;
  // Centred over the plot area, but moved inwards rather than cut off by the canvas edge.
  const int title_x =
      std::clamp(centre_x, kMarginPx + title_half,
                 std::max(kMarginPx + title_half, options.width - kMarginPx - title_half));
  canvas.draw_text(title_x, layout.title_baseline, options.title,
                   {kTitleSizePx, kTextColor, TextAlign::kCenter, false});
  canvas.draw_text(centre_x, layout.x_label_baseline, options.x_label,
                   {kAxisLabelSizePx, kTextColor, TextAlign::kCenter, false});
  canvas.draw_text(layout.y_label_column, (layout.top + layout.bottom) / 2, options.y_label,
                   {kAxisLabelSizePx, kTextColor, TextAlign::kCenter, true});
}

}  // namespace

Canvas render_line_plot(const std::vector<LineSeries>& series, const PlotOptions& options) {
  Canvas canvas(options.width, options.height, kWhite);
  const auto extent = data_extent(series);
  Axis x_axis, y_axis;
  if (!extent.empty()) {
    const bool log_y = options.log_y && extent.positive_y;
    const Range y_data =
        log_y ? Range{std::log10(extent.y.low), std::log10(extent.y.high)} : extent.y;
    y_axis = make_axis(padded(y_data, 0.05, false), std::clamp(options.height / 80, 3, 10), false,
                       log_y);
    x_axis = fit_x_axis(padded(extent.x, 0.03, extent.whole_x),
                        std::clamp(options.width / 80, 3, 12), extent.whole_x, options, y_axis);
  }
  const auto layout = make_layout(options, x_axis, y_axis);
  if (layout.right > layout.left && layout.bottom > layout.top) {
    draw_grid_and_ticks(canvas, layout, x_axis, y_axis);
    if (!extent.empty())
      for (const auto& line : series) draw_series(canvas, layout, line, x_axis, y_axis);
    canvas.draw_rect(layout.left, layout.top, layout.right - layout.left + 1,
                     layout.bottom - layout.top + 1, kFrameColor);
    draw_legend(canvas, layout, series);
  }
  draw_titles(canvas, layout, options);
  return canvas;
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
  // No usable step: the range is too narrow for its values' precision, or denormal.
  if (best_mantissa == 0 || !(best_last - best_first < 10000)) return {};
  std::vector<double> ticks;
  for (double index = best_first; index <= best_last; ++index)
    ticks.push_back(tick_at(index, best_mantissa));
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
