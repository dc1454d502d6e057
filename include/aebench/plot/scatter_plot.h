#pragma once
// Scatter plots of 2-D points coloured by class (e.g. a 2-D latent space or a PCA / t-SNE
// projection of autoencoder codes), drawn on a Canvas. Free of LibTorch.

#include <string>
#include <vector>

#include "aebench/plot/canvas.h"

namespace aebench {

// Class colours: matplotlib's "tab10" (blue, orange, green, red, purple, brown, pink, grey,
// olive, cyan). Class c is drawn in kClassColors[c mod 10].
inline constexpr Rgb kClassColors[10] = {
    {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

struct ScatterOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 800;            // pixels
  int height = 700;           // pixels
  double point_radius = 2.0;  // pixels; each point is an anti-aliased disc
};

// The colour of class `label` (negative classes wrap too: -1 -> kClassColors[9]).
Rgb class_color(int label);

// Point i at (x[i], y[i]) in the colour of classes[i], drawn in input order (a later point
// covers an earlier one). Axes span the finite points with "nice" ticks (see plot.h); points
// with a non-finite coordinate are skipped. A legend right of the plot area, outside it so it
// never hides a point, lists every class among the drawn points in ascending order with its
// colour. No points gives an empty frame with the titles. Throws std::invalid_argument unless
// x, y and classes have the same length.
Canvas render_scatter_plot(const std::vector<double>& x, const std::vector<double>& y,
                           const std::vector<int>& classes, const ScatterOptions& options);

}  // namespace aebench
