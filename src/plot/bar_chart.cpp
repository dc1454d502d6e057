#include "aebench/plot/bar_chart.h"

#include <algorithm>
#include <cmath>

#include "chart_frame.h"

namespace aebench {

Canvas render_bar_chart(const std::vector<std::string>& labels, const std::vector<double>& values,
                        const PlotOptions& options) {
  Canvas canvas(options.width, options.height, kWhite);
  const chart::FrameOptions frame{options.title, options.x_label, options.y_label, options.width,
                                  options.height};
  const std::size_t count = std::min(labels.size(), values.size());
  chart::Range y = {0.0, 0.0};
  for (std::size_t i = 0; i < count; ++i)
    if (std::isfinite(values[i])) y = {std::min(y.low, values[i]), std::max(y.high, values[i])};
  const chart::Axis y_axis =
      chart::make_axis(chart::padded(y, 0.05), std::clamp(options.height / 80, 3, 10));
  chart::Axis x_axis;
  x_axis.range = {-0.5, double(count) - 0.5};
  for (std::size_t i = 0; i < count; ++i) {
    x_axis.ticks.push_back(double(i));
    x_axis.labels.push_back(labels[i]);
  }
  const auto layout = chart::make_layout(frame, x_axis, y_axis);
  if (layout.has_area() && count > 0) {
    chart::draw_grid_and_ticks(canvas, layout, x_axis, y_axis);
    const double zero = layout.to_pixel_y(0.0, y_axis.range);
    const double half_width = 0.35 * (layout.right - layout.left) / double(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (!std::isfinite(values[i])) continue;
      const double centre = layout.to_pixel_x(double(i), x_axis.range);
      const double top = layout.to_pixel_y(values[i], y_axis.range);
      canvas.fill_rect(int(std::lround(centre - half_width)), int(std::lround(std::min(top, zero))),
                       int(std::lround(2 * half_width)),
                       std::max(1, int(std::lround(std::abs(zero - top)))), kSeriesColors[0]);
    }
    chart::draw_frame(canvas, layout);
  }
  chart::draw_titles(canvas, layout, frame);
  return canvas;
}

}  // namespace aebench
