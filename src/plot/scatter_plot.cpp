#include "aebench/plot/scatter_plot.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "chart_frame.h"

namespace aebench {
namespace {

constexpr double kLegendMarkerDiameterPx = 9.0;
constexpr char kLegendTitle[] = "class";
constexpr double kPaddingFraction = 0.04;  // of the data range, so no point touches the frame

// The width of the legend box for these class labels; 0 (no legend) for none.
int legend_width(const std::vector<std::string>& labels) {
  if (labels.empty()) return 0;
  const int entry_width = int(kLegendMarkerDiameterPx) + chart::kTextGapPx +
                          chart::widest(labels, chart::kLegendSizePx);
  return 2 * chart::kLegendPaddingPx +
         std::max(entry_width, text_width(kLegendTitle, chart::kLegendSizePx));
}

// Right of the plot area, level with its top: a title row, then a disc and the number of each
// class.
void draw_legend(Canvas& canvas, const chart::Layout& layout, int width,
                 const std::vector<int>& classes) {
  if (classes.empty()) return;
  chart::LegendBox box;
  box.left = layout.legend_left;
  box.top = layout.top;
  box.width = width;
  box.rows = int(classes.size() + 1);
  chart::draw_legend_box(canvas, box);
  const int content_left = box.left + chart::kLegendPaddingPx;
  canvas.draw_text(content_left, box.row_text_baseline(0), kLegendTitle,
                   {chart::kLegendSizePx, chart::kTextColor, TextAlign::kLeft, false});
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const int middle = box.row_middle(int(i) + 1);
    const double centre = content_left + kLegendMarkerDiameterPx / 2.0;
    canvas.draw_line(centre, middle, centre, middle, class_color(classes[i]),
                     kLegendMarkerDiameterPx);
    canvas.draw_text(content_left + int(kLegendMarkerDiameterPx) + chart::kTextGapPx,
                     box.row_text_baseline(int(i) + 1), std::to_string(classes[i]),
                     {chart::kLegendSizePx, chart::kTextColor, TextAlign::kLeft, false});
  }
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
  chart::Range x_data = chart::kNoRange, y_data = chart::kNoRange;
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
  chart::FrameOptions frame{options.title, options.x_label, options.y_label, options.width,
                            options.height};
  frame.title_gap_px = 2 * chart::kTextGapPx;
  frame.legend_width = legend_width(legend_labels);
  chart::Axis x_axis, y_axis;
  if (!x_data.empty()) {
    y_axis = chart::make_axis(chart::padded(y_data, kPaddingFraction),
                              std::clamp(options.height / 80, 3, 10));
    x_axis = chart::fit_x_axis(chart::padded(x_data, kPaddingFraction),
                               std::clamp(options.width / 80, 3, 12), {}, frame, y_axis);
  }
  const auto layout = chart::make_layout(frame, x_axis, y_axis);
  if (layout.has_area()) {
    chart::draw_grid_and_ticks(canvas, layout, x_axis, y_axis);
    const double diameter = 2.0 * options.point_radius;
    for (std::size_t i = 0; !x_data.empty() && i < x.size(); ++i) {
      if (!drawn(i)) continue;
      const double px = layout.to_pixel_x(x[i], x_axis.range);
      const double py = layout.to_pixel_y(y[i], y_axis.range);
      canvas.draw_line(px, py, px, py, class_color(classes[i]), diameter);
    }
    chart::draw_frame(canvas, layout);
    draw_legend(canvas, layout, frame.legend_width, legend_classes);
  }
  chart::draw_titles(canvas, layout, frame);
  return canvas;
}

}  // namespace aebench
