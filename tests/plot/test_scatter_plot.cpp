#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <vector>

#include "aebench/plot/png.h"
#include "aebench/plot/scatter_plot.h"
#include "support/canvas_pixels.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::Canvas;
using aebench::kClassColors;
using aebench::Rgb;
using aebench::ScatterOptions;
using aebench::testing::count_color;
using aebench::testing::same;

namespace {

constexpr double kNotANumber = std::numeric_limits<double>::quiet_NaN();
constexpr Rgb kFrameColor{80, 80, 80};  // the plot frame, as scatter_plot.cpp draws it

// The rightmost column that is mostly frame colour: the right edge of the plot frame.
int frame_right(const Canvas& canvas) {
  for (int x = canvas.width() - 1; x >= 0; --x) {
    int frame = 0;
    for (int y = 0; y < canvas.height(); ++y) frame += same(canvas.at(x, y), kFrameColor);
    if (frame > canvas.height() / 2) return x;
  }
  return -1;
}

ScatterOptions labelled() {
  ScatterOptions options;
  options.title = "codes";
  options.x_label = "code 0";
  options.y_label = "code 1";
  return options;
}

// `count` points of `label` on a small circle around (cx, cy).
void add_cluster(std::vector<double>& x, std::vector<double>& y, std::vector<int>& classes,
                 int label, double cx, double cy, int count) {
  for (int i = 0; i < count; ++i) {
    x.push_back(cx + std::cos(i * 0.7) * (0.2 + 0.01 * i));
    y.push_back(cy + std::sin(i * 0.7) * (0.2 + 0.01 * i));
    classes.push_back(label);
  }
}

}  // namespace

TEST_CASE("class colours are tab10, wrapping every ten classes") {
  const struct {
    int label, index;
  } cases[] = {{0, 0}, {3, 3}, {9, 9}, {10, 0}, {23, 3}, {-1, 9}, {-10, 0}};
  for (const auto& c : cases) {
    INFO("class " << c.label);
    CHECK(same(aebench::class_color(c.label), kClassColors[c.index]));
  }
  // matplotlib's tab10 starts with #1f77b4 and ends with #17becf.
  CHECK(same(kClassColors[0], Rgb{0x1f, 0x77, 0xb4}));
  CHECK(same(kClassColors[9], Rgb{0x17, 0xbe, 0xcf}));
}

TEST_CASE("a scatter plot has the requested size and shows both class colours") {
  std::vector<double> x, y;
  std::vector<int> classes;
  add_cluster(x, y, classes, 0, -1.0, 0.0, 40);
  add_cluster(x, y, classes, 1, 1.0, 0.5, 40);
  auto options = labelled();
  options.width = 640;
  options.height = 480;
  const auto canvas = aebench::render_scatter_plot(x, y, classes, options);
  CHECK(canvas.width() == 640);
  CHECK(canvas.height() == 480);
  const int right = frame_right(canvas);
  REQUIRE(right > 0);
  // Inside the frame, so from the points and not the legend.
  CHECK(count_color(canvas, kClassColors[0], 0, 0, right) > 100);
  CHECK(count_color(canvas, kClassColors[1], 0, 0, right) > 100);
}

TEST_CASE("the legend lists each class present, right of the plot frame") {
  std::vector<double> x, y;
  std::vector<int> classes;
  add_cluster(x, y, classes, 9, 0.0, 0.0, 30);
  add_cluster(x, y, classes, 0, 5.0, 5.0, 30);  // the rightmost points
  add_cluster(x, y, classes, 3, 5.0, 0.0, 30);
  const auto canvas = aebench::render_scatter_plot(x, y, classes, labelled());
  const int right = frame_right(canvas);
  REQUIRE(right > 0);
  REQUIRE(right < canvas.width() - 40);
  for (int label = 0; label < 10; ++label) {
    INFO("class " << label);
    const int legend_pixels = count_color(canvas, kClassColors[label], right + 1);
    if (label == 0 || label == 3 || label == 9)
      CHECK(legend_pixels > 30);  // a marker disc 9 px across
    else if (label != 7)          // tab10's grey also appears in anti-aliased text
      CHECK(legend_pixels == 0);
  }
}

TEST_CASE("points with a non-finite coordinate are skipped, their class left out of the legend") {
  const std::vector<double> x = {0.0, 1.0, kNotANumber, 2.0};
  const std::vector<double> y = {0.0, 1.0, 0.5, INFINITY};
  const std::vector<int> classes = {4, 4, 2, 6};
  const auto canvas = aebench::render_scatter_plot(x, y, classes, labelled());
  CHECK(count_color(canvas, kClassColors[4]) > 20);
  CHECK(count_color(canvas, kClassColors[2]) == 0);
  CHECK(count_color(canvas, kClassColors[6]) == 0);
}

TEST_CASE("scatter plots of no points, one point and one repeated point do not fail") {
  const struct {
    std::vector<double> x, y;
    std::vector<int> classes;
  } cases[] = {
      {{}, {}, {}},
      {{kNotANumber}, {kNotANumber}, {1}},
      {{3.0}, {-2.0}, {5}},
      {{0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}, {1, 1, 2}},
      {{-1e300, 1e300}, {0.0, 1.0}, {0, 1}},
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    INFO("case " << i);
    const auto canvas =
        aebench::render_scatter_plot(cases[i].x, cases[i].y, cases[i].classes, labelled());
    CHECK(canvas.width() == 800);
    CHECK(canvas.height() == 700);
  }
}

TEST_CASE("a scatter plot needs as many x, y and classes") {
  CHECK_THROWS_AS(aebench::render_scatter_plot({1, 2}, {1, 2}, {0}, labelled()),
                  std::invalid_argument);
  CHECK_THROWS_AS(aebench::render_scatter_plot({1, 2}, {1}, {0, 1}, labelled()),
                  std::invalid_argument);
}

TEST_CASE("a rendered scatter plot is written as a valid PNG of the plot's size") {
  const aebench::testing::ScratchFolder folder("scatter");
  const auto path = folder / "latent.png";
  std::vector<double> x, y;
  std::vector<int> classes;
  for (int label = 0; label < 10; ++label)
    add_cluster(x, y, classes, label, std::cos(label), std::sin(label), 20);
  aebench::write_png(path, aebench::render_scatter_plot(x, y, classes, labelled()));
  const auto info = aebench::testing::inspect_png(path);
  INFO(info.error);
  CHECK(info.valid);
  CHECK(info.width == 800);
  CHECK(info.height == 700);
}
