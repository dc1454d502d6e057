#include "aebench/scatter_plot.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "aebench/plot.h"

namespace aebench {
namespace {

constexpr double kTitleSizePx = 18.0;
constexpr double kAxisLabelSizePx = 14.0;
constexpr double kTickLabelSizePx = 12.0;
constexpr double kLegendSizePx = 13.0;
constexpr int kMarginPx = 12;  // canvas edge to the outermost text
constexpr int kTickLengthPx = 5;
constexpr int kTextGapPx = 6;     // between a tick and its label, and between stacked labels
constexpr int kLegendGapPx = 16;  // plot frame to legend box
constexpr int kLegendPaddingPx = 8;
constexpr double kLegendMarkerDiameterPx = 9.0;
constexpr char kLegendTitle[] = "class";
constexpr double kPaddingFraction = 0.04;  // of the data range, so no point touches the frame

// DejaVu Sans extents as fractions of the em (as in plot.cpp), for layout.
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
  double low = INFINITY, high = -INFINITY;
  bool empty() const { return low > high; }
};

struct Axis {
  Range range;  // what the frame spans, padded around the data
  std::vector<double> ticks;
  std::vector<std::string> labels;
};

Range padded(Range range) {
  if (range.high > range.low) {
    const double pad = (range.high - range.low) * kPaddingFraction;
    return {range.low - pad, range.high + pad};
  }
  const double half = range.low != 0.0 ? std::abs(range.low) * 0.1 : 1.0;
  return {range.low - half, range.high + half};
}

std::vector<double> inside(const std::vector<double>& ticks, Range range) {
  const double tolerance = (range.high - range.low) * 1e-9;
  std::vector<double> kept;
  for (const double tick : ticks)
    if (tick >= range.low - tolerance && tick <= range.high + tolerance) kept.push_back(tick);
  return kept;
}

// The nice ticks inside `range`, about `target_count` of them, with their labels.
Axis make_axis(Range range, int target_count) {
  Axis axis{range, inside(nice_ticks(range.low, range.high, target_count), range), {}};
  if (axis.ticks.size() < 2)  // the covering ticks fell outside: ask for finer ones
    axis.ticks = inside(nice_ticks(range.low, range.high, 2 * target_count + 2), range);
  const double step = axis.ticks.size() >= 2 ? axis.ticks[1] - axis.ticks[0] : 0.0;
  for (const double tick : axis.ticks)
    axis.labels.push_back(format_tick_label(tick, step > 0.0 ? step : tick));
  return axis;
}

int widest(const std::vector<std::string>& texts, double size_px) {
  int width = 0;
  for (const auto& text : texts) width = std::max(width, text_width(text, size_px));
  return width;
}

// The plot area (inclusive pixel bounds), the legend box and where the text goes.
struct Layout {
  int left = 0, top = 0, right = 0, bottom = 0;
  int title_baseline = 0;
  int x_tick_baseline = 0;
  int x_label_baseline = 0;
  int y_label_column = 0;      // baseline column of the vertical y label
  int y_tick_label_right = 0;  // right end of the y tick labels
  int legend_left = 0, legend_width = 0, legend_row_height = 0;

  double to_pixel_x(double x, Range range) const {
    return left + (x - range.low) / (range.high - range.low) * (right - left);
  }
  double to_pixel_y(double y, Range range) const {
    return bottom - (y - range.low) / (range.high - range.low) * (bottom - top);
  }
};

Layout make_layout(const ScatterOptions& options, const Axis& x_axis, const Axis& y_axis,
                   const std::vector<std::string>& legend_labels) {
  Layout layout;
  const int tick_cap = em(kTickLabelSizePx, kCapHeightEm);
  layout.title_baseline = kMarginPx + em(kTitleSizePx, kAscentEm);
  layout.top = options.title.empty() ? kMarginPx + tick_cap
                                     : layout.title_baseline + em(kTitleSizePx, kDescentEm) +
                                           2 * kTextGapPx + tick_cap / 2;
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
  layout.legend_row_height = em(kLegendSizePx, kAscentEm + kDescentEm) + 4;
  if (legend_labels.empty()) {
    layout.right = options.width - 1 - std::max(kMarginPx + kTextGapPx, last_label_half + 2);
    return layout;
  }
  const int entry_width =
      int(kLegendMarkerDiameterPx) + kTextGapPx + widest(legend_labels, kLegendSizePx);
  layout.legend_width =
      2 * kLegendPaddingPx + std::max(entry_width, text_width(kLegendTitle, kLegendSizePx));
  layout.legend_left = options.width - kMarginPx - layout.legend_width;
  layout.right = layout.legend_left - std::max(kLegendGapPx, last_label_half + kTextGapPx) - 1;
  return layout;
}

// Fewer x ticks until their labels no longer touch.
Axis fit_x_axis(Range range, int target_count, const ScatterOptions& options, const Axis& y_axis,
                const std::vector<std::string>& legend_labels) {
  for (;; --target_count) {
    auto axis = make_axis(range, target_count);
    const auto layout = make_layout(options, axis, y_axis, legend_labels);
    if (axis.ticks.size() < 2 || target_count <= 2) return axis;
    const double spacing =
        layout.to_pixel_x(axis.ticks[1], range) - layout.to_pixel_x(axis.ticks[0], range);
    if (spacing >= widest(axis.labels, kTickLabelSizePx) + 2 * kTextGapPx) return axis;
  }
}

void draw_grid_and_ticks(Canvas& canvas, const Layout& layout, const Axis& x_axis,
                         const Axis& y_axis) {
  const TextStyle x_style{kTickLabelSizePx, kTextColor, TextAlign::kCenter, false};
  for (std::size_t i = 0; i < x_axis.ticks.size(); ++i) {
    const double x = std::round(layout.to_pixel_x(x_axis.ticks[i], x_axis.range));
    canvas.draw_line(x, layout.top + 1, x, layout.bottom - 1, kGridColor);
    canvas.draw_line(x, layout.bottom, x, layout.bottom + kTickLengthPx, kFrameColor);
    canvas.draw_text(int(x), layout.x_tick_baseline, x_axis.labels[i], x_style);
  }
  const TextStyle y_style{kTickLabelSizePx, kTextColor, TextAlign::kRight, false};
  const int half_cap = em(kTickLabelSizePx, kCapHeightEm) / 2;
  for (std::size_t i = 0; i < y_axis.ticks.size(); ++i) {
    const double y = std::round(layout.to_pixel_y(y_axis.ticks[i], y_axis.range));
    canvas.draw_line(layout.left + 1, y, layout.right - 1, y, kGridColor);
    canvas.draw_line(layout.left - kTickLengthPx, y, layout.left, y, kFrameColor);
    canvas.draw_text(layout.y_tick_label_right, int(y) + half_cap, y_axis.labels[i], y_style);
  }
}

void draw_legend(Canvas& canvas, const Layout& layout, const std::vector<int>& classes) {
  if (classes.empty()) return;
  const int row = layout.legend_row_height;
  const int height = 2 * kLegendPaddingPx + int(classes.size() + 1) * row - 4;
  canvas.fill_rect(layout.legend_left, layout.top, layout.legend_width, height, kWhite);
  canvas.draw_rect(layout.legend_left, layout.top, layout.legend_width, height, kLegendBorderColor);
  const int half_cap = em(kLegendSizePx, kCapHeightEm) / 2;
  const int content_left = layout.legend_left + kLegendPaddingPx;
  const auto middle_of = [&](std::size_t index) {
    return layout.top + kLegendPaddingPx + int(index) * row + (row - 4) / 2;
  };
  canvas.draw_text(content_left, middle_of(0) + half_cap, kLegendTitle,
                   {kLegendSizePx, kTextColor, TextAlign::kLeft, false});
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const int middle = middle_of(i + 1);
    const double centre = content_left + kLegendMarkerDiameterPx / 2.0;
    canvas.draw_line(centre, middle, centre, middle, class_color(classes[i]),
                     kLegendMarkerDiameterPx);
    canvas.draw_text(content_left + int(kLegendMarkerDiameterPx) + kTextGapPx, middle + half_cap,
                     std::to_string(classes[i]),
                     {kLegendSizePx, kTextColor, TextAlign::kLeft, false});
  }
}

void draw_titles(Canvas& canvas, const Layout& layout, const ScatterOptions& options) {
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

Rgb class_color(int label) {
  return kClassColors[((label % 10) + 10) % 10];
}

Canvas render_scatter_plot(const std::vector<double>& x, const std::vector<double>& y,
                           const std::vector<int>& classes, const ScatterOptions& options) {
  if (x.size() != y.size() || x.size() != classes.size())
    throw std::invalid_argument("render_scatter_plot: expected as many x, y and classes, got " +
                                std::to_string(x.size()) + ", " + std::to_string(y.size()) +
                                " and " + std::to_string(classes.size()));
  Range x_data, y_data;
  std::set<int> present;
  const auto drawn = [&](std::size_t i) { return std::isfinite(x[i]) && std::isfinite(y[i]); };
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!drawn(i)) continue;
    x_data = {std::min(x_data.low, x[i]), std::max(x_data.high, x[i])};
    y_data = {std::min(y_data.low, y[i]), std::max(y_data.high, y[i])};
    present.insert(classes[i]);
  }
  const std::vector<int> legend_classes(present.begin(), present.end());
  std::vector<std::string> legend_labels;
  for (const int label : legend_classes) legend_labels.push_back(std::to_string(label));

  Canvas canvas(options.width, options.height, kWhite);
  Axis x_axis, y_axis;
  if (!x_data.empty()) {
    y_axis = make_axis(padded(y_data), std::clamp(options.height / 80, 3, 10));
    x_axis = fit_x_axis(padded(x_data), std::clamp(options.width / 80, 3, 12), options, y_axis,
                        legend_labels);
  }
  const auto layout = make_layout(options, x_axis, y_axis, legend_labels);
  if (layout.right > layout.left && layout.bottom > layout.top) {
    draw_grid_and_ticks(canvas, layout, x_axis, y_axis);
    const double diameter = 2.0 * options.point_radius;
    for (std::size_t i = 0; !x_data.empty() && i < x.size(); ++i) {
      if (!drawn(i)) continue;
      const double px = layout.to_pixel_x(x[i], x_axis.range);
      const double py = layout.to_pixel_y(y[i], y_axis.range);
      canvas.draw_line(px, py, px, py, class_color(classes[i]), diameter);
    }
    canvas.draw_rect(layout.left, layout.top, layout.right - layout.left + 1,
                     layout.bottom - layout.top + 1, kFrameColor);
    draw_legend(canvas, layout, legend_classes);
  }
  draw_titles(canvas, layout, options);
  return canvas;
}

}  // namespace aebench
