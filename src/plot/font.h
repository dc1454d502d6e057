#pragma once
// Internal to the canvas: turns one line of UTF-8 text into a coverage mask. The TrueType font
// is loaded once per process (the file named by AEBENCH_FONT, else DejaVu Sans); when neither
// loads, the built-in stb_easy_font is used so a figure never goes without labels.

#include <cstdint>
#include <string>
#include <vector>

namespace aebench::font {

// How much ink each pixel of a line of text gets: [height, width] bytes, 0 = none, 255 = full.
// The pen starts at column `origin_x` of row `baseline` and ends `advance` pixels to its right;
// glyphs may reach left of the origin or right of the advance (e.g. 'j', 'f').
struct TextMask {
  int width = 0;
  int height = 0;
  int origin_x = 0;
  int baseline = 0;
  int advance = 0;
  std::vector<std::uint8_t> coverage;
};

// `size_px` is the pixel height of the em.
TextMask render_line(const std::string& text, double size_px);
int advance_width(const std::string& text, double size_px);

// The fallback bitmap font on its own (what render_line uses when no TrueType font loads).
TextMask render_line_easy_font(const std::string& text, double size_px);
int advance_width_easy_font(const std::string& text, double size_px);

}  // namespace aebench::font
