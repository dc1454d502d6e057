#include "aebench/plot/canvas.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "font.h"

namespace aebench {
namespace {

bool is_finite(const Point& point) {
  return std::isfinite(point.x) && std::isfinite(point.y);
}

// Distance from p to the segment a-b (to a itself when the segment has zero length).
double distance_to_segment(const Point& p, const Point& a, const Point& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length_squared = dx * dx + dy * dy;
  double t = 0.0;
  if (length_squared > 0.0)
    t = std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / length_squared, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

// Coverage of the pixels in a rectangle of the canvas, one float per pixel in [0, 1].
struct CoverageBuffer {
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<float> values;

  float& at(int x, int y) { return values[std::size_t(y - top) * width + std::size_t(x - left)]; }
};

// The canvas pixels a thick polyline can touch.
CoverageBuffer coverage_for(const std::vector<Point>& points, double radius, int canvas_width,
                            int canvas_height) {
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
  for (const auto& point : points) {
    if (!is_finite(point)) continue;
    min_x = std::min(min_x, point.x), max_x = std::max(max_x, point.x);
    min_y = std::min(min_y, point.y), max_y = std::max(max_y, point.y);
  }
  CoverageBuffer buffer;
  if (min_x > max_x) return buffer;
  const double reach = radius + 1.0;
  buffer.left = static_cast<int>(std::clamp(std::floor(min_x - reach), 0.0, double(canvas_width)));
  buffer.top = static_cast<int>(std::clamp(std::floor(min_y - reach), 0.0, double(canvas_height)));
  const int right =
      static_cast<int>(std::clamp(std::ceil(max_x + reach), 0.0, double(canvas_width)));
  const int bottom =
      static_cast<int>(std::clamp(std::ceil(max_y + reach), 0.0, double(canvas_height)));
  buffer.width = std::max(0, right - buffer.left);
  buffer.height = std::max(0, bottom - buffer.top);
  buffer.values.assign(std::size_t(buffer.width) * std::size_t(buffer.height), 0.0f);
  return buffer;
}

// Marks the pixels within `radius` of segment a-b, with a one-pixel soft edge. Pixel (x, y) is
// centred on (x, y), so a 1-pixel line along a row of integer y covers that row exactly.
void add_segment(CoverageBuffer& buffer, const Point& a, const Point& b, double radius) {
  const double reach = radius + 1.0;
  const int x0 = std::max(buffer.left, static_cast<int>(std::floor(std::min(a.x, b.x) - reach)));
  const int x1 = std::min(buffer.left + buffer.width - 1,
                          static_cast<int>(std::ceil(std::max(a.x, b.x) + reach)));
  const int y0 = std::max(buffer.top, static_cast<int>(std::floor(std::min(a.y, b.y) - reach)));
  const int y1 = std::min(buffer.top + buffer.height - 1,
                          static_cast<int>(std::ceil(std::max(a.y, b.y) + reach)));
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const double distance = distance_to_segment({double(x), double(y)}, a, b);
      const auto coverage = static_cast<float>(std::clamp(radius + 0.5 - distance, 0.0, 1.0));
      buffer.at(x, y) = std::max(buffer.at(x, y), coverage);
    }
}

std::uint8_t mix(std::uint8_t from, std::uint8_t to, double amount) {
  return static_cast<std::uint8_t>(std::lround(from + (double(to) - from) * amount));
}

// How far the pen starts before the anchor, along the text.
int align_offset(TextAlign align, int advance) {
  switch (align) {
    case TextAlign::kCenter:
      return advance / 2;
    case TextAlign::kRight:
      return advance;
    case TextAlign::kLeft:
      break;
  }
  return 0;
}

}  // namespace

Canvas::Canvas(int width, int height, Rgb background) : width_(width), height_(height) {
  if (width <= 0 || height <= 0)
    throw std::invalid_argument("canvas size must be positive, got " + std::to_string(width) + "x" +
                                std::to_string(height));
  pixels_.resize(std::size_t(width) * std::size_t(height) * 3);
  for (std::size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = background.r;
    pixels_[i + 1] = background.g;
    pixels_[i + 2] = background.b;
  }
}

Rgb Canvas::at(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_)
    throw std::out_of_range("pixel (" + std::to_string(x) + ", " + std::to_string(y) +
                            ") is outside the " + std::to_string(width_) + "x" +
                            std::to_string(height_) + " canvas");
  const auto* pixel = &pixels_[(std::size_t(y) * width_ + x) * 3];
  return {pixel[0], pixel[1], pixel[2]};
}

void Canvas::draw_canvas(int x, int y, const Canvas& other) {
  for (int row = 0; row < other.height(); ++row)
    for (int column = 0; column < other.width(); ++column)
      set(x + column, y + row, other.at(column, row));
}

Canvas side_by_side(const Canvas& left, const Canvas& right) {
  Canvas both(left.width() + right.width(), std::max(left.height(), right.height()));
  both.draw_canvas(0, 0, left);
  both.draw_canvas(left.width(), 0, right);
  return both;
}

Canvas stacked(const Canvas& top, const Canvas& bottom) {
  Canvas both(std::max(top.width(), bottom.width()), top.height() + bottom.height());
  both.draw_canvas(0, 0, top);
  both.draw_canvas(0, top.height(), bottom);
  return both;
}

void Canvas::set(int x, int y, Rgb color) {
  blend(x, y, color, 1.0);
}

void Canvas::blend(int x, int y, Rgb color, double alpha) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0.0) return;
  auto* pixel = &pixels_[(std::size_t(y) * width_ + x) * 3];
  if (alpha >= 1.0) {
    pixel[0] = color.r, pixel[1] = color.g, pixel[2] = color.b;
    return;
  }
  pixel[0] = mix(pixel[0], color.r, alpha);
  pixel[1] = mix(pixel[1], color.g, alpha);
  pixel[2] = mix(pixel[2], color.b, alpha);
}

void Canvas::fill_rect(int x, int y, int width, int height, Rgb color) {
  const int x0 = std::max(x, 0), x1 = std::min(x + width, width_);
  const int y0 = std::max(y, 0), y1 = std::min(y + height, height_);
  for (int row = y0; row < y1; ++row)
    for (int column = x0; column < x1; ++column) set(column, row, color);
}

void Canvas::draw_rect(int x, int y, int width, int height, Rgb color) {
  if (width <= 0 || height <= 0) return;
  fill_rect(x, y, width, 1, color);
  fill_rect(x, y + height - 1, width, 1, color);
  fill_rect(x, y, 1, height, color);
  fill_rect(x + width - 1, y, 1, height, color);
}

void Canvas::draw_line(double x0, double y0, double x1, double y1, Rgb color, double thickness) {
  if (!is_finite({x0, y0}) || !is_finite({x1, y1})) return;
  draw_polyline({{x0, y0}, {x1, y1}}, color, thickness);
}

void Canvas::draw_polyline(const std::vector<Point>& points, Rgb color, double thickness) {
  if (!(thickness > 0.0)) return;
  const double radius = thickness / 2.0;
  auto buffer = coverage_for(points, radius, width_, height_);
  if (buffer.values.empty()) return;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!is_finite(points[i])) continue;
    const bool next_finite = i + 1 < points.size() && is_finite(points[i + 1]);
    const bool previous_finite = i > 0 && is_finite(points[i - 1]);
    if (next_finite)
      add_segment(buffer, points[i], points[i + 1], radius);
    else if (!previous_finite)
      add_segment(buffer, points[i], points[i], radius);  // an isolated point: a dot
  }
  for (int y = buffer.top; y < buffer.top + buffer.height; ++y)
    for (int x = buffer.left; x < buffer.left + buffer.width; ++x)
      blend(x, y, color, buffer.at(x, y));
}

void Canvas::draw_gray(int x, int y, const std::vector<float>& values, int rows, int cols,
                       int scale) {
  if (rows < 0 || cols < 0 || values.size() != std::size_t(rows) * std::size_t(cols))
    throw std::invalid_argument("draw_gray: expected " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " values, got " +
                                std::to_string(values.size()));
  for (int row = 0; row < rows; ++row)
    for (int col = 0; col < cols; ++col) {
      const float value = values[std::size_t(row) * cols + col];
      const float clamped = std::isnan(value) ? 0.0f : std::clamp(value, 0.0f, 1.0f);
      const auto level = static_cast<std::uint8_t>(std::lround(clamped * 255.0f));
      fill_rect(x + col * scale, y + row * scale, scale, scale, {level, level, level});
    }
}

void Canvas::draw_rgb(int x, int y, const std::vector<float>& values, int rows, int cols,
                      int scale) {
  const std::size_t plane = std::size_t(rows < 0 ? 0 : rows) * std::size_t(cols < 0 ? 0 : cols);
  if (rows < 0 || cols < 0 || values.size() != 3 * plane)
    throw std::invalid_argument("draw_rgb: expected 3x" + std::to_string(rows) + "x" +
                                std::to_string(cols) + " values, got " +
                                std::to_string(values.size()));
  const auto level = [](float value) {
    const float clamped = std::isnan(value) ? 0.0f : std::clamp(value, 0.0f, 1.0f);
    return static_cast<std::uint8_t>(std::lround(clamped * 255.0f));
  };
  for (int row = 0; row < rows; ++row)
    for (int col = 0; col < cols; ++col) {
      const std::size_t at = std::size_t(row) * cols + col;
      fill_rect(x + col * scale, y + row * scale, scale, scale,
                {level(values[at]), level(values[plane + at]), level(values[2 * plane + at])});
    }
}

void Canvas::draw_text(int x, int baseline_y, const std::string& text, const TextStyle& style) {
  const auto mask = font::render_line(text, style.size_px);
  const int offset = align_offset(style.align, mask.advance);
  for (int row = 0; row < mask.height; ++row)
    for (int column = 0; column < mask.width; ++column) {
      const std::uint8_t coverage = mask.coverage[std::size_t(row) * mask.width + column];
      if (coverage == 0) continue;
      const int along = column - mask.origin_x - offset;  // pixels along the text from the anchor
      const int across = row - mask.baseline;             // pixels below the baseline
      if (style.vertical)
        blend(x + across, baseline_y - along, style.color, coverage / 255.0);
      else
        blend(x + along, baseline_y + across, style.color, coverage / 255.0);
    }
}

int text_width(const std::string& text, double size_px) {
  return font::advance_width(text, size_px);
}

}  // namespace aebench
