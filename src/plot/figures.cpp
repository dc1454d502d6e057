#include "aebench/plot/figures.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "aebench/plot/plot.h"

namespace aebench {
namespace {

constexpr double kTitleSize = 18.0;
constexpr double kLabelSize = 14.0;

std::vector<float> tile_values(const torch::Tensor& tile, bool normalise) {
  auto values = tile.detach().to(torch::kCPU).to(torch::kFloat32).contiguous();
  if (normalise) {
    const float low = values.min().item<float>(), high = values.max().item<float>();
    values = high > low ? (values - low) / (high - low) : torch::full_like(values, 0.5);
  }
  const float* data = values.data_ptr<float>();
  return std::vector<float>(data, data + values.numel());
}

// [channels, h, w] view of one image: [h, w] is one channel; 1 (grey) or 3 (RGB) channels.
torch::Tensor as_tile(const torch::Tensor& image) {
  const auto tile = image.reshape({-1, image.size(-2), image.size(-1)});
  if (tile.size(0) != 1 && tile.size(0) != 3)
    throw std::invalid_argument("draw_image_grid: expected 1 or 3 channels per image, found " +
                                std::to_string(tile.size(0)));
  return tile;
}

bool learning_rate_varies(const std::vector<EpochRecord>& history) {
  return std::any_of(history.begin(), history.end(),
                     [&](const EpochRecord& record) { return record.lr != history.front().lr; });
}

}  // namespace

Canvas draw_loss_curve(const std::vector<EpochRecord>& history, const std::string& title,
                       const std::string& loss_name) {
  LineSeries train{"train", {}, {}, kSeriesColors[0]};
  LineSeries val{"validation", {}, {}, kSeriesColors[1]};
  LineSeries lr{"learning rate", {}, {}, kSeriesColors[2]};
  for (const auto& record : history) {
    train.x.push_back(double(record.epoch));
    train.y.push_back(record.train_loss);
    val.x.push_back(double(record.epoch));
    val.y.push_back(record.val_loss);
    lr.x.push_back(double(record.epoch));
    lr.y.push_back(record.lr);
  }
  PlotOptions options;
  options.title = title;
  options.x_label = "epoch";
  options.y_label = loss_name + " loss per pixel";
  Canvas losses = render_line_plot({train, val}, options);
  // A schedule's rate goes in a strip below, on the same epochs; a constant rate says nothing.
  if (!learning_rate_varies(history)) return losses;
  PlotOptions rate_options;
  rate_options.title = "learning rate (train.schedule)";
  rate_options.x_label = "epoch";
  rate_options.y_label = "lr";
  rate_options.height = 220;
  return stacked(losses, render_line_plot({lr}, rate_options));
}

std::pair<std::int64_t, std::int64_t> near_square_factors(std::int64_t n) {
  for (auto cols = static_cast<std::int64_t>(std::sqrt(double(n))); cols >= 1; --cols) {
    if (n % cols != 0) continue;
    const std::int64_t rows = n / cols;
    if (rows > 4 * cols) return {0, 0};
    return {rows, cols};
  }
  return {0, 0};
}

torch::Tensor code_as_picture(const torch::Tensor& code) {
  const auto cpu = code.detach().to(torch::kCPU).to(torch::kFloat32);
  if (cpu.dim() == 3) {
    // Tile the feature maps: a grid of grid_rows x grid_cols maps.
    auto [grid_rows, grid_cols] = near_square_factors(cpu.size(0));
    if (grid_rows == 0) grid_rows = cpu.size(0), grid_cols = 1;
    const auto h = cpu.size(1), w = cpu.size(2);
    return cpu.reshape({grid_rows, grid_cols, h, w})
        .permute({0, 2, 1, 3})
        .reshape({grid_rows * h, grid_cols * w});
  }
  const auto flat = cpu.flatten();
  const auto n = flat.numel();
  auto [rows, cols] = near_square_factors(n);
  if (rows == 0) {
    cols = static_cast<std::int64_t>(std::ceil(std::sqrt(double(n))));
    rows = (n + cols - 1) / cols;
  }
  // Padding cells take the code's minimum, so they read as "off" after normalisation.
  auto padded = torch::full({rows * cols}, flat.min().item<float>());
  padded.narrow(0, 0, n).copy_(flat);
  return padded.reshape({rows, cols});
}

Canvas draw_image_grid(const std::vector<ImageRow>& rows,
                       const std::vector<std::string>& column_labels, const GridOptions& options) {
  const std::int64_t columns = rows.empty() ? 0 : rows.front().images.size(0);
  const auto first = rows.empty() ? torch::zeros({1, 1, 1}) : as_tile(rows.front().images[0]);
  const int tile_h = int(first.size(1)) * options.scale,
            tile_w = int(first.size(2)) * options.scale;
  int label_width = 0;
  for (const auto& row : rows)
    label_width = std::max(label_width, text_width(row.label, kLabelSize));
  const int left = label_width + 2 * options.padding + 6;
  const int top = int(kTitleSize * 1.8) + (column_labels.empty() ? 0 : int(kLabelSize * 1.6));
  // Wide enough for the tiles and for the title, whichever is wider.
  const int width = std::max(left + int(columns) * (tile_w + options.padding) + options.padding,
                             text_width(options.title, kTitleSize) + 4 * options.padding);
  const int height = top + int(rows.size()) * (tile_h + options.padding) + options.padding;
  Canvas canvas(width, height);
  canvas.draw_text(width / 2, int(kTitleSize * 1.3), options.title,
                   {kTitleSize, kBlack, TextAlign::kCenter, false});
  for (std::size_t c = 0; c < column_labels.size() && c < std::size_t(columns); ++c)
    canvas.draw_text(left + int(c) * (tile_w + options.padding) + tile_w / 2, top - 6,
                     column_labels[c], {kLabelSize, kGrey, TextAlign::kCenter, false});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const int y = top + int(r) * (tile_h + options.padding);
    canvas.draw_text(left - options.padding - 6, y + tile_h / 2 + int(kLabelSize / 3),
                     rows[r].label, {kLabelSize, kBlack, TextAlign::kRight, false});
    for (std::int64_t c = 0; c < columns && c < rows[r].images.size(0); ++c) {
      const auto tile = as_tile(rows[r].images[c]);
      const int x = left + int(c) * (tile_w + options.padding);
      const auto values = tile_values(tile, options.normalise_each);
      if (tile.size(0) == 3)
        canvas.draw_rgb(x, y, values, int(tile.size(1)), int(tile.size(2)), options.scale);
      else
        canvas.draw_gray(x, y, values, int(tile.size(1)), int(tile.size(2)), options.scale);
    }
  }
  return canvas;
}

}  // namespace aebench
