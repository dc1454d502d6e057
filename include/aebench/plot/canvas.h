#pragma once
// An RGB raster to draw figures on: rectangles, lines, grey-scale and colour tiles and text.
// Free of LibTorch. Text is rendered with a real TrueType font (DejaVu Sans from
// fonts-dejavu-core, through stb_truetype); when no font file can be found it falls back to
// the built-in stb_easy_font bitmap font, so a figure is never left without labels.

#include <cstdint>
#include <string>
#include <vector>

namespace aebench {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};
inline constexpr Rgb kGrey{128, 128, 128};
inline constexpr Rgb kLightGrey{220, 220, 220};

// A position in canvas pixels; integer coordinates are pixel centres.
struct Point {
  double x = 0.0, y = 0.0;
};

enum class TextAlign { kLeft, kCenter, kRight };

struct TextStyle {
  double size_px = 14.0;  // pixel height of the font's em
  Rgb color = kBlack;
  TextAlign align = TextAlign::kLeft;
  bool vertical = false;  // rotated 90 degrees counter-clockwise (for y-axis labels)
};

class Canvas {
 public:
  // Throws std::invalid_argument unless width and height are positive.
  Canvas(int width, int height, Rgb background = kWhite);

  int width() const { return width_; }
  int height() const { return height_; }
  // [height, width, 3] row-major RGB bytes.
  const std::vector<std::uint8_t>& pixels() const { return pixels_; }
  Rgb at(int x, int y) const;  // throws std::out_of_range outside the canvas

  // Every draw call clips to the canvas: coordinates outside it are ignored, never an error.
  void set(int x, int y, Rgb color);
  void fill_rect(int x, int y, int width, int height, Rgb color);
  void draw_rect(int x, int y, int width, int height, Rgb color);  // 1-pixel outline
  // Anti-aliased, `thickness` pixels wide, with round ends: a zero-length line is a disc of
  // diameter `thickness`. Non-finite coordinates draw nothing.
  void draw_line(double x0, double y0, double x1, double y1, Rgb color, double thickness = 1.0);
  // Connected segments drawn in one pass, so the joints are not painted twice. A non-finite
  // point breaks the line there; a point with no finite neighbour is a dot.
  void draw_polyline(const std::vector<Point>& points, Rgb color, double thickness = 1.0);

  // A grey-scale tile: `values` is [rows, cols] row-major in [0, 1] (clamped; NaN is black),
  // 0 = black. Each value becomes a `scale` x `scale` block with its top-left corner at (x, y).
  // Throws std::invalid_argument when values.size() != rows * cols.
  void draw_gray(int x, int y, const std::vector<float>& values, int rows, int cols, int scale);
  // A colour tile: `values` is [3, rows, cols] planar (all red, then all green, then all blue,
  // each row-major, as CIFAR-10 stores an image) in [0, 1], clamped per channel like draw_gray.
  // Throws std::invalid_argument when values.size() != 3 * rows * cols.
  void draw_rgb(int x, int y, const std::vector<float>& values, int rows, int cols, int scale);

  // Text whose baseline starts at (x, baseline_y) (for kCenter/kRight, x is the centre/right end).
  // With style.vertical the text runs bottom-to-top and (x, baseline_y) is where it is anchored:
  // x is the baseline's column and baseline_y the anchor point along the text (per `align`).
  void draw_text(int x, int baseline_y, const std::string& text, const TextStyle& style);

  // `other`'s pixels with its top-left corner at (x, y).
  void draw_canvas(int x, int y, const Canvas& other);

 private:
  // Mixes `color` into pixel (x, y) with weight alpha in [0, 1]; clips like the draw calls.
  void blend(int x, int y, Rgb color, double alpha);

  int width_;
  int height_;
  std::vector<std::uint8_t> pixels_;
};

// Width in pixels that `text` takes at `size_px`.
int text_width(const std::string& text, double size_px);

// Two pictures on one white canvas, top-left aligned: `right` to the right of `left`, or
// `bottom` below `top`.
Canvas side_by_side(const Canvas& left, const Canvas& right);
Canvas stacked(const Canvas& top, const Canvas& bottom);

}  // namespace aebench
