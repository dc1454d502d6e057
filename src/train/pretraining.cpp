#include "aebench/train/pretraining.h"

#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/stop_signal.h"
#include "aebench/train/metrics.h"

namespace aebench {
namespace {

struct Stage {
  torch::nn::Linear encoder{nullptr};
  torch::nn::AnyModule encoder_activation;
  torch::nn::Linear decoder{nullptr};
  torch::nn::AnyModule decoder_activation;
  std::string loss;  // "mse" | "bce"
};

// Where pretraining is, for the message of a stop request.
struct StagePosition {
  std::size_t stage, depth;
  std::int64_t epoch;
};

double train_stage_epoch(Stage& stage, torch::optim::Optimizer& optimizer,
                         const torch::Tensor& inputs, std::int64_t batch_size,
                         at::Generator& shuffle, const std::function<int()>& stop_requested,
                         const StagePosition& position) {
  const std::int64_t count = inputs.size(0);
  const auto order = torch::randperm(count, shuffle, torch::kInt64).to(inputs.device());
  double loss_sum = 0;
  for (std::int64_t first = 0; first < count; first += batch_size) {
    const auto length = std::min(batch_size, count - first);
    const auto batch = inputs.index_select(0, order.narrow(0, first, length));
    const auto code = stage.encoder_activation.forward(stage.encoder->forward(batch));
    const auto output = stage.decoder_activation.forward(stage.decoder->forward(code));
    const auto loss = reconstruction_loss(output, batch, stage.loss);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    loss_sum += loss.item<double>() * double(length);
    if (const int signal_number = stop_requested ? stop_requested() : 0)
      throw Interrupted("stopped by " + signal_name(signal_number) + " during pretraining stage " +
                            std::to_string(position.stage) + "/" + std::to_string(position.depth) +
                            ", epoch " + std::to_string(position.epoch) + ", batch " +
                            std::to_string(first / batch_size + 1),
                        signal_number);
  }
  return loss_sum / double(count);
}

// The codes of `stage`'s encoder for all of `inputs`, the next stage's training data.
torch::Tensor encode_stage(Stage& stage, const torch::Tensor& inputs) {
  torch::NoGradGuard no_grad;
  return stage.encoder_activation.forward(stage.encoder->forward(inputs));
}

}  // namespace

nlohmann::json pretrain_layers(AutoencoderImpl& model, const torch::Tensor& images,
                               const Config& config, ProgressReporter* progress,
                               const std::function<int()>& stop_requested) {
  const auto encoders = model.encoder_layers();
  const auto decoders = model.decoder_layers();
  if (encoders.empty() || encoders.size() != decoders.size())
    throw ConfigError(
        "pretrain: layer-wise pretraining needs a model of mirrored dense layers, "
        "found model.type \"" +
        config.model.type + "\"");
  const auto& options = config.pretrain;
  const std::size_t depth = encoders.size();
  auto shuffle = make_cpu_generator(config.seed + 101);
  nlohmann::json stages = nlohmann::json::array();
  torch::Tensor inputs = images.flatten(1);
  for (std::size_t i = 0; i < depth; ++i) {
    const bool last = i + 1 == depth, first = i == 0;
    Stage stage{encoders[i],
                make_activation(parse_activation(last ? config.model.latent_activation
                                                      : config.model.activation)),
                decoders[depth - 1 - i],
                make_activation(parse_activation(first ? config.model.output_activation
                                                       : config.model.activation)),
                first ? config.train.loss : "mse"};
    std::vector<torch::Tensor> parameters = stage.encoder->parameters();
    for (const auto& parameter : stage.decoder->parameters()) parameters.push_back(parameter);
    torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(options.lr));
    nlohmann::json losses = nlohmann::json::array();
    for (std::int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
      losses.push_back(train_stage_epoch(stage, optimizer, inputs, options.batch_size, shuffle,
                                         stop_requested, {i + 1, depth, epoch}));
      if (progress)
        progress->note("pretraining stage " + std::to_string(i + 1) + "/" + std::to_string(depth) +
                       ", epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs) +
                       ": loss " + std::to_string(losses.back().get<double>()));
    }
    const std::string layer = std::to_string(stage.encoder->options.in_features()) + "-" +
                              std::to_string(stage.encoder->options.out_features());
    stages.push_back({{"stage", i + 1}, {"layer", layer}, {"losses", losses}});
    inputs = encode_stage(stage, inputs);
  }
  return stages;
}

}  // namespace aebench
