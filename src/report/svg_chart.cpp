#include "aebench/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "aebench/plot/plot.h"
#include "aebench/report/html.h"

namespace aebench {
namespace {

const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string text_element(double x, double y, const std::string& text, const std::string& extra) {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" " + extra + ">" +
         html_escape(text) + "</text>";
}

// Maps data values to pixels along one axis.
struct Axis {
  double low = 0, high = 1;  // data range shown (in log10 when `log`)
  double from = 0, to = 1;   // pixels
  bool log = false;
  double operator()(double value) const {
    const double v = log ? std::log10(value) : value;
    return from + (v - low) / (high - low) * (to - from);
  }
};

// The legend below the plot: two columns when every entry fits in half the width, else one;
// an entry longer than the whole width is cut with an ellipsis (its <title> holds it whole).
// Widths are estimated generously (digits are the widest common glyphs, 0.64 em in the
// browsers' default sans fonts), so that no two entries can overlap or leave the chart.
struct LegendLayout {
  int columns = 2;
  int rows = 0;
  double column_width = 0;
  std::size_t max_characters = 0;  // the longest text an entry shows
};
constexpr double kLegendFontPx = 12;
constexpr double kLegendCharacterPx = 0.64 * kLegendFontPx;
constexpr double kLegendMarkerPx = 16;  // the coloured dot and the gap after it
constexpr double kLegendRowPx = 18;

// Characters on screen: UTF-8 continuation bytes do not count.
std::size_t character_count(const std::string& text) {
  return std::size_t(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

LegendLayout legend_layout(const std::vector<SvgSeries>& series, double width) {
  LegendLayout layout;
  std::size_t longest = 0, entries = 0;
  for (const auto& line : series)
    if (!line.name.empty()) longest = std::max(longest, character_count(line.name)), ++entries;
  const double half = width / 2 - 10;
  layout.columns = kLegendMarkerPx + double(longest) * kLegendCharacterPx <= half ? 2 : 1;
  layout.column_width = width / layout.columns;
  layout.max_characters =
      std::size_t(std::max(4.0, (layout.column_width - kLegendMarkerPx - 10) / kLegendCharacterPx));
  layout.rows = int((entries + layout.columns - 1) / layout.columns);
  return layout;
}

// `text` cut to `characters` on screen, the last of them an ellipsis, at a UTF-8 boundary.
std::string shortened(const std::string& text, std::size_t characters) {
  if (character_count(text) <= characters) return text;
  std::string cut;
  std::size_t shown = 0;
  for (const char c : text) {
    const bool starts_character = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_character && ++shown > characters - 1) break;
    cut += c;
  }
  return cut + "\u2026";
}

}  // namespace

std::string render_svg_chart(const std::vector<SvgSeries>& series, const SvgChartOptions& options) {
  std::vector<double> xs, ys;
  for (const auto& line : series)
    for (std::size_t i = 0; i < line.x.size() && i < line.y.size(); ++i)
      if (std::isfinite(line.x[i]) && std::isfinite(line.y[i])) {
        xs.push_back(line.x[i]);
        ys.push_back(line.y[i]);
      }
  const bool categorical = !options.categories.empty();
  const double left = 78, right = options.width - 20, top = 36;
  const double bottom = options.height - 48;
  // The legend adds rows below the plot, which keeps its size however many series there are.
  const LegendLayout legend = legend_layout(series, right - left);
  const int height = options.height + int(kLegendRowPx * legend.rows);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    std::to_string(options.width) + " " + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"" + html_escape(options.title) + "\">";
  svg += text_element(options.width / 2.0, 22, options.title,
                      "text-anchor=\"middle\" font-size=\"15\" font-weight=\"600\"");
  svg += text_element((left + right) / 2, bottom + 38, options.x_label,
                      "text-anchor=\"middle\" font-size=\"13\"");
  svg += text_element(16, (top + bottom) / 2, options.y_label,
                      "text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 " +
                          number((top + bottom) / 2) + ")\"");
  svg += "<rect x=\"" + number(left) + "\" y=\"" + number(top) + "\" width=\"" +
         number(right - left) + "\" height=\"" + number(bottom - top) +
         "\" fill=\"none\" stroke=\"#888\"/>";
  if (xs.empty()) {
    svg += text_element((left + right) / 2, (top + bottom) / 2, "no values",
                        "text-anchor=\"middle\" font-size=\"13\" fill=\"#888\"");
    return svg + "</svg>\n";
  }

  // y: nice ticks spanning the values.
  const auto [y_min, y_max] = std::minmax_element(ys.begin(), ys.end());
  const auto y_ticks = nice_ticks(*y_min, *y_max, 5);
  const Axis y_axis{y_ticks.front(), y_ticks.back(), bottom, top, false};
  for (const double tick : y_ticks) {
    const double at = y_axis(tick);
    svg += "<line x1=\"" + number(left) + "\" x2=\"" + number(right) + "\" y1=\"" + number(at) +
           "\" y2=\"" + number(at) + "\" stroke=\"#e6e9ee\"/>";
    svg += text_element(left - 6, at + 4, format_tick_label(tick, y_ticks[1] - y_ticks[0]),
                        "text-anchor=\"end\" font-size=\"11\"");
  }

  // x: categories, or the distinct values when few, else nice ticks (decades on a log axis).
  Axis x_axis;
  std::vector<std::pair<double, std::string>> x_ticks;
  if (categorical) {
    const double count = double(options.categories.size());
    x_axis = {-0.5, count - 0.5, left, right, false};
    for (std::size_t i = 0; i < options.categories.size(); ++i)
      x_ticks.emplace_back(double(i), options.categories[i]);
  } else {
    std::vector<double> distinct = xs;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const bool log = distinct.front() > 0 && distinct.back() >= 50 * distinct.front();
    const double low = log ? std::log10(distinct.front()) : distinct.front();
    const double high = log ? std::log10(distinct.back()) : distinct.back();
    const double span = high > low ? high - low : 1.0;
    x_axis = {low - span * 0.06, high + span * 0.06, left, right, log};
    if (distinct.size() <= 8) {
      for (const double value : distinct) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", value);
        x_ticks.emplace_back(value, text);
      }
    } else if (log) {
      for (double decade = std::ceil(low); decade <= high; decade += 1)
        x_ticks.emplace_back(std::pow(10.0, decade),
                             format_tick_label(std::pow(10.0, decade), std::pow(10.0, decade)));
    } else {
      const auto ticks = nice_ticks(low, high, 6);
      for (const double tick : ticks)
        if (tick >= x_axis.low && tick <= x_axis.high)
          x_ticks.emplace_back(tick, format_tick_label(tick, ticks[1] - ticks[0]));
    }
  }
  for (const auto& [value, label] : x_ticks) {
    const double at = x_axis(value);
    svg += "<line x1=\"" + number(at) + "\" x2=\"" + number(at) + "\" y1=\"" + number(bottom) +
           "\" y2=\"" + number(bottom + 5) + "\" stroke=\"#888\"/>";
    svg += text_element(at, bottom + 18, label, "text-anchor=\"middle\" font-size=\"11\"");
  }

  int legend_index = 0;
  for (std::size_t s = 0; s < series.size(); ++s) {
    const auto& line = series[s];
    const std::string colour = kColours[s % std::size(kColours)];
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < line.x.size() && i < line.y.size(); ++i)
      if (std::isfinite(line.x[i]) && std::isfinite(line.y[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return line.x[a] < line.x[b]; });
    if (order.size() > 1) {
      svg += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"";
      for (const auto i : order)
        svg += number(x_axis(line.x[i])) + "," + number(y_axis(line.y[i])) + " ";
      svg += "\"/>";
    }
    for (const auto i : order) {
      const std::string label = i < line.labels.size() ? line.labels[i] : "";
      char value[32];
      std::snprintf(value, sizeof value, "%.6g", line.y[i]);
      svg += "<circle cx=\"" + number(x_axis(line.x[i])) + "\" cy=\"" + number(y_axis(line.y[i])) +
             "\" r=\"4.5\" fill=\"" + colour + "\" data-run=\"" + html_escape(label) +
             "\"><title>" + html_escape(label) + ": " + value + "</title></circle>";
    }
    if (!line.name.empty()) {
      const double x = left + (legend_index % legend.columns) * legend.column_width;
      const double y = bottom + 58 + kLegendRowPx * (legend_index / legend.columns);
      const std::string shown = shortened(line.name, legend.max_characters);
      svg += "<g class=\"legend\"><title>" + html_escape(line.name) + "</title><circle cx=\"" +
             number(x + 6) + "\" cy=\"" + number(y - 4) + "\" r=\"4.5\" fill=\"" + colour + "\"/>" +
             text_element(x + kLegendMarkerPx, y, shown, "font-size=\"12\"") + "</g>";
      ++legend_index;
    }
  }
  return svg + "</svg>\n";
}

}  // namespace aebench
