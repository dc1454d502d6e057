#include "aebench/analysis/analysis.h"

#include <sstream>

#include "aebench/analysis/embedding.h"
#include "aebench/io/run_folder.h"
#include "aebench/plot/figures.h"
#include "aebench/plot/scatter_plot.h"

namespace aebench {
namespace {

// Tiles of the first layer's weights, `per_row` to a row.
Canvas draw_weights(const torch::Tensor& weights, const std::string& title,
                    const std::string& unit_name, std::int64_t units) {
  const auto shown =
      weights.narrow(0, 0, std::min(units, weights.size(0))).to(torch::kCPU).to(torch::kFloat32);
  // Say how many of the layer's units the picture leaves out, so nobody reads it as all.
  const std::string coverage = shown.size(0) < weights.size(0)
                                   ? "first " + std::to_string(shown.size(0)) + " of " +
                                         std::to_string(weights.size(0)) + " " + unit_name
                                   : "all " + std::to_string(weights.size(0)) + " " + unit_name;
  const std::int64_t per_row = 10;
  std::vector<ImageRow> rows;
  for (std::int64_t first = 0; first < shown.size(0); first += per_row) {
    const auto count = std::min(per_row, shown.size(0) - first);
    rows.push_back(
        {unit_name + " " + std::to_string(first + 1) + "-" + std::to_string(first + count),
         shown.narrow(0, first, count)});
  }
  const int side = int(std::max(shown.size(-2), shown.size(-1)));
  return draw_image_grid(rows, {},
                         {title + " (" + coverage + ")", std::max(1, 56 / side), 3, true});
}

std::vector<LayerActivity> activities(AutoencoderImpl& model, const torch::Tensor& inputs,
                                      double threshold) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<LayerActivity> result;
  const auto outputs = model.encoder_activations(inputs);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const bool code = i + 1 == outputs.size();
    result.push_back(
        layer_activity(code ? "code" : "hidden " + std::to_string(i + 1), outputs[i], threshold));
  }
  return result;
}

Canvas scatter_of(const torch::Tensor& map, const std::vector<int>& classes,
                  const std::string& title, const std::string& x_label = "dimension 1",
                  const std::string& y_label = "dimension 2") {
  const auto cpu = map.to(torch::kCPU).to(torch::kFloat64).contiguous();
  std::vector<double> x(cpu.size(0)), y(cpu.size(0));
  for (std::int64_t i = 0; i < cpu.size(0); ++i) {
    x[i] = cpu[i][0].item<double>();
    y[i] = cpu[i][1].item<double>();
  }
  ScatterOptions options;
  options.title = title;
  options.x_label = x_label;
  options.y_label = y_label;
  return render_scatter_plot(x, y, classes, options);
}

// The embedding.png figure (when the plan draws one) and summary.json's "embedding" object.
nlohmann::json draw_embedding(AutoencoderImpl& model, const Split& test,
                              const torch::Tensor& inputs, const Config& config,
                              Artefacts& artefacts) {
  const auto plan =
      plan_embedding(config.analysis, test.size(), model_size(config.model).code_size);
  nlohmann::json summary = {{"method", config.analysis.embedding}, {"points", plan.points}};
  if (!plan.notes.empty()) summary["notes"] = plan.notes;
  if (!plan.draws()) return summary;
  const auto labels = test.labels.to(torch::kCPU);
  std::vector<std::int64_t> label_list(labels.data_ptr<std::int64_t>(),
                                       labels.data_ptr<std::int64_t>() + labels.numel());
  const auto chosen = stratified_subset(label_list, plan.points, config.seed + 17);
  const auto index = torch::tensor(chosen, torch::kInt64);
  torch::Tensor codes;
  {
    torch::NoGradGuard no_grad;
    model.eval();
    codes = model.encode(inputs.index_select(0, index.to(inputs.device())))
                .flatten(1)
                .to(torch::kCPU)
                .to(torch::kFloat64);
  }
  std::vector<int> classes;
  for (const auto i : chosen) classes.push_back(int(label_list[i]));
  std::vector<Canvas> panels;
  if (plan.tsne) {
    TsneOptions tsne_options;
    tsne_options.perplexity = plan.perplexity;
    tsne_options.iterations = config.analysis.tsne_iterations;
    tsne_options.seed = config.seed;
    // scikit-learn's "auto" rate: the fixed 200 can fling points away on small maps.
    tsne_options.learning_rate =
        std::max(double(plan.points) / tsne_options.early_exaggeration / 4.0, 50.0);
    panels.push_back(
        scatter_of(tsne(codes, tsne_options), classes, config.name + ": t-SNE of test codes"));
    summary["perplexity"] = plan.perplexity;
  }
  if (plan.pca)
    panels.push_back(scatter_of(pca_2d(codes), classes, config.name + ": PCA of test codes"));
  if (plan.code_by_class) {
    const auto by_class =
        torch::tensor(std::vector<double>(classes.begin(), classes.end()), torch::kFloat64);
    panels.push_back(scatter_of(torch::stack({codes.select(1, 0), by_class}, 1), classes,
                                config.name + ": 1-D test codes by class", "code", "class"));
  }
  artefacts.add(kEmbeddingFile,
                panels.size() == 2 ? side_by_side(panels[0], panels[1]) : panels[0]);
  return summary;
}

}  // namespace

EmbeddingPlan plan_embedding(const AnalysisOptions& options, std::int64_t test_images,
                             std::int64_t code_size) {
  EmbeddingPlan plan;
  if (options.embedding == "none") return plan;
  plan.points = std::min(options.embedding_points, test_images);
  const std::string found = ", found " + std::to_string(plan.points);
  if (options.embedding == "tsne" || options.embedding == "both") {
    plan.tsne = plan.points >= 4;
    if (!plan.tsne)
      plan.notes.push_back("analysis.embedding: t-SNE needs at least 4 test images" + found +
                           "; no t-SNE map");
    plan.perplexity = std::min(options.perplexity, double(plan.points - 1) / 3.0);
    if (plan.tsne && plan.perplexity < options.perplexity) {
      std::ostringstream note;
      note << "analysis.perplexity: " << options.perplexity << " is more than " << plan.points
           << " points allow; t-SNE uses (points - 1) / 3 = " << plan.perplexity;
      plan.notes.push_back(note.str());
    }
  }
  if (options.embedding == "pca" || options.embedding == "both") {
    if (code_size < 2) {
      plan.code_by_class = true;
      plan.notes.push_back(
          "analysis.embedding: a 1-D code has no 2-D PCA map; embedding.png shows "
          "the code's value by class instead");
    } else {
      plan.pca = plan.points >= 2;
      if (!plan.pca)
        plan.notes.push_back("analysis.embedding: a PCA map needs at least 2 test images" + found +
                             "; no PCA map");
    }
  }
  if (!plan.draws()) plan.notes.push_back("analysis.embedding: no map to draw; no embedding.png");
  return plan;
}

LayerActivity layer_activity(const std::string& layer, const torch::Tensor& activations,
                             double threshold) {
  const auto flat = activations.detach().flatten(1).to(torch::kFloat64);
  LayerActivity activity;
  activity.layer = layer;
  activity.units = flat.size(1);
  activity.mean_activation = flat.mean().item<double>();
  activity.sparseness = (flat < threshold).to(torch::kFloat64).mean(1).mean().item<double>();
  return activity;
}

ModelAnalysis analyse_model(AutoencoderImpl& model, const Split& test,
                            const torch::Tensor& test_inputs, const Config& config) {
  ModelAnalysis result;
  result.artefacts.add(
      kWeightsFile,
      draw_weights(model.first_layer_weights(), config.name + ": " + model.weights_caption(),
                   model.weight_tile_name(), config.analysis.weight_units));
  nlohmann::json& analysis = result.summary;
  analysis["sparsity_threshold"] = config.analysis.sparsity_threshold;
  // Keyed by layer ("hidden 1", ..., "code") so `aebench compare --metric
  // analysis.activity.code.sparseness` can reach it.
  for (const auto& layer : activities(model, test_inputs, config.analysis.sparsity_threshold))
    analysis["activity"][layer.layer] = {{"units", layer.units},
                                         {"mean_activation", layer.mean_activation},
                                         {"sparseness", layer.sparseness}};
  if (config.analysis.embedding != "none")
    analysis["embedding"] = draw_embedding(model, test, test_inputs, config, result.artefacts);
  return result;
}

}  // namespace aebench
