#pragma once
// Test helpers that read a Canvas's pixels: exact colour comparison and colour counts.

#include "aebench/plot/canvas.h"

namespace aebench::testing {

inline bool same(Rgb a, Rgb b) {
  return a.r == b.r && a.g == b.g && a.b == b.b;
}

// Pixels of exactly `color` in the rectangle [x0, x1) x [y0, y1) (the whole canvas by default;
// a negative x1 or y1 means the canvas's right or bottom edge).
inline int count_color(const Canvas& canvas, Rgb color, int x0 = 0, int y0 = 0, int x1 = -1,
                       int y1 = -1) {
  if (x1 < 0) x1 = canvas.width();
  if (y1 < 0) y1 = canvas.height();
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) count += same(canvas.at(x, y), color);
  return count;
}

}  // namespace aebench::testing
