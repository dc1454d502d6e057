#include "font.h"

#include <stb_truetype.h>

// stb_easy_font is all static functions, and we use only some of them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace aebench::font {
namespace {

constexpr const char* kDefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr char32_t kReplacementCharacter = 0xFFFD;

// stb_easy_font draws capitals 7 units tall on a baseline at y = 7, descenders down to y = 9.
constexpr double kEasyFontCapHeight = 7.0;
constexpr double kEasyFontDescent = 2.0;
// DejaVu Sans capitals are 0.73 em tall; the fallback is scaled to match.
constexpr double kCapHeightEm = 0.73;

struct TrueTypeFont {
  std::vector<unsigned char> data;  // stbtt_fontinfo points into it
  stbtt_fontinfo info{};
};

std::unique_ptr<TrueTypeFont> load_font(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return nullptr;
  auto font = std::make_unique<TrueTypeFont>();
  font->data.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  if (file.bad() || font->data.empty()) return nullptr;
  const int offset = stbtt_GetFontOffsetForIndex(font->data.data(), 0);
  if (offset < 0 || !stbtt_InitFont(&font->info, font->data.data(), offset)) return nullptr;
  return font;
}

// The process-wide font: read-only after its thread-safe initialisation; null when no font
// file could be loaded.
const TrueTypeFont* truetype_font() {
  static const std::unique_ptr<TrueTypeFont> font = [] {
    std::vector<std::string> candidates;
    if (const char* path = std::getenv("AEBENCH_FONT"); path && *path) candidates.push_back(path);
    candidates.push_back(kDefaultFontPath);
    for (const auto& path : candidates)
      if (auto loaded = load_font(path)) return loaded;
    return std::unique_ptr<TrueTypeFont>();
  }();
  return font.get();
}

// The length of the UTF-8 sequence that starts with `lead`, or 0 for a byte that cannot start
// one.
int utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 0;
}

// Malformed sequences become U+FFFD rather than an error: a label is never worth a failed run.
std::vector<char32_t> decode_utf8(const std::string& text) {
  std::vector<char32_t> codepoints;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int length = utf8_sequence_length(lead);
    bool valid = length > 0 && i + length <= text.size();
    char32_t codepoint = length == 1 ? lead : lead & (0x7F >> length);
    for (int k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next >> 6) == 0x2;
      codepoint = (codepoint << 6) | (next & 0x3F);
    }
    codepoints.push_back(valid ? codepoint : kReplacementCharacter);
    i += valid ? length : 1;
  }
  return codepoints;
}

// A glyph's place in the line: the pen position before it, in pixels from the line's start.
struct PlacedGlyph {
  int codepoint = 0;
  double pen_x = 0.0;
};

struct TrueTypeLayout {
  float scale = 0.0f;
  std::vector<PlacedGlyph> glyphs;
  int advance = 0;
};

TrueTypeLayout layout_truetype(const TrueTypeFont& font, const std::string& text, double size_px) {
  TrueTypeLayout layout;
  layout.scale = stbtt_ScaleForMappingEmToPixels(&font.info, static_cast<float>(size_px));
  double pen_x = 0.0;
  int previous = 0;
  for (const char32_t codepoint : decode_utf8(text)) {
    const int current = static_cast<int>(codepoint);
    if (previous)
      pen_x += double(layout.scale) * stbtt_GetCodepointKernAdvance(&font.info, previous, current);
    layout.glyphs.push_back({current, pen_x});
    int advance = 0, left_bearing = 0;
    stbtt_GetCodepointHMetrics(&font.info, current, &advance, &left_bearing);
    pen_x += double(layout.scale) * advance;
    previous = current;
  }
  layout.advance = static_cast<int>(std::ceil(pen_x));
  return layout;
}

// Allocates a mask spanning [min_x, max_x) x [min_y, max_y) in pen coordinates (y down,
// baseline at 0).
TextMask empty_mask(int min_x, int max_x, int min_y, int max_y, int advance) {
  TextMask mask;
  mask.width = max_x - min_x;
  mask.height = max_y - min_y;
  mask.origin_x = -min_x;
  mask.baseline = -min_y;
  mask.advance = advance;
  mask.coverage.assign(std::size_t(mask.width) * std::size_t(mask.height), 0);
  return mask;
}

TextMask render_truetype(const TrueTypeFont& font, const std::string& text, double size_px) {
  const auto layout = layout_truetype(font, text, size_px);
  int ascent = 0, descent = 0;
  stbtt_GetFontVMetrics(&font.info, &ascent, &descent, nullptr);
  int min_x = 0, max_x = layout.advance;
  int min_y = -static_cast<int>(std::ceil(ascent * double(layout.scale)));
  int max_y = static_cast<int>(std::ceil(-descent * double(layout.scale)));
  struct Box {
    int x0, y0, x1, y1;
    float shift_x;
  };
  std::vector<Box> boxes;
  for (const auto& glyph : layout.glyphs) {
    const double left = std::floor(glyph.pen_x);
    Box box{0, 0, 0, 0, static_cast<float>(glyph.pen_x - left)};
    stbtt_GetCodepointBitmapBoxSubpixel(&font.info, glyph.codepoint, layout.scale, layout.scale,
                                        box.shift_x, 0.0f, &box.x0, &box.y0, &box.x1, &box.y1);
    box.x0 += static_cast<int>(left);
    box.x1 += static_cast<int>(left);
    boxes.push_back(box);
    min_x = std::min(min_x, box.x0), max_x = std::max(max_x, box.x1);
    min_y = std::min(min_y, box.y0), max_y = std::max(max_y, box.y1);
  }
  auto mask = empty_mask(min_x, max_x, min_y, max_y, layout.advance);
  std::vector<unsigned char> glyph_pixels;
  for (std::size_t g = 0; g < boxes.size(); ++g) {
    const auto& box = boxes[g];
    const int width = box.x1 - box.x0, height = box.y1 - box.y0;
    if (width <= 0 || height <= 0) continue;  // blank glyph, e.g. a space
    glyph_pixels.assign(std::size_t(width) * std::size_t(height), 0);
    stbtt_MakeCodepointBitmapSubpixel(&font.info, glyph_pixels.data(), width, height, width,
                                      layout.scale, layout.scale, box.shift_x, 0.0f,
                                      layout.glyphs[g].codepoint);
    // Neighbouring glyphs may overlap by a pixel: keep the larger coverage.
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        auto& target = mask.coverage[std::size_t(box.y0 + mask.baseline + y) * mask.width +
                                     std::size_t(box.x0 + mask.origin_x + x)];
        target = std::max(target, glyph_pixels[std::size_t(y) * width + x]);
      }
  }
  return mask;
}

// stb_easy_font knows printable ASCII only.
std::string to_printable_ascii(const std::string& text) {
  std::string ascii;
  for (const char32_t codepoint : decode_utf8(text))
    ascii.push_back(codepoint >= 32 && codepoint < 127 ? static_cast<char>(codepoint) : '?');
  return ascii;
}

double easy_font_scale(double size_px) {
  return size_px * kCapHeightEm / kEasyFontCapHeight;
}

// Adds the part of pixel (x, y) that the rectangle [x0, x1) x [y0, y1) covers.
void add_rect_coverage(TextMask& mask, double x0, double y0, double x1, double y1) {
  for (int y = static_cast<int>(std::floor(y0)); y < std::ceil(y1); ++y)
    for (int x = static_cast<int>(std::floor(x0)); x < std::ceil(x1); ++x) {
      if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) continue;
      const double covered = (std::min<double>(x + 1, x1) - std::max<double>(x, x0)) *
                             (std::min<double>(y + 1, y1) - std::max<double>(y, y0));
      auto& target = mask.coverage[std::size_t(y) * mask.width + x];
      target = static_cast<std::uint8_t>(std::min(255.0, target + 255.0 * covered + 0.5));
    }
}

}  // namespace

TextMask render_line_easy_font(const std::string& text, double size_px) {
  std::string ascii = to_printable_ascii(text);
  const double scale = easy_font_scale(size_px);
  const int advance = advance_width_easy_font(text, size_px);
  auto mask = empty_mask(0, advance + 1, -static_cast<int>(std::ceil(kEasyFontCapHeight * scale)),
                         static_cast<int>(std::ceil((kEasyFontDescent + 1) * scale)), advance);
  // Each quad is 4 vertices of 16 bytes (x, y, z as floats, then RGBA); ~270 bytes a character.
  std::vector<char> vertices(1024 * (ascii.size() + 1));
  const int quads = stb_easy_font_print(0.0f, 0.0f, ascii.data(), nullptr, vertices.data(),
                                        static_cast<int>(vertices.size()));
  for (int q = 0; q < quads; ++q) {
    float first[2], opposite[2];  // (x, y) of vertices 0 and 2: opposite corners of the quad
    std::memcpy(first, vertices.data() + 64 * q, sizeof first);
    std::memcpy(opposite, vertices.data() + 64 * q + 32, sizeof opposite);
    add_rect_coverage(mask, mask.origin_x + first[0] * scale,
                      mask.baseline + (first[1] - kEasyFontCapHeight) * scale,
                      mask.origin_x + opposite[0] * scale,
                      mask.baseline + (opposite[1] - kEasyFontCapHeight) * scale);
  }
  return mask;
}

int advance_width_easy_font(const std::string& text, double size_px) {
  std::string ascii = to_printable_ascii(text);
  return static_cast<int>(std::ceil(stb_easy_font_width(ascii.data()) * easy_font_scale(size_px)));
}

TextMask render_line(const std::string& text, double size_px) {
  if (const auto* font = truetype_font()) return render_truetype(*font, text, size_px);
  return render_line_easy_font(text, size_px);
}

int advance_width(const std::string& text, double size_px) {
  if (const auto* font = truetype_font()) return layout_truetype(*font, text, size_px).advance;
  return advance_width_easy_font(text, size_px);
}

}  // namespace aebench::font
