#pragma once
// A small inline-SVG scatter-and-line chart for HTML reports (no image file, no script): one
// metric against one swept value, one coloured line per series, each point a circle whose
// <title> names its run. Free of LibTorch.

#include <string>
#include <vector>

namespace aebench {

struct SvgSeries {
  std::string name;                 // legend text; "" = no legend entry
  std::vector<double> x, y;         // one point each; non-finite points are left out
  std::vector<std::string> labels;  // per point: the run it stands for (tooltip, data-run)
};

struct SvgChartOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  // Non-empty: x is categorical, each x an index into these labels, spaced evenly.
  std::vector<std::string> categories;
  int width = 560;  // viewBox size; the page scales the chart to its column
  int height = 340;
};

// The <svg> element. Numeric x uses a logarithmic axis when every x is positive and the largest
// is at least 50 times the smallest (learning rates, noise levels); with at most 8 distinct x
// values, those values are the ticks. Points of a series are joined in order of x. The legend
// goes below the plot, in two columns when its entries fit, else one, each entry cut with an
// ellipsis where it would leave its column (its <title> whole); the chart grows by a row per
// legend row, so the plot keeps its size.
std::string render_svg_chart(const std::vector<SvgSeries>& series, const SvgChartOptions& options);

}  // namespace aebench
