#include "aebench/bench/flops.h"

#include <ATen/record_function.h>

#include <cstring>

#include "aebench/config/config.h"
#include "aebench/errors.h"

namespace aebench {
namespace {

// One aten::convolution call seen during the traced forward pass.
struct ConvolutionCall {
  const c10::TensorImpl* weight = nullptr;  // identifies the module that made the call
  std::vector<std::int64_t> input_shape;    // [batch, channels, height, width]
  std::vector<std::int64_t> output_shape;
};

// The calls of the trace in progress on this thread. RecordFunction callbacks are plain
// function pointers, so they find the trace here; set only inside count_flops.
thread_local std::vector<ConvolutionCall>* active_trace = nullptr;

bool is_convolution(const at::RecordFunction& call) {
  return std::strcmp(call.name(), "aten::convolution") == 0;
}

std::unique_ptr<at::ObserverContext> on_op_start(const at::RecordFunction& call) {
  if (active_trace == nullptr || !is_convolution(call)) return nullptr;
  const auto inputs = call.inputs();  // input, weight, bias, stride, padding, ...
  ConvolutionCall seen;
  seen.input_shape = inputs.at(0).toTensor().sizes().vec();
  seen.weight = inputs.at(1).toTensor().unsafeGetTensorImpl();
  active_trace->push_back(std::move(seen));
  return nullptr;
}

void on_op_end(const at::RecordFunction& call, at::ObserverContext*) {
  if (active_trace == nullptr || !is_convolution(call) || active_trace->empty()) return;
  const auto& outputs = call.outputs();
  if (!outputs.empty() && outputs.front().isTensor())
    active_trace->back().output_shape = outputs.front().toTensor().sizes().vec();
}

// Every aten::convolution call of one forward pass of a 1-image input.
std::vector<ConvolutionCall> trace_convolutions(AutoencoderImpl& model) {
  std::vector<ConvolutionCall> calls;
  const auto device =
      model.parameters().empty() ? torch::Device(torch::kCPU) : model.parameters().front().device();
  const ImageShape shape = model.image_shape();
  const auto image =
      torch::zeros({1, shape.channels, shape.height, shape.width}, torch::TensorOptions(device));
  const bool was_training = model.is_training();
  model.eval();
  active_trace = &calls;
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(on_op_start, on_op_end).needsInputs(true).needsOutputs(true));
  try {
    torch::NoGradGuard no_grad;
    model.forward(image);
  } catch (...) {
    at::removeCallback(handle);
    active_trace = nullptr;
    throw;
  }
  at::removeCallback(handle);
  active_trace = nullptr;
  model.train(was_training);
  return calls;
}

// Output (or, for a transposed convolution, input) positions of every call with `weight`.
double positions_of(const torch::Tensor& weight, const std::vector<ConvolutionCall>& calls,
                    bool transposed, const std::string& name) {
  double positions = 0.0;
  bool seen = false;
  for (const auto& call : calls) {
    if (call.weight != weight.unsafeGetTensorImpl()) continue;
    const auto& shape = transposed ? call.input_shape : call.output_shape;
    if (shape.size() != 4)
      throw std::runtime_error(
          "count_flops: " + name + ": expected a 4-d " + (transposed ? "input" : "output") +
          " of the traced convolution, found " + std::to_string(shape.size()) + " dimensions");
    positions += double(shape[2] * shape[3]);
    seen = true;
  }
  if (!seen)
    throw std::runtime_error(
        "count_flops: " + name +
        ": expected the layer to run in the traced forward pass, found no call");
  return positions;
}

}  // namespace

FlopCount count_flops(AutoencoderImpl& model) {
  const auto calls = trace_convolutions(model);
  FlopCount count;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    const auto& name = item.key();
    const auto& module = item.value();
    LayerFlops layer{name, "", 0.0};
    if (const auto* linear = module->as<torch::nn::LinearImpl>()) {
      layer.kind = "linear";
      layer.forward_flops = 2.0 * double(linear->weight.numel());  // in x out multiply-adds
    } else if (const auto* conv = module->as<torch::nn::Conv2dImpl>()) {
      layer.kind = "conv2d";  // weight [Cout, Cin/groups, kh, kw], applied at each output position
      layer.forward_flops =
          2.0 * double(conv->weight.numel()) * positions_of(conv->weight, calls, false, name);
    } else if (const auto* transposed = module->as<torch::nn::ConvTranspose2dImpl>()) {
      layer.kind = "conv_transpose2d";  // weight [Cin, Cout/groups, kh, kw], scattered from each
                                        // input position
      layer.forward_flops = 2.0 * double(transposed->weight.numel()) *
                            positions_of(transposed->weight, calls, true, name);
    } else if (module->as<torch::nn::BatchNorm1dImpl>() ||
               module->as<torch::nn::BatchNorm2dImpl>()) {
      continue;  // elementwise, like biases and activations: not counted
    } else if (!module->named_parameters(/*recurse=*/false).is_empty()) {
      throw ConfigError("model: layer " + name + " (" + module->name() +
                        "): expected only Linear, Conv2d and ConvTranspose2d layers to hold "
                        "parameters, so that every FLOP is counted");
    } else {
      continue;
    }
    count.forward_per_image += layer.forward_flops;
    count.layers.push_back(std::move(layer));
  }
  count.train_step_per_image = 3.0 * count.forward_per_image;
  return count;
}

}  // namespace aebench
