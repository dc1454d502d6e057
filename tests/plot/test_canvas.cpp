#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aebench/errors.h"
#include "aebench/plot/canvas.h"
#include "aebench/plot/png.h"
#include "support/canvas_pixels.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::Canvas;
using aebench::Rgb;
using aebench::TextAlign;
using aebench::TextStyle;
using aebench::testing::inspect_png;
using aebench::testing::same;
using aebench::testing::ScratchFolder;
using aebench::testing::write_bytes;

namespace {

bool is_dark(Rgb pixel) {
  return pixel.r + pixel.g + pixel.b < 3 * 128;
}
bool is_white(Rgb pixel) {
  return pixel.r == 255 && pixel.g == 255 && pixel.b == 255;
}
// The smallest rectangle holding every non-white pixel: {left, top, right, bottom}, inclusive;
// {width, height, -1, -1} when the canvas is blank.
struct Box {
  int left, top, right, bottom;
};
Box ink_box(const Canvas& canvas) {
  Box box{canvas.width(), canvas.height(), -1, -1};
  for (int y = 0; y < canvas.height(); ++y)
    for (int x = 0; x < canvas.width(); ++x)
      if (!is_white(canvas.at(x, y))) {
        box = {std::min(box.left, x), std::min(box.top, y), std::max(box.right, x),
               std::max(box.bottom, y)};
      }
  return box;
}

int count_dark(const Canvas& canvas) {
  int count = 0;
  for (int y = 0; y < canvas.height(); ++y)
    for (int x = 0; x < canvas.width(); ++x) count += is_dark(canvas.at(x, y));
  return count;
}

std::vector<unsigned char> read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a canvas starts filled with its background colour") {
  const Canvas canvas(7, 5, Rgb{10, 20, 30});
  CHECK(canvas.width() == 7);
  CHECK(canvas.height() == 5);
  CHECK(canvas.pixels().size() == 7u * 5u * 3u);
  CHECK(same(canvas.at(6, 4), Rgb{10, 20, 30}));
}

TEST_CASE("a canvas of non-positive size is rejected, and reading outside it throws") {
  CHECK_THROWS_AS(Canvas(0, 10), std::invalid_argument);
  CHECK_THROWS_AS(Canvas(10, -1), std::invalid_argument);
  const Canvas canvas(4, 4);
  CHECK_THROWS_AS(canvas.at(4, 0), std::out_of_range);
  CHECK_THROWS_AS(canvas.at(0, -1), std::out_of_range);
}

TEST_CASE("drawing outside the canvas is clipped, never an error") {
  Canvas canvas(20, 20);
  canvas.set(-1, 5, aebench::kBlack);
  canvas.fill_rect(-10, -10, 15, 15, aebench::kBlack);
  canvas.draw_rect(15, 15, 100, 100, aebench::kBlack);
  canvas.draw_line(-50, -50, 70, 70, aebench::kBlack, 3.0);
  canvas.draw_text(-30, 500, "off the canvas", TextStyle{});
  canvas.draw_gray(18, 18, std::vector<float>(16, 0.0f), 4, 4, 3);
  CHECK(is_dark(canvas.at(0, 0)));
  CHECK(is_dark(canvas.at(4, 4)));
  CHECK(is_white(canvas.at(5, 0)));
}

TEST_CASE("a horizontal line covers exactly as many rows as its thickness") {
  for (const int thickness : {1, 3, 5}) {
    Canvas canvas(60, 40);
    canvas.draw_line(10, 20, 50, 20, aebench::kBlack, thickness);
    const int half = thickness / 2;
    for (int y = 0; y < canvas.height(); ++y) {
      const bool inside = y >= 20 - half && y <= 20 + half;
      INFO("thickness " << thickness << ", row " << y);
      CHECK(same(canvas.at(30, y), inside ? aebench::kBlack : aebench::kWhite));
    }
  }
}

TEST_CASE("a diagonal line is anti-aliased and its ink matches its length times thickness") {
  Canvas canvas(120, 120);
  canvas.draw_line(10, 10, 100, 100, aebench::kBlack, 2.0);
  double ink = 0.0;
  bool has_partial_pixel = false;
  for (int y = 0; y < canvas.height(); ++y)
    for (int x = 0; x < canvas.width(); ++x) {
      const auto pixel = canvas.at(x, y);
      ink += (255.0 - pixel.r) / 255.0;
      has_partial_pixel = has_partial_pixel || (pixel.r > 0 && pixel.r < 255);
    }
  const double length = std::hypot(90.0, 90.0);
  const double round_ends = 3.14159 * 1.0 * 1.0;  // two half discs of radius 1
  CHECK(ink == Approx(length * 2.0 + round_ends).epsilon(0.05));
  CHECK(has_partial_pixel);
}

TEST_CASE("a polyline skips its non-finite points and draws a lone point as a dot") {
  const double nan = std::nan("");
  Canvas canvas(100, 40);
  canvas.draw_polyline({{10, 10}, {40, 10}, {nan, 0}, {70, 30}, {nan, nan}}, aebench::kBlack, 3.0);
  CHECK(is_dark(canvas.at(25, 10)));
  CHECK(is_dark(canvas.at(70, 30)));
  CHECK(is_white(canvas.at(55, 20)));  // nothing joins (40, 10) to (70, 30)
}

TEST_CASE("draw_gray scales each value into a block and clamps out-of-range values") {
  Canvas canvas(10, 10, Rgb{1, 2, 3});
  canvas.draw_gray(2, 2, {0.0f, 1.0f, 0.5f, 7.0f, -1.0f, std::nanf("")}, 2, 3, 2);
  CHECK(same(canvas.at(2, 2), Rgb{0, 0, 0}));
  CHECK(same(canvas.at(3, 3), Rgb{0, 0, 0}));
  CHECK(same(canvas.at(4, 2), Rgb{255, 255, 255}));
  CHECK(same(canvas.at(6, 3), Rgb{128, 128, 128}));
  CHECK(same(canvas.at(2, 4), Rgb{255, 255, 255}));  // 7 clamps to 1
  CHECK(same(canvas.at(4, 5), Rgb{0, 0, 0}));        // -1 clamps to 0
  CHECK(same(canvas.at(6, 4), Rgb{0, 0, 0}));        // NaN is black
  CHECK(same(canvas.at(8, 2), Rgb{1, 2, 3}));
  CHECK_THROWS_AS(canvas.draw_gray(0, 0, {0.5f}, 2, 2, 1), std::invalid_argument);
}

TEST_CASE("draw_text puts ink inside the box the text claims and nowhere else") {
  const double size = 20.0;
  const std::string text = "Hello, plot";
  const int width = aebench::text_width(text, size);
  for (const auto align : {TextAlign::kLeft, TextAlign::kCenter, TextAlign::kRight}) {
    Canvas canvas(300, 80);
    canvas.draw_text(150, 50, text, {size, aebench::kBlack, align, false});
    const int start = align == TextAlign::kLeft     ? 150
                      : align == TextAlign::kCenter ? 150 - width / 2
                                                    : 150 - width;
    const auto box = ink_box(canvas);
    CHECK(count_dark(canvas) > 100);
    CHECK(box.left >= start - 2);
    CHECK(box.right <= start + width + 2);
    CHECK(box.top >= 50 - int(size));           // nothing above the ascent
    CHECK(box.bottom <= 50 + int(size * 0.3));  // nothing below the descent (the comma)
    CHECK(box.right - box.left >= width - 4);
  }
}

TEST_CASE("text_width grows with the text's length and its size") {
  CHECK(aebench::text_width("", 14.0) == 0);
  CHECK(aebench::text_width("loss", 14.0) > 0);
  CHECK(aebench::text_width("validation loss", 14.0) > aebench::text_width("loss", 14.0));
  CHECK(aebench::text_width("loss", 28.0) > aebench::text_width("loss", 14.0));
  CHECK(aebench::text_width("loss", 28.0) ==
        Approx(2 * aebench::text_width("loss", 14.0)).margin(2));
}

TEST_CASE("vertical text runs bottom to top and is taller than it is wide") {
  Canvas canvas(80, 300);
  canvas.draw_text(40, 150, "mse loss per pixel",
                   {14.0, aebench::kBlack, TextAlign::kCenter, true});
  const auto box = ink_box(canvas);
  const int width = aebench::text_width("mse loss per pixel", 14.0);
  CHECK(box.bottom - box.top > 3 * (box.right - box.left));
  CHECK(box.bottom - box.top >= width - 4);
  CHECK(std::abs((box.top + box.bottom) / 2 - 150) <= 3);  // centred on the anchor
  CHECK(box.left >= 40 - 15);                              // the ascent lies left of x
  CHECK(box.right <= 40 + 5);                              // the descent right of it
}

TEST_CASE("non-ASCII text is drawn, not dropped") {
  Canvas canvas(100, 40);
  canvas.draw_text(10, 30, "σ = 0.5 \xff", {16.0, aebench::kBlack, TextAlign::kLeft, false});
  CHECK(count_dark(canvas) > 20);
}

TEST_CASE("write_png writes a valid PNG of the canvas size and leaves no temporary file") {
  const ScratchFolder folder("canvas");
  Canvas canvas(37, 21, Rgb{200, 10, 10});
  canvas.draw_line(0, 0, 36, 20, aebench::kBlack, 2.0);
  const auto path = folder / "picture.png";
  aebench::write_png(path, canvas);
  const auto info = inspect_png(path);
  INFO(info.error);
  CHECK(info.valid);
  CHECK(info.width == 37);
  CHECK(info.height == 21);
  CHECK(std::distance(std::filesystem::directory_iterator(folder.path()),
                      std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("write_png replaces an existing file") {
  const ScratchFolder folder("canvas");
  const auto path = folder / "picture.png";
  aebench::write_png(path, Canvas(5, 5));
  aebench::write_png(path, Canvas(9, 4));
  const auto info = inspect_png(path);
  CHECK(info.valid);
  CHECK(info.width == 9);
  CHECK(info.height == 4);
}

TEST_CASE("write_png into a missing folder is an OutputError naming the path") {
  const ScratchFolder folder("canvas");
  const auto path = folder / "missing" / "picture.png";
  try {
    aebench::write_png(path, Canvas(4, 4));
    FAIL("write_png did not throw");
  } catch (const aebench::OutputError& error) {
    CHECK_THAT(error.what(), Catch::Contains(path.string()));
    CHECK_THAT(error.what(), Catch::Contains("expected its folder " + path.parent_path().string() +
                                             " to exist, found none"));
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("inspect_png rejects a truncated PNG, a flipped byte and a file that is not a PNG") {
  const ScratchFolder folder("canvas");
  const auto good = folder / "good.png";
  aebench::write_png(good, Canvas(16, 16, Rgb{0, 128, 255}));
  const auto bytes = read_bytes(good);
  REQUIRE(inspect_png(good).valid);

  const auto truncated = folder / "truncated.png";
  write_bytes(truncated, std::vector<unsigned char>(bytes.begin(), bytes.end() - 20));
  CHECK_FALSE(inspect_png(truncated).valid);

  auto flipped_bytes = bytes;
  flipped_bytes[45] ^= 0x01;  // inside the IDAT data (IDAT starts at byte 33): only the CRC tells
  const auto flipped = folder / "flipped.png";
  write_bytes(flipped, flipped_bytes);
  const auto info = inspect_png(flipped);
  CHECK_FALSE(info.valid);
  CHECK_THAT(info.error, Catch::Contains("CRC"));

  const auto text = folder / "text.png";
  write_bytes(text, {'n', 'o', 't', ' ', 'a', ' ', 'P', 'N', 'G'});
  CHECK_FALSE(inspect_png(text).valid);
  CHECK_FALSE(inspect_png(folder / "absent.png").valid);
}

TEST_CASE("draw_rgb reads red, green and blue planes into coloured blocks, clamped") {
  Canvas canvas(10, 10, Rgb{1, 2, 3});
  // 1 x 2 pixels: red plane {1, 0}, green {0, 0.5}, blue {7, NaN}.
  canvas.draw_rgb(2, 2, {1.0f, 0.0f, 0.0f, 0.5f, 7.0f, std::nanf("")}, 1, 2, 2);
  CHECK(same(canvas.at(2, 2), Rgb{255, 0, 255}));
  CHECK(same(canvas.at(3, 3), Rgb{255, 0, 255}));
  CHECK(same(canvas.at(4, 2), Rgb{0, 128, 0}));
  CHECK(same(canvas.at(6, 2), Rgb{1, 2, 3}));
  CHECK_THROWS_AS(canvas.draw_rgb(0, 0, {0.5f, 0.5f}, 1, 1, 1), std::invalid_argument);
}
