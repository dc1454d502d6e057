#pragma once
// Precision, recall and F1 per class, their averages, and the confusion matrix of a classifier
// (e.g. a probe trained on autoencoder codes), as scikit-learn's classification_report and
// confusion_matrix compute them with zero_division=0. Free of LibTorch.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/plot/canvas.h"

namespace aebench {

struct ClassMetrics {
  int label = 0;
  double precision = 0.0;    // true positives / predicted as `label`; 0 when none predicted
  double recall = 0.0;       // true positives / truly `label`; 0 when support is 0
  double f1 = 0.0;           // harmonic mean of precision and recall; 0 when both are 0
  std::int64_t support = 0;  // samples whose true class is `label`
};

struct ClassificationReport {
  std::vector<int> labels;  // the classes reported on, in row/column order
  // [true][predicted] sample counts, rows and columns in `labels` order. A sample whose true
  // or predicted class is not in `labels` has no cell (possible only with explicit labels).
  std::vector<std::vector<std::int64_t>> confusion;
  std::vector<ClassMetrics> per_class;  // in `labels` order
  double accuracy = 0.0;                // correct / total over all samples; 0 when total is 0
  double macro_precision = 0.0;         // unweighted means over `labels`, classes with no
  double macro_recall = 0.0;            // support included (as scikit-learn does)
  double macro_f1 = 0.0;
  double weighted_f1 = 0.0;  // mean of the per-class F1 weighted by support
  std::int64_t total = 0;    // samples
};

// Scores `predicted` against `truth` (same length, one class per sample). `labels` picks the
// classes and their order; empty means the sorted union of the classes in `truth` and
// `predicted` (scikit-learn's default). With explicit labels, per-class counts still use every
// sample, as in scikit-learn: a prediction of a class outside `labels` is a miss for its true
// class. Throws std::invalid_argument when the lengths differ or `labels` repeats a class.
ClassificationReport classification_report(const std::vector<int>& truth,
                                           const std::vector<int>& predicted,
                                           const std::vector<int>& labels = {});

// {"accuracy", "total", "macro_avg": {"precision", "recall", "f1"}, "weighted_avg": {"f1"},
//  "per_class": [{"label", "precision", "recall", "f1", "support"}, ...], "labels": [...],
//  "confusion_matrix": [[...], ...]} (rows are true classes).
nlohmann::json to_json(const ClassificationReport& report);

// The confusion matrix as a heat map: each cell shaded white to dark blue by its share of its
// row (the true class), with its count printed inside; class labels on both axes, "predicted
// label" below, "true label" on the left, `title` on top and a colour bar on the right. The
// canvas is sized from the number of classes (cells of at least 48 px, wider when the counts
// need it), so no text is clipped.
Canvas draw_confusion_matrix(const ClassificationReport& report, const std::string& title);

}  // namespace aebench
