#pragma once
// A bar chart: one bar per named category (e.g. the test error of each class), from zero up,
// with the frame, ticks and titles of the line plots. Free of LibTorch.

#include <string>
#include <vector>

#include "aebench/plot/canvas.h"
#include "aebench/plot/plot.h"

namespace aebench {

// `values[i]` as a bar over `labels[i]`; non-finite values draw no bar. The y axis starts at 0
// (values below 0 extend it). options.log_x, log_y and markers do not apply.
Canvas render_bar_chart(const std::vector<std::string>& labels, const std::vector<double>& values,
                        const PlotOptions& options);

}  // namespace aebench
