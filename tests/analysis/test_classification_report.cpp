#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "aebench/analysis/classification_report.h"
#include "aebench/plot/png.h"
#include "support/canvas_pixels.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::Canvas;
using aebench::ClassificationReport;
using aebench::Rgb;
using aebench::testing::count_color;
using aebench::testing::same;

namespace {

struct ExpectedClass {
  int label;
  double precision, recall, f1;
  std::int64_t support;
};

struct Case {
  const char* what;
  std::vector<int> truth, predicted, labels;
  std::vector<ExpectedClass> per_class;
  double accuracy, macro_precision, macro_recall, macro_f1, weighted_f1;
};

// Pixels whose blue channel clearly dominates: the shaded cells and the colour bar.
int count_blueish(const Canvas& canvas) {
  int count = 0;
  for (int y = 0; y < canvas.height(); ++y)
    for (int x = 0; x < canvas.width(); ++x) {
      const Rgb pixel = canvas.at(x, y);
      count += pixel.b > pixel.r + 60 && pixel.b > pixel.g + 30;
    }
  return count;
}

}  // namespace

TEST_CASE("classification reports match hand-computed precision, recall and F1") {
  // Worked by hand: precision = TP / predicted as the class, recall = TP / support,
  // F1 = 2PR / (P + R), 0 wherever a denominator is 0 (scikit-learn's zero_division=0).
  const Case cases[] = {
      // The example of scikit-learn's classification_report documentation; its printed table
      // (0.50 1.00 0.67 / 0.00 0.00 0.00 / 1.00 0.67 0.80; accuracy 0.60; macro 0.50 0.56 0.49;
      // weighted F1 0.61) agrees with the exact fractions here: class 0 TP 1 of 2 predicted,
      // class 2 TP 2 of 2 predicted and 3 true; macro F1 = (2/3 + 0 + 4/5) / 3 = 22/45;
      // weighted F1 = (2/3 * 1 + 0 * 1 + 4/5 * 3) / 5 = 46/75.
      {"three classes",
       {0, 1, 2, 2, 2},
       {0, 0, 2, 2, 1},
       {},
       {{0, 0.5, 1.0, 2.0 / 3.0, 1}, {1, 0.0, 0.0, 0.0, 1}, {2, 1.0, 2.0 / 3.0, 0.8, 3}},
       0.6,
       0.5,
       5.0 / 9.0,
       22.0 / 45.0,
       46.0 / 75.0},
      // Class 1 is never predicted: its precision is 0/0 -> 0. Class 0: P = 2/4, R = 2/2.
      {"a class that is never predicted",
       {0, 0, 1, 1},
       {0, 0, 0, 0},
       {},
       {{0, 0.5, 1.0, 2.0 / 3.0, 2}, {1, 0.0, 0.0, 0.0, 2}},
       0.5,
       0.25,
       0.5,
       1.0 / 3.0,
       1.0 / 3.0},
      // Class 2 only appears as a prediction: support 0, recall 0/0 -> 0, precision 0/1.
      // Class 1: P = 1/1, R = 1/2, F1 = 2/3. Weighted F1 = (2/3 * 2 + 0 * 0) / 2.
      {"a predicted class that never occurs",
       {1, 1},
       {1, 2},
       {},
       {{1, 1.0, 0.5, 2.0 / 3.0, 2}, {2, 0.0, 0.0, 0.0, 0}},
       0.5,
       0.5,
       0.25,
       1.0 / 3.0,
       2.0 / 3.0},
      // Explicit labels pick and order the classes. Class 1 is left out but still counts for
      // accuracy (2 of 3 right); class 2's one sample was predicted 1: R = 0, P = 0/0 -> 0.
      {"explicit labels in a chosen order",
       {0, 1, 2},
       {0, 1, 1},
       {2, 0},
       {{2, 0.0, 0.0, 0.0, 1}, {0, 1.0, 1.0, 1.0, 1}},
       2.0 / 3.0,
       0.5,
       0.5,
       0.5,
       0.5},
      // Every prediction right: all ones.
      {"a perfect classifier",
       {3, 1, 4, 1, 5},
       {3, 1, 4, 1, 5},
       {},
       {{1, 1.0, 1.0, 1.0, 2}, {3, 1.0, 1.0, 1.0, 1}, {4, 1.0, 1.0, 1.0, 1}, {5, 1.0, 1.0, 1.0, 1}},
       1.0,
       1.0,
       1.0,
       1.0,
       1.0},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto report = aebench::classification_report(c.truth, c.predicted, c.labels);
    REQUIRE(report.per_class.size() == c.per_class.size());
    for (std::size_t i = 0; i < c.per_class.size(); ++i) {
      INFO("class " << c.per_class[i].label);
      CHECK(report.labels[i] == c.per_class[i].label);
      CHECK(report.per_class[i].label == c.per_class[i].label);
      CHECK(report.per_class[i].precision == Approx(c.per_class[i].precision));
      CHECK(report.per_class[i].recall == Approx(c.per_class[i].recall));
      CHECK(report.per_class[i].f1 == Approx(c.per_class[i].f1));
      CHECK(report.per_class[i].support == c.per_class[i].support);
    }
    CHECK(report.total == std::int64_t(c.truth.size()));
    CHECK(report.accuracy == Approx(c.accuracy));
    CHECK(report.macro_precision == Approx(c.macro_precision));
    CHECK(report.macro_recall == Approx(c.macro_recall));
    CHECK(report.macro_f1 == Approx(c.macro_f1));
    CHECK(report.weighted_f1 == Approx(c.weighted_f1));
  }
}

TEST_CASE("the confusion matrix counts true classes by row and predictions by column") {
  // The documentation example again: row 2 (true 2) has one sample predicted 1 and two right.
  const auto report = aebench::classification_report({0, 1, 2, 2, 2}, {0, 0, 2, 2, 1});
  const std::vector<std::vector<std::int64_t>> expected = {{1, 0, 0}, {1, 0, 0}, {0, 1, 2}};
  CHECK(report.confusion == expected);
  CHECK(report.labels == std::vector<int>{0, 1, 2});

  // With explicit labels, samples whose true or predicted class is left out have no cell.
  const auto chosen = aebench::classification_report({0, 1, 2, 2}, {0, 1, 1, 2}, {2, 0});
  CHECK(chosen.confusion == std::vector<std::vector<std::int64_t>>{{1, 0}, {0, 1}});
}

TEST_CASE("truth and predictions of different lengths, or a repeated label, are rejected") {
  CHECK_THROWS_AS(aebench::classification_report({0, 1, 2}, {0, 1}), std::invalid_argument);
  CHECK_THROWS_WITH(aebench::classification_report({0, 1, 2}, {0, 1}),
                    Catch::Contains("3 true classes but 2 predictions"));
  CHECK_THROWS_WITH(aebench::classification_report({0, 1}, {0, 1}, {1, 0, 1}),
                    Catch::Contains("class 1 appears twice"));
}

TEST_CASE("an empty input gives an empty report with every score 0") {
  const auto report = aebench::classification_report({}, {});
  CHECK(report.labels.empty());
  CHECK(report.confusion.empty());
  CHECK(report.per_class.empty());
  CHECK(report.total == 0);
  CHECK(report.accuracy == 0.0);
  CHECK(report.macro_f1 == 0.0);
  CHECK(report.weighted_f1 == 0.0);
}

TEST_CASE("the JSON form carries every score under the documented keys") {
  const auto json =
      aebench::to_json(aebench::classification_report({0, 1, 2, 2, 2}, {0, 0, 2, 2, 1}));
  CHECK(json.at("accuracy").get<double>() == Approx(0.6));
  CHECK(json.at("total").get<int>() == 5);
  CHECK(json.at("macro_avg").at("precision").get<double>() == Approx(0.5));
  CHECK(json.at("macro_avg").at("recall").get<double>() == Approx(5.0 / 9.0));
  CHECK(json.at("macro_avg").at("f1").get<double>() == Approx(22.0 / 45.0));
  CHECK(json.at("weighted_avg").at("f1").get<double>() == Approx(46.0 / 75.0));
  REQUIRE(json.at("per_class").size() == 3);
  const auto& last = json.at("per_class").at(2);
  CHECK(last.at("label").get<int>() == 2);
  CHECK(last.at("precision").get<double>() == Approx(1.0));
  CHECK(last.at("recall").get<double>() == Approx(2.0 / 3.0));
  CHECK(last.at("f1").get<double>() == Approx(0.8));
  CHECK(last.at("support").get<int>() == 3);
  CHECK(json.at("labels") == nlohmann::json{0, 1, 2});
  CHECK(json.at("confusion_matrix") == nlohmann::json{{1, 0, 0}, {1, 0, 0}, {0, 1, 2}});
}

TEST_CASE("the confusion-matrix heat map is a valid PNG that grows with the classes") {
  const aebench::testing::ScratchFolder folder("confusion");
  std::vector<int> truth, predicted;
  for (int i = 0; i < 1000; ++i) {  // 10 classes, class c mistaken for c + 1 every 7th time
    truth.push_back(i % 10);
    predicted.push_back(i % 7 == 0 ? (i + 1) % 10 : i % 10);
  }
  const auto ten = aebench::classification_report(truth, predicted);
  const auto three = aebench::classification_report({0, 1, 2, 2, 2}, {0, 0, 2, 2, 1});
  const Canvas big = aebench::draw_confusion_matrix(ten, "probe: confusion matrix");
  const Canvas small = aebench::draw_confusion_matrix(three, "three classes");

  const auto path = folder / "confusion.png";
  aebench::write_png(path, big);
  const auto info = aebench::testing::inspect_png(path);
  INFO(info.error);
  CHECK(info.valid);
  CHECK(info.width == big.width());
  CHECK(info.height == big.height());
  // Ten cells of at least 48 px per side, plus labels, titles and the colour bar.
  CHECK(big.width() > 10 * 48 + 100);
  CHECK(big.height() > 10 * 48 + 60);
  CHECK(small.width() < big.width());
  CHECK(small.height() < big.height());
  CHECK(count_blueish(big) > 10 * 40 * 40);  // the ten diagonal cells at least
  // A cell holding its whole row is the darkest blue of the map (matplotlib's "Blues" at 1):
  // in the three-class example every true 0 and every true 1 was predicted 0. Their counts
  // are written in white on it.
  const Rgb darkest{8, 48, 107};
  CHECK(count_color(small, darkest) > 2 * 40 * 40);
  int left = small.width(), top = small.height(), right = -1, bottom = -1;
  for (int y = 0; y < small.height(); ++y)
    for (int x = 0; x < small.width(); ++x)
      if (same(small.at(x, y), darkest))
        left = std::min(left, x), right = std::max(right, x), top = std::min(top, y),
        bottom = std::max(bottom, y);
  int white_text = 0;  // bright pixels of the anti-aliased digits
  for (int y = top; y <= bottom; ++y)
    for (int x = left; x <= right; ++x) {
      const Rgb pixel = small.at(x, y);
      white_text += pixel.r > 200 && pixel.g > 200 && pixel.b > 200;
    }
  CHECK(white_text > 10);
}

TEST_CASE("heat maps of an empty report, huge counts and a long title do not fail") {
  const auto empty = aebench::draw_confusion_matrix(aebench::classification_report({}, {}), "");
  CHECK(empty.width() > 0);
  std::vector<int> many(123456, 7);
  const auto huge = aebench::classification_report(many, many);
  const std::string title(120, 'x');
  const auto canvas = aebench::draw_confusion_matrix(huge, title);
  CHECK(canvas.width() >= aebench::text_width(title, 18.0));
}
