#include "chart_frame.h"

#include <algorithm>
#include <cmath>

#include "aebench/plot/plot.h"

namespace aebench::chart {
namespace {

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

// Linear ticks are labelled to their step; log-axis labels, and a lone linear tick, to about
// three significant digits.
std::vector<std::string> tick_labels(const std::vector<double>& ticks, bool log) {
  const double step = !log && ticks.size() >= 2 ? ticks[1] - ticks[0] : 0.0;
  std::vector<std::string> labels;
  for (const double tick : ticks) {
    const double value = log ? std::pow(10.0, tick) : tick;
    labels.push_back(format_tick_label(value, step > 0.0 ? step : value));
  }
  return labels;
}

}  // namespace

int em(double size_px, double fraction) {
  return static_cast<int>(std::ceil(size_px * fraction));
}

int widest(const std::vector<std::string>& texts, double size_px) {
  int width = 0;
  for (const auto& text : texts) width = std::max(width, text_width(text, size_px));
  return width;
}

Range padded(Range range, double fraction, bool whole_numbers) {
  if (range.high > range.low) {
    const double pad = (range.high - range.low) * fraction;
    return {range.low - pad, range.high + pad};
  }
  const double half = whole_numbers ? 0.5 : range.low != 0.0 ? std::abs(range.low) * 0.1 : 1.0;
  return {range.low - half, range.high + half};
}

Axis make_axis(Range range, int target_count, TickOptions tick_options) {
  Axis axis{range, {}, {}, tick_options.log};
  axis.ticks = tick_options.log ? log_ticks(range, target_count)
                                : linear_ticks(range, target_count, tick_options.whole_numbers);
  axis.labels = tick_labels(axis.ticks, tick_options.log);
  return axis;
}

Layout make_layout(const FrameOptions& options, const Axis& x_axis, const Axis& y_axis) {
  Layout layout;
  const int tick_cap = em(kTickLabelSizePx, kCapHeightEm);
  layout.title_baseline = kMarginPx + em(kTitleSizePx, kAscentEm);
  layout.top = options.title.empty() ? kMarginPx + tick_cap
                                     : layout.title_baseline + em(kTitleSizePx, kDescentEm) +
                                           options.title_gap_px + tick_cap / 2;
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
  if (options.legend_width <= 0) {
    layout.right = options.width - 1 - std::max(kMarginPx + kTextGapPx, last_label_half + 2);
    return layout;
  }
  layout.legend_left = options.width - kMarginPx - options.legend_width;
  layout.right = layout.legend_left - std::max(kLegendGapPx, last_label_half + kTextGapPx) - 1;
  return layout;
}

Axis fit_x_axis(Range range, int target_count, TickOptions tick_options,
                const FrameOptions& options, const Axis& y_axis) {
  for (;; --target_count) {
    auto axis = make_axis(range, target_count, tick_options);
    const auto layout = make_layout(options, axis, y_axis);
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

void draw_frame(Canvas& canvas, const Layout& layout) {
  canvas.draw_rect(layout.left, layout.top, layout.right - layout.left + 1,
                   layout.bottom - layout.top + 1, kFrameColor);
}

void draw_titles(Canvas& canvas, const Layout& layout, const FrameOptions& options) {
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

int LegendBox::row_height() {
  return em(kLegendSizePx, kAscentEm + kDescentEm) + 4;
}

int LegendBox::height() const {
  return 2 * kLegendPaddingPx + rows * row_height() - 4;
}

int LegendBox::row_middle(int row) const {
  return top + kLegendPaddingPx + row * row_height() + (row_height() - 4) / 2;
}

int LegendBox::row_text_baseline(int row) const {
  return row_middle(row) + em(kLegendSizePx, kCapHeightEm) / 2;
}

void draw_legend_box(Canvas& canvas, const LegendBox& box) {
  canvas.fill_rect(box.left, box.top, box.width, box.height(), kWhite);
  canvas.draw_rect(box.left, box.top, box.width, box.height(), kLegendBorderColor);
}

}  // namespace aebench::chart
