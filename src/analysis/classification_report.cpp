#include "aebench/analysis/classification_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "aebench/plot/plot.h"

namespace aebench {
namespace {

double ratio(std::int64_t numerator, std::int64_t denominator) {
  return denominator == 0 ? 0.0 : double(numerator) / double(denominator);
}

double harmonic_mean(double a, double b) {
  return a + b == 0.0 ? 0.0 : 2.0 * a * b / (a + b);
}

std::vector<int> default_labels(const std::vector<int>& truth, const std::vector<int>& predicted) {
  std::set<int> classes(truth.begin(), truth.end());
  classes.insert(predicted.begin(), predicted.end());
  return {classes.begin(), classes.end()};
}

// ---- the heat map ----

constexpr double kTitleSizePx = 18.0;
constexpr double kAxisTitleSizePx = 14.0;
constexpr double kLabelSizePx = 13.0;  // class labels, counts and colour-bar labels
constexpr int kMarginPx = 16;          // canvas edge to the outermost text
constexpr int kGapPx = 8;              // between neighbouring pieces of text and the grid
constexpr int kTickLengthPx = 4;
constexpr int kMinCellPx = 48;
constexpr int kMinGridPx = 3 * kMinCellPx;  // so one or two classes still get a readable bar
constexpr int kCellPaddingPx = 10;          // least room left and right of a count inside its cell
constexpr int kColorBarWidthPx = 16;
constexpr int kColorBarGapPx = 20;  // grid to colour bar

// DejaVu Sans extents as fractions of the em (as in plot.cpp), for layout.
constexpr double kAscentEm = 0.93;
constexpr double kCapHeightEm = 0.73;
constexpr double kDescentEm = 0.24;

constexpr Rgb kTextColor{34, 34, 34};
constexpr Rgb kFrameColor{80, 80, 80};
constexpr Rgb kZeroCountColor{160, 160, 160};

int em(double size_px, double fraction) {
  return static_cast<int>(std::ceil(size_px * fraction));
}

// matplotlib's "Blues" colour map, sampled at 0, 1/8, ..., 1.
constexpr Rgb kBlues[] = {{247, 251, 255}, {222, 235, 247}, {198, 219, 239},
                          {158, 202, 225}, {107, 174, 214}, {66, 146, 198},
                          {33, 113, 181},  {8, 81, 156},    {8, 48, 107}};

Rgb blues(double value) {
  const double position = std::clamp(std::isfinite(value) ? value : 0.0, 0.0, 1.0) * 8.0;
  const int index = std::min(static_cast<int>(position), 7);
  const double t = position - index;
  const Rgb a = kBlues[index], b = kBlues[index + 1];
  const auto mix = [t](std::uint8_t from, std::uint8_t to) {
    return static_cast<std::uint8_t>(std::lround(from + (double(to) - from) * t));
  };
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

// White text on a dark cell, dark text on a light one.
Rgb text_color_on(Rgb background) {
  const double luminance = 0.299 * background.r + 0.587 * background.g + 0.114 * background.b;
  return luminance < 140.0 ? kWhite : kTextColor;
}

int widest(const std::vector<std::string>& texts, double size_px) {
  int width = 0;
  for (const auto& text : texts) width = std::max(width, text_width(text, size_px));
  return width;
}

// Where everything goes; x and y in canvas pixels.
struct MatrixLayout {
  int cells = 1;  // per side; at least one so an empty report still gets a frame
  int cell = kMinCellPx;
  int width = 0, height = 0;
  int grid_left = 0, grid_top = 0;
  int title_baseline = 0;
  int y_title_column = 0;   // baseline column of the vertical "true label"
  int row_label_right = 0;  // right end of the class labels left of the grid
  int column_label_baseline = 0;
  int x_title_baseline = 0;
  int bar_left = 0;
  int bar_label_left = 0;
  int bar_title_column = 0;  // baseline column of the colour bar's vertical title

  int grid_size() const { return cells * cell; }
};

MatrixLayout layout_matrix(const std::vector<std::string>& class_names,
                           const std::vector<std::string>& counts,
                           const std::vector<std::string>& bar_labels, const std::string& title,
                           const std::string& bar_title) {
  MatrixLayout layout;
  layout.cells = std::max<int>(1, int(class_names.size()));
  // The vertical titles are centred on the grid: it is at least as high as they are long.
  const int min_grid = std::max({kMinGridPx, text_width("true label", kAxisTitleSizePx),
                                 text_width(bar_title, kAxisTitleSizePx)});
  layout.cell = std::max({kMinCellPx, widest(counts, kLabelSizePx) + 2 * kCellPaddingPx,
                          widest(class_names, kLabelSizePx) + kGapPx,
                          (min_grid + layout.cells - 1) / layout.cells});
  const int axis_title_depth = em(kAxisTitleSizePx, kAscentEm + kDescentEm);
  const int label_cap = em(kLabelSizePx, kCapHeightEm);

  // Left to right: "true label", class labels, ticks, grid, colour bar, its labels and title.
  layout.y_title_column = kMarginPx + em(kAxisTitleSizePx, kAscentEm);
  layout.row_label_right =
      kMarginPx + axis_title_depth + kGapPx + widest(class_names, kLabelSizePx);
  layout.grid_left = layout.row_label_right + kGapPx / 2 + kTickLengthPx;
  layout.bar_left = layout.grid_left + layout.grid_size() + kColorBarGapPx;
  layout.bar_label_left = layout.bar_left + kColorBarWidthPx + kTickLengthPx + kGapPx / 2;
  layout.bar_title_column = layout.bar_label_left + widest(bar_labels, kLabelSizePx) + kGapPx +
                            em(kAxisTitleSizePx, kAscentEm);
  int content_width = layout.bar_title_column + em(kAxisTitleSizePx, kDescentEm) + kMarginPx;

  // Top to bottom: title, grid, class labels, "predicted label".
  layout.title_baseline = kMarginPx + em(kTitleSizePx, kAscentEm);
  layout.grid_top = title.empty()
                        ? kMarginPx + label_cap
                        : layout.title_baseline + em(kTitleSizePx, kDescentEm) + 2 * kGapPx;
  const int grid_bottom = layout.grid_top + layout.grid_size();
  layout.column_label_baseline = grid_bottom + kTickLengthPx + kGapPx / 2 + label_cap;
  layout.x_title_baseline = layout.column_label_baseline + em(kLabelSizePx, kDescentEm) + kGapPx +
                            em(kAxisTitleSizePx, kAscentEm);
  layout.height = layout.x_title_baseline + em(kAxisTitleSizePx, kDescentEm) + kMarginPx;

  // A title wider than everything else widens the canvas; the rest stays centred under it.
  const int title_width = text_width(title, kTitleSizePx) + 2 * kMarginPx;
  if (title_width > content_width) {
    const int shift = (title_width - content_width) / 2;
    layout.y_title_column += shift, layout.row_label_right += shift, layout.grid_left += shift;
    layout.bar_left += shift, layout.bar_label_left += shift, layout.bar_title_column += shift;
    content_width = title_width;
  }
  layout.width = content_width;
  return layout;
}

void draw_cells(Canvas& canvas, const MatrixLayout& layout, const ClassificationReport& report) {
  const TextStyle count_style{kLabelSizePx, kTextColor, TextAlign::kCenter, false};
  const int half_cap = em(kLabelSizePx, kCapHeightEm) / 2;
  for (std::size_t row = 0; row < report.confusion.size(); ++row) {
    std::int64_t row_total = 0;
    for (const auto count : report.confusion[row]) row_total += count;
    for (std::size_t column = 0; column < report.confusion[row].size(); ++column) {
      const std::int64_t count = report.confusion[row][column];
      const Rgb shade = blues(ratio(count, row_total));
      const int left = layout.grid_left + int(column) * layout.cell;
      const int top = layout.grid_top + int(row) * layout.cell;
      canvas.fill_rect(left, top, layout.cell, layout.cell, shade);
      auto style = count_style;
      style.color = count == 0 ? kZeroCountColor : text_color_on(shade);
      canvas.draw_text(left + layout.cell / 2, top + layout.cell / 2 + half_cap,
                       std::to_string(count), style);
    }
  }
  canvas.draw_rect(layout.grid_left, layout.grid_top, layout.grid_size() + 1,
                   layout.grid_size() + 1, kFrameColor);
}

void draw_class_labels(Canvas& canvas, const MatrixLayout& layout,
                       const std::vector<std::string>& class_names) {
  const int grid_bottom = layout.grid_top + layout.grid_size();
  const int half_cap = em(kLabelSizePx, kCapHeightEm) / 2;
  for (std::size_t i = 0; i < class_names.size(); ++i) {
    const int middle = int(i) * layout.cell + layout.cell / 2;
    const int x = layout.grid_left + middle, y = layout.grid_top + middle;
    canvas.draw_line(x, grid_bottom, x, grid_bottom + kTickLengthPx, kFrameColor);
    canvas.draw_text(x, layout.column_label_baseline, class_names[i],
                     {kLabelSizePx, kTextColor, TextAlign::kCenter, false});
    canvas.draw_line(layout.grid_left - kTickLengthPx, y, layout.grid_left, y, kFrameColor);
    canvas.draw_text(layout.row_label_right, y + half_cap, class_names[i],
                     {kLabelSizePx, kTextColor, TextAlign::kRight, false});
  }
}

void draw_color_bar(Canvas& canvas, const MatrixLayout& layout, const std::vector<double>& ticks,
                    const std::vector<std::string>& labels, const std::string& bar_title) {
  const int size = layout.grid_size();
  for (int row = 0; row < size; ++row)  // 1 at the top, 0 at the bottom
    canvas.fill_rect(layout.bar_left, layout.grid_top + row, kColorBarWidthPx, 1,
                     blues(1.0 - double(row) / std::max(1, size - 1)));
  canvas.draw_rect(layout.bar_left, layout.grid_top, kColorBarWidthPx, size + 1, kFrameColor);
  const int bar_right = layout.bar_left + kColorBarWidthPx;
  const int half_cap = em(kLabelSizePx, kCapHeightEm) / 2;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const double y = std::round(layout.grid_top + (1.0 - ticks[i]) * size);
    canvas.draw_line(bar_right, y, bar_right + kTickLengthPx, y, kFrameColor);
    canvas.draw_text(layout.bar_label_left, int(y) + half_cap, labels[i],
                     {kLabelSizePx, kTextColor, TextAlign::kLeft, false});
  }
  canvas.draw_text(layout.bar_title_column, layout.grid_top + size / 2, bar_title,
                   {kAxisTitleSizePx, kTextColor, TextAlign::kCenter, true});
}

}  // namespace

ClassificationReport classification_report(const std::vector<int>& truth,
                                           const std::vector<int>& predicted,
                                           const std::vector<int>& labels) {
  if (truth.size() != predicted.size())
    throw std::invalid_argument("classification_report: " + std::to_string(truth.size()) +
                                " true classes but " + std::to_string(predicted.size()) +
                                " predictions; expected one prediction per sample");
  ClassificationReport report;
  report.labels = labels.empty() ? default_labels(truth, predicted) : labels;
  std::map<int, std::size_t> index;  // class -> row/column
  for (std::size_t i = 0; i < report.labels.size(); ++i)
    if (!index.emplace(report.labels[i], i).second)
      throw std::invalid_argument("classification_report: class " +
                                  std::to_string(report.labels[i]) +
                                  " appears twice in labels; expected each class once");

  const std::size_t count = report.labels.size();
  report.confusion.assign(count, std::vector<std::int64_t>(count, 0));
  std::vector<std::int64_t> true_positives(count, 0), predicted_as(count, 0), support(count, 0);
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const auto true_class = index.find(truth[i]), predicted_class = index.find(predicted[i]);
    const bool known_truth = true_class != index.end(),
               known_prediction = predicted_class != index.end();
    correct += truth[i] == predicted[i];
    if (known_truth) ++support[true_class->second];
    if (known_prediction) ++predicted_as[predicted_class->second];
    if (known_truth && truth[i] == predicted[i]) ++true_positives[true_class->second];
    if (known_truth && known_prediction)
      ++report.confusion[true_class->second][predicted_class->second];
  }

  report.total = std::int64_t(truth.size());
  report.accuracy = ratio(correct, report.total);
  std::int64_t total_support = 0;
  double weighted_f1_sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    ClassMetrics metrics;
    metrics.label = report.labels[i];
    metrics.precision = ratio(true_positives[i], predicted_as[i]);
    metrics.recall = ratio(true_positives[i], support[i]);
    metrics.f1 = harmonic_mean(metrics.precision, metrics.recall);
    metrics.support = support[i];
    report.macro_precision += metrics.precision / double(count);
    report.macro_recall += metrics.recall / double(count);
    report.macro_f1 += metrics.f1 / double(count);
    weighted_f1_sum += metrics.f1 * double(metrics.support);
    total_support += metrics.support;
    report.per_class.push_back(metrics);
  }
  report.weighted_f1 = total_support == 0 ? 0.0 : weighted_f1_sum / double(total_support);
  return report;
}

nlohmann::json to_json(const ClassificationReport& report) {
  nlohmann::json per_class = nlohmann::json::array();
  for (const auto& metrics : report.per_class)
    per_class.push_back({{"label", metrics.label},
                         {"precision", metrics.precision},
                         {"recall", metrics.recall},
                         {"f1", metrics.f1},
                         {"support", metrics.support}});
  return {{"accuracy", report.accuracy},
          {"total", report.total},
          {"macro_avg",
           {{"precision", report.macro_precision},
            {"recall", report.macro_recall},
            {"f1", report.macro_f1}}},
          {"weighted_avg", {{"f1", report.weighted_f1}}},
          {"per_class", per_class},
          {"labels", report.labels},
          {"confusion_matrix", report.confusion}};
}

Canvas draw_confusion_matrix(const ClassificationReport& report, const std::string& title) {
  std::vector<std::string> class_names, counts;
  for (const int label : report.labels) class_names.push_back(std::to_string(label));
  for (const auto& row : report.confusion)
    for (const auto count : row) counts.push_back(std::to_string(count));
  const std::vector<double> bar_ticks = nice_ticks(0.0, 1.0, 6);
  std::vector<std::string> bar_labels;
  for (const double tick : bar_ticks) bar_labels.push_back(format_tick_label(tick, 0.2));
  const std::string bar_title = "share of true class";

  const auto layout = layout_matrix(class_names, counts, bar_labels, title, bar_title);
  Canvas canvas(layout.width, layout.height, kWhite);
  draw_cells(canvas, layout, report);
  draw_class_labels(canvas, layout, class_names);
  draw_color_bar(canvas, layout, bar_ticks, bar_labels, bar_title);

  const int grid_middle_x = layout.grid_left + layout.grid_size() / 2;
  const int grid_middle_y = layout.grid_top + layout.grid_size() / 2;
  const int title_half = text_width(title, kTitleSizePx) / 2;
  const int title_x =
      std::clamp(grid_middle_x, kMarginPx + title_half,
                 std::max(kMarginPx + title_half, layout.width - kMarginPx - title_half));
  canvas.draw_text(title_x, layout.title_baseline, title,
                   {kTitleSizePx, kTextColor, TextAlign::kCenter, false});
  canvas.draw_text(grid_middle_x, layout.x_title_baseline, "predicted label",
                   {kAxisTitleSizePx, kTextColor, TextAlign::kCenter, false});
  canvas.draw_text(layout.y_title_column, grid_middle_y, "true label",
                   {kAxisTitleSizePx, kTextColor, TextAlign::kCenter, true});
  return canvas;
}

}  // namespace aebench
