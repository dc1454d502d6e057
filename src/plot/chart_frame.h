#pragma once
// Internal to the line and scatter plots (plot.cpp, scatter_plot.cpp): the frame they share,
// i.e. "nice" axes, the layout of the plot area and the text around it, the grid with its
// ticks and tick labels, the titles, and the box a legend is drawn in. What each plot puts
// inside the frame, and its legend's entries, stay with the plot.

#include <cmath>
#include <string>
#include <vector>

#include "aebench/plot/canvas.h"

namespace aebench::chart {

inline constexpr double kTitleSizePx = 18.0;
inline constexpr double kAxisLabelSizePx = 14.0;
inline constexpr double kTickLabelSizePx = 12.0;
inline constexpr double kLegendSizePx = 13.0;
inline constexpr int kMarginPx = 12;  // canvas edge to the outermost text
inline constexpr int kTickLengthPx = 5;
inline constexpr int kTextGapPx = 6;  // between a tick and its label, and between stacked labels
inline constexpr int kLegendPaddingPx = 8;
inline constexpr int kLegendGapPx = 16;  // plot frame to a legend right of it

// DejaVu Sans extents as fractions of the em, for layout.
inline constexpr double kAscentEm = 0.93;
inline constexpr double kCapHeightEm = 0.73;
inline constexpr double kDescentEm = 0.24;

inline constexpr Rgb kTextColor{34, 34, 34};
inline constexpr Rgb kFrameColor{80, 80, 80};
inline constexpr Rgb kGridColor{235, 235, 235};
inline constexpr Rgb kLegendBorderColor{200, 200, 200};

// `fraction` of an em of `size_px`, rounded up to whole pixels.
int em(double size_px, double fraction);

// The width of the widest of `texts`.
int widest(const std::vector<std::string>& texts, double size_px);

struct Range {
  double low = 0.0, high = 1.0;

  bool empty() const { return low > high; }
};

// What spans no values yet: extending it by min/max with any value gives that value.
inline constexpr Range kNoRange{INFINITY, -INFINITY};

// The data range with `fraction` of its width added at both ends, so nothing touches the frame;
// a zero-width range is widened around its value (by half a step for whole numbers, so a single
// epoch gets one tick).
Range padded(Range range, double fraction, bool whole_numbers = false);

// How an axis picks its ticks.
struct TickOptions {
  bool whole_numbers = false;  // only whole-number ticks (epochs)
  bool log = false;            // the range is in log10 units; ticks fall on whole decades
};

// One axis in plotted units (log10 of the value on a log axis).
struct Axis {
  Range range;  // what the frame spans
  std::vector<double> ticks;
  std::vector<std::string> labels;
  bool log = false;
};

// The ticks inside `range`, about `target_count` of them, with their labels.
Axis make_axis(Range range, int target_count, TickOptions tick_options = {});

// What decides the layout besides the axes.
struct FrameOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 0;   // canvas pixels
  int height = 0;  // canvas pixels
  // From the title's descent to half a tick-label cap height above the frame.
  int title_gap_px = kTextGapPx;
  // When > 0, a legend box this wide goes right of the frame, at the canvas margin, and the
  // frame ends kLegendGapPx (or more, to fit the last x tick label) left of it.
  int legend_width = 0;
};

// The plot area (inclusive pixel bounds) and where the text around it goes.
struct Layout {
  int left = 0, top = 0, right = 0, bottom = 0;
  int title_baseline = 0;
  int x_tick_baseline = 0;
  int x_label_baseline = 0;
  int y_label_column = 0;      // baseline column of the vertical y label
  int y_tick_label_right = 0;  // right end of the y tick labels
  int legend_left = 0;         // with FrameOptions::legend_width > 0

  bool has_area() const { return right > left && bottom > top; }
  double to_pixel_x(double x, Range range) const {
    return left + (x - range.low) / (range.high - range.low) * (right - left);
  }
  double to_pixel_y(double y, Range range) const {
    return bottom - (y - range.low) / (range.high - range.low) * (bottom - top);
  }
};

Layout make_layout(const FrameOptions& options, const Axis& x_axis, const Axis& y_axis);

// make_axis for the x axis, with fewer than `target_count` ticks where that many labels would
// touch in the layout they give.
Axis fit_x_axis(Range range, int target_count, TickOptions tick_options,
                const FrameOptions& options, const Axis& y_axis);

// The grid lines inside the frame, the ticks outside it and their labels.
void draw_grid_and_ticks(Canvas& canvas, const Layout& layout, const Axis& x_axis,
                         const Axis& y_axis);

// The 1-pixel outline of the plot area.
void draw_frame(Canvas& canvas, const Layout& layout);

// The title, centred over the plot area, and the axis labels.
void draw_titles(Canvas& canvas, const Layout& layout, const FrameOptions& options);

// A white legend box with a border and `rows` rows of kLegendSizePx text.
struct LegendBox {
  int left = 0, top = 0, width = 0, rows = 0;

  static int row_height();
  int height() const;
  int row_middle(int row) const;         // the vertical centre of row `row`, for markers
  int row_text_baseline(int row) const;  // where row `row`'s text sits, centred on row_middle
};

// The box alone; its rows are for the caller to fill.
void draw_legend_box(Canvas& canvas, const LegendBox& box);

}  // namespace aebench::chart
