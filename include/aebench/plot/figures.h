#pragma once
// The pictures of a run, drawn from tensors onto a Canvas: the loss curve, the grid of test
// images and their reconstructions, and the bottleneck codes as images.

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "aebench/io/epoch_record.h"
#include "aebench/plot/canvas.h"

namespace aebench {

// Train and validation loss against epoch, with title, axis labels, ticks and legend.
Canvas draw_loss_curve(const std::vector<EpochRecord>& history, const std::string& title,
                       const std::string& loss_name);

struct ImageRow {
  std::string label;  // shown left of the row, e.g. "original"
  // [count, C, h, w] (or [count, h, w]) values in [0, 1]; C = 1 is drawn grey, C = 3 in colour
  // (RGB)
  torch::Tensor images;
};

struct GridOptions {
  std::string title;
  int scale = 2;  // each pixel drawn as scale x scale
  int padding = 4;
  bool normalise_each = false;  // stretch each tile to its own min..max, all channels together
};

// Labelled rows of equally sized tiles, grey or colour; `column_labels` (e.g. the class of each
// test image) head the columns when not empty.
Canvas draw_image_grid(const std::vector<ImageRow>& rows,
                       const std::vector<std::string>& column_labels, const GridOptions& options);

// One code as a 2-D picture: a vector of n values becomes a near-square h x w tile (100 ->
// 10x10; a prime n is padded to the next rectangle); a [channels, h, w] feature-map code is
// tiled channel by channel into a near-square grid (8x7x7 -> 28x14). Input [code_shape...].
torch::Tensor code_as_picture(const torch::Tensor& code);

// The near-square factorisation rows x cols of n, rows >= cols, rows * cols == n, or {0, 0}
// when n only factors into a rectangle more than 4:1.
std::pair<std::int64_t, std::int64_t> near_square_factors(std::int64_t n);

}  // namespace aebench
