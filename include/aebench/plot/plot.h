#pragma once
// Line plots (loss curves) drawn on a Canvas: title, axis labels, tick labels and a legend.
// Free of LibTorch.

#include <string>
#include <vector>

#include "aebench/plot/canvas.h"

namespace aebench {

// Distinguishable series colours (matplotlib's "tab10", first six): blue, orange, green, red,
// purple, brown.
inline constexpr Rgb kSeriesColors[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},
                                        {214, 39, 40},  {148, 103, 189}, {140, 86, 75}};

struct LineSeries {
  std::string label;      // shown in the legend
  std::vector<double> x;  // same length as y (the longer one's extra values are ignored)
  std::vector<double> y;
  Rgb color = kSeriesColors[0];
};

struct PlotOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 800;       // pixels
  int height = 500;      // pixels
  bool log_y = false;    // logarithmic y axis (all y must be > 0, else falls back to linear)
  bool log_x = false;    // logarithmic x axis (all x must be > 0, else falls back to linear)
  bool markers = false;  // a dot at every point, not only at isolated ones (few points per line)
};

// Whether values this far apart read better on a log axis: all positive, the largest at least
// 100 times the smallest.
bool spans_decades(const std::vector<double>& values);

// Renders the series with axes spanning all finite points, "nice" tick values (1, 2, 5 x 10^k)
// with labels, and a legend box in the top-right corner (series with an empty label are left
// out of it). A non-finite point breaks its line; a point with no finite neighbour, e.g. the
// only point of a series, is drawn as a marker. When every x is a whole number (epochs) the x
// ticks are whole numbers too. No series, or no finite points, gives an empty frame with the
// title and axis labels.
Canvas render_line_plot(const std::vector<LineSeries>& series, const PlotOptions& options);

// Tick positions covering [low, high]: consecutive multiples of one step of 1, 2 or 5 x 10^k,
// the first <= low and the last >= high, about `target_count` of them. A zero-width range is
// widened around its value; non-finite bounds give no ticks.
std::vector<double> nice_ticks(double low, double high, int target_count = 6);

// A tick label as short as it can be while staying within step/1000 of `value`: 0.015, 0.02,
// 1e-05, 30. Whole numbers below a million keep all their digits (1000, not 1e+03); a value
// within step/10^6 of zero is "0".
std::string format_tick_label(double value, double step);

}  // namespace aebench
